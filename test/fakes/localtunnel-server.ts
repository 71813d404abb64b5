import { randomBytes } from 'node:crypto';
import { Agent, request, type ClientRequestArgs, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type LookupFunction,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { LoopbackServer } from '../support/loopback';

// A stand-in localtunnel server speaking its protocol: GET /?new or GET /<id> answers
// {id, port, max_conn_count, url} and opens a TCP listener on `port`; the client dials raw sockets to it; each
// public HTTP request whose Host starts with "<id>." is forwarded over one of those sockets.

/** "*.localtest" → 127.0.0.1: the stand-in server's public names, resolved without DNS. */
export const localtestLookup: LookupFunction = (hostname, options, cb) => {
  const address = hostname.endsWith('.localtest') || hostname === 'localhost' ? '127.0.0.1' : hostname;
  if ((options as { all?: boolean }).all)
    (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
  else cb(null, address, 4);
};

/** One request to a public "*.localtest" URL of the stand-in, as a provider on the internet would send it. */
export function viaTunnel(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, lookup: localtestLookup, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

interface TunnelClient {
  id: string;
  tcp: TcpServer;
  port: number;
  idle: Socket[];
  waiting: ((socket: Socket) => void)[];
  agent: Agent;
  sockets: Set<Socket>;
}

/**
 * Hands out the client's waiting tunnel sockets as HTTP connections, as the real server's agent does: the sockets
 * are never read while they wait, so whatever a socket carries when it is handed out is read as the answer; after a
 * response at most one socket is kept for reuse and the others are closed (the client then opens new ones).
 */
class TunnelAgent extends Agent {
  constructor(private readonly client: TunnelClient) {
    super({ keepAlive: true, maxFreeSockets: 1 });
  }
  override createConnection(
    _options: ClientRequestArgs,
    cb?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = this.client.idle.shift();
    if (socket) {
      cb?.(null, socket);
      return undefined;
    }
    this.client.waiting.push((s) => cb?.(null, s));
    return undefined;
  }
}

export class LocaltunnelServer {
  private readonly server = new LoopbackServer((req, res) => void this.handle(req, res));
  readonly clients = new Map<string, TunnelClient>();
  /** Every public request forwarded, for assertions. */
  readonly forwarded: { id: string; method: string; path: string }[] = [];
  get port(): number {
    return this.server.port;
  }
  /** The public domain in URLs; tests resolve "*.localtest" to 127.0.0.1. */
  readonly domain = 'localtest';
  maxConn = 2;

  get url(): string {
    return this.server.origin;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  async close(): Promise<void> {
    for (const id of [...this.clients.keys()]) this.drop(id);
    await this.server.close();
  }

  /** The server loses a client (restart, network drop): its listener and sockets go away. */
  drop(id: string): void {
    const client = this.clients.get(id);
    if (!client) return;
    this.clients.delete(id);
    client.tcp.close();
    for (const s of client.sockets) s.destroy();
    client.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const sub = host.endsWith(`.${this.domain}:${this.port}`) ? host.split('.')[0] : null;
    if (sub) {
      this.forward(sub, req, res);
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && (url.search === '?new' || /^\/[a-z0-9-]{4,63}$/.test(url.pathname))) {
      const id = url.search === '?new' ? randomBytes(5).toString('hex') : url.pathname.slice(1);
      if (this.clients.has(id)) {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `subdomain ${id} is in use` }));
        return;
      }
      const client = await this.open(id);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          port: client.port,
          max_conn_count: this.maxConn,
          url: `http://${id}.${this.domain}:${this.port}`,
        }),
      );
      return;
    }
    res.writeHead(404);
    res.end();
  }

  private async open(id: string): Promise<TunnelClient> {
    const client = { id, idle: [], waiting: [], sockets: new Set<Socket>() } as unknown as TunnelClient;
    client.agent = new TunnelAgent(client);
    client.tcp = createTcpServer((socket) => {
      if (client.sockets.size >= this.maxConn) {
        socket.destroy(); // no more sockets than max_conn_count
        return;
      }
      client.sockets.add(socket);
      socket.on('close', () => {
        client.sockets.delete(socket);
        client.idle = client.idle.filter((s) => s !== socket);
      });
      socket.on('error', () => socket.destroy());
      const next = client.waiting.shift();
      if (next) next(socket);
      else client.idle.push(socket);
    });
    await new Promise<void>((resolve) => client.tcp.listen(0, '127.0.0.1', resolve));
    client.port = (client.tcp.address() as AddressInfo).port;
    this.clients.set(id, client);
    return client;
  }

  private forward(id: string, req: IncomingMessage, res: ServerResponse): void {
    const client = this.clients.get(id);
    if (!client) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no active client for '${id}'`);
      return;
    }
    this.forwarded.push({ id, method: req.method ?? 'GET', path: req.url ?? '/' });
    const upstream = request({ agent: client.agent, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
