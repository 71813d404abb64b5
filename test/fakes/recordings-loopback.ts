import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, readRequest } from '../support/loopback';

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
  private readonly server = new LoopbackServer((req, res) => void this.handle(req, res));
  baseUrl = '';

  constructor(private readonly handler: (req: LoopbackRequest) => LoopbackAnswer) {}

  async start(): Promise<string> {
    this.baseUrl = await this.server.start();
    return this.baseUrl;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, url, headers, body: bytes } = await readRequest(req);
    const request = { method, path: url.pathname, headers, body: bytes };
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
