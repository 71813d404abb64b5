import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';

// Real HTTP on 127.0.0.1 for the fakes and stand-in receivers: listening on a free port, reading requests whole, and
// closing at once even while a request is held open.

/** A port on 127.0.0.1 nobody listens on: bound, then released (for "connection refused", or to reuse after a restart). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ReceivedRequest {
  method: string;
  url: URL;
  /** Headers sent once (a repeated header is left out: none of the services faked here sends one). */
  headers: Record<string, string>;
  body: Buffer;
}

/** Reads a request to its end; its URL is resolved against `origin` (the server's own, where the URL matters). */
export async function readRequest(req: IncomingMessage, origin = 'http://127.0.0.1'): Promise<ReceivedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  return {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', origin),
    headers,
    body: Buffer.concat(chunks),
  };
}

/** An HTTP server on 127.0.0.1; close() ends open connections first, so a held request cannot keep it up. */
export class LoopbackServer {
  private server: Server | null = null;
  port = 0;

  constructor(private readonly listener: RequestListener) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (a free one unless told) and returns the origin, http://127.0.0.1:<port>. */
  async start(port = 0): Promise<string> {
    const server = createServer(this.listener);
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this.origin;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
