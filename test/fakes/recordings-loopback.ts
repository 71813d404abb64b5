import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The HTTP part shared by the recordings fakes (Exotel recording host, AssemblyAI, Slack): a real server on
// 127.0.0.1 that keeps every request with its raw bytes (uploads are binary) and lets a handler answer, hold the
// answer, or drop the connection.

export interface LoopbackRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type LoopbackAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Close the socket without answering (the request did arrive). */
  | 'drop'
  /** Keep the request open until the server closes. */
  | 'hold';

export class LoopbackFake {
  readonly requests: LoopbackRequest[] = [];
  private server: Server | null = null;
  baseUrl = '';

  constructor(private readonly handler: (req: LoopbackRequest) => LoopbackAnswer) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const request = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://fake').pathname,
      headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(request);
    const answer = this.handler(request);
    if (answer === 'hold') return;
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    const { body } = answer;
    const raw =
      body === undefined ? '' : Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : JSON.stringify(body);
    const type = Buffer.isBuffer(body) ? 'audio/mpeg' : typeof body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(answer.status, { 'content-type': type, ...answer.headers });
    res.end(raw);
  }
}
