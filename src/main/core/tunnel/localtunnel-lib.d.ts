// The one internal of @n8n/localtunnel 3.0.0 (pinned) we build on: its Tunnel class, whose `_init` handshake we
// replace with a bounded one (the stock one retries every second forever while the server is unreachable).
declare module '@n8n/localtunnel/lib/Tunnel.js' {
  import { EventEmitter } from 'node:events';

  interface TunnelInfo {
    name: string;
    url: string;
    max_conn: number;
  }
  interface TunnelOptions {
    port: number;
    host: string;
    subdomain?: string;
    local_host?: string;
  }
  class Tunnel extends EventEmitter {
    constructor(opts: TunnelOptions);
    opts: TunnelOptions;
    url: string;
    clientId: string;
    closed: boolean;
    _init(cb: (err: Error | null, info?: TunnelInfo) => void): void;
    _getInfo(body: unknown): TunnelInfo;
    open(cb: (err?: Error) => void): void;
    close(): void;
  }
  export = Tunnel;
}
