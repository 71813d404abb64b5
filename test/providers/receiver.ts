import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  NormalizedEvent,
  PlaceCallRequest,
  VoiceProvider,
  WebhookRequest,
} from '../../src/main/core/providers/types';
import { WebhookRejected } from '../../src/main/core/providers/types';
import { LoopbackServer, readRequest } from '../support/loopback';

// For provider unit tests that run without the core: a loopback listener that hands each delivery to one
// provider's verify/parse/respond, the same three calls the webhook server makes, and records the outcome.

export interface Received {
  req: WebhookRequest;
  events: NormalizedEvent[];
  rejected: WebhookRejected | null;
}

export class Receiver {
  readonly received: Received[] = [];
  private readonly server = new LoopbackServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly provider: () => VoiceProvider) {}

  get events(): NormalizedEvent[] {
    return this.received.flatMap((r) => r.events);
  }

  async start(): Promise<string> {
    this.url = `${await this.server.start()}/hooks/test/secret`;
    return this.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, url, headers, body } = await readRequest(req, this.server.origin);
    const request: WebhookRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      rawBody: body,
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
  }
}

/** A placeCall request as the dialer builds it: the attempt's call id, a key derived from it, no caller id or agent. */
export function placeCallRequest(
  callId: number,
  fields: Pick<PlaceCallRequest, 'to' | 'webhookUrl'> & Partial<PlaceCallRequest>,
): PlaceCallRequest {
  return {
    callId,
    idempotencyKey: `k${callId}`,
    from: null,
    voiceAgentId: null,
    contactName: 'Asha',
    variables: {},
    ...fields,
  };
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
