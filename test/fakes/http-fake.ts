import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { LoopbackServer, readRequest } from '../support/loopback';

// The common part of every provider fake: a real HTTP server on 127.0.0.1 that records requests, routes them to
// the fake's handler, and can be told to fail the next requests the way real providers do (401, 429 with
// Retry-After, 500, or no answer at all).

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Fault = { status: 401 | 429 | 500 | 503; retryAfter?: string; body?: unknown } | 'timeout';

export const E164 = /^\+[1-9]\d{6,14}$/;

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(fileURLToPath(new URL(`../fixtures/providers/${name}`, import.meta.url)), 'utf8'),
  ) as Record<string, unknown>;
}

export function json(status: number, body: unknown): FakeResponse {
  return { status, body };
}

export class HttpFake {
  readonly requests: FakeRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly server = new LoopbackServer((req, res) => void this.handle(req, res));
  baseUrl = '';

  constructor(private readonly handler: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>) {}

  /** The next requests fail like this, in order (one fault per request). */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  async start(): Promise<string> {
    this.baseUrl = await this.server.start();
    return this.baseUrl;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  requestsTo(method: string, pathPattern: RegExp): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, url, headers, body } = await readRequest(req);
    const request: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: body.toString('utf8'),
    };
    this.requests.push(request);
    const fault = this.faults.shift();
    if (fault === 'timeout') return; // never answer; the client's timeout must fire
    let out: FakeResponse;
    if (fault) {
      out = {
        status: fault.status,
        body: fault.body ?? { message: `fake ${fault.status}` },
        headers: fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      };
    } else {
      try {
        out = await this.handler(request);
      } catch (err) {
        out = { status: 500, body: { message: String(err) } };
      }
    }
    const isText = typeof out.body === 'string';
    res.writeHead(out.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...out.headers });
    res.end(out.body === undefined ? '' : isText ? (out.body as string) : JSON.stringify(out.body));
  }
}

/** Sends a webhook the way a provider does; returns the status and body our server answered. */
export async function deliver(
  url: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: init.method ?? 'POST', body: init.body, headers: init.headers });
  return { status: res.status, body: await res.text() };
}
