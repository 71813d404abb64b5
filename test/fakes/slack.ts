import { LoopbackFake, type LoopbackAnswer } from './recordings-loopback';

// A Slack incoming webhook: POST JSON to /services/T…/B…/…; 200 "ok" on success, plain-text error
// codes otherwise (429 with Retry-After when rate limited). `script` answers the next posts in order; after it runs
// out every post succeeds. Only answered-200 posts count as messages in the channel.

export type SlackScript = { status: number; body: string; retryAfter?: string } | 'drop' | 'hold';

export interface PostedMessage {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
}

export class SlackFake extends LoopbackFake {
  readonly script: SlackScript[] = [];
  readonly channel: PostedMessage[] = [];
  /** The hook's secret path; a test may choose it to recognise the URL wherever it turns up. */
  constructor(readonly path = '/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX') {
    super((req): LoopbackAnswer => {
      if (req.method !== 'POST' || req.path !== this.path) return { status: 404, body: 'no_service' };
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return { status: 400, body: 'invalid_payload' };
      let message: PostedMessage;
      try {
        message = JSON.parse(req.body.toString('utf8')) as PostedMessage;
      } catch {
        return { status: 400, body: 'invalid_payload' };
      }
      const next = this.script.shift();
      if (next === 'drop' || next === 'hold') {
        // The message reached Slack; the answer never reaches us.
        this.channel.push(message);
        return next;
      }
      if (next && next.status !== 200)
        return {
          status: next.status,
          body: next.body,
          headers: next.retryAfter ? { 'retry-after': next.retryAfter } : {},
        };
      if (!message.text) return { status: 400, body: 'no_text' };
      if (message.blocks.length > 50) return { status: 400, body: 'invalid_blocks' };
      for (const b of message.blocks)
        if (b.text && b.text.text.length > 3000) return { status: 400, body: 'invalid_blocks' };
      this.channel.push(message);
      return { status: 200, body: 'ok' };
    });
  }

  get webhookUrl(): string {
    return `${this.baseUrl}${this.path}`;
  }
}
