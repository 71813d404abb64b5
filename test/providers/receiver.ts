import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NormalizedEvent, VoiceProvider, WebhookRequest } from '../../src/main/core/providers/types';
import { WebhookRejected } from '../../src/main/core/providers/types';

// For provider unit tests that run without the core: a loopback listener that hands each delivery to one
// provider's verify/parse/respond, the same three calls the webhook server makes, and records the outcome.

export interface Received {
  req: WebhookRequest;
  events: NormalizedEvent[];
  rejected: WebhookRejected | null;
}

export class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly provider: () => VoiceProvider) {}

  get events(): NormalizedEvent[] {
    return this.received.flatMap((r) => r.events);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', this.url);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const request: WebhookRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers,
          rawBody: Buffer.concat(chunks),
          url: url.toString(),
          receivedAt: Date.now(),
        };
        const provider = this.provider();
        try {
          provider.verifyWebhook(request);
          const events = provider.parseWebhook(request);
          this.received.push({ req: request, events, rejected: null });
          const custom = provider.webhookResponse?.(request) ?? null;
          res.writeHead(custom?.status ?? 200, { 'content-type': custom?.contentType ?? 'text/plain' });
          res.end(custom?.body ?? '');
        } catch (err) {
          if (!(err instanceof WebhookRejected)) throw err;
          this.received.push({ req: request, events: [], rejected: err });
          res.writeHead(err.httpStatus, { 'content-type': 'text/plain' });
          res.end(err.reason);
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/test/secret`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function webhookRequest(init: Partial<WebhookRequest> & { body?: string | Buffer }): WebhookRequest {
  const url = init.url ?? 'https://console.example/hooks/test/secret';
  const parsed = new URL(url);
  return {
    method: init.method ?? 'POST',
    path: init.path ?? parsed.pathname,
    query: init.query ?? parsed.searchParams,
    headers: init.headers ?? { 'content-type': 'application/json' },
    rawBody: init.rawBody ?? Buffer.from(init.body ?? ''),
    url,
    receivedAt: init.receivedAt ?? 0,
  };
}
