import { StepError, certainlyNotSent, networkReason, parseRetryAfter } from './http';
import type { SlackMessage } from './message';

// Slack incoming webhook: POST JSON, success is 200 "ok"; errors are plain-text codes. Incoming webhooks take no
// idempotency key, so the caller must never resend a message Slack may already have: only answers that prove the
// message was not posted (429, 5xx, refused connection) are retried.

const PERMANENT_HELP: Record<string, string> = {
  invalid_payload: 'the message was malformed (please report this)',
  invalid_blocks: 'the message blocks were rejected (please report this)',
  no_text: 'the message had no text (please report this)',
  user_not_found: 'the webhook user no longer exists; create a new webhook',
  action_prohibited: 'an admin restricted posting to this channel',
  channel_not_found: 'the channel no longer exists; create a new webhook',
  no_service: 'the webhook was removed or revoked; create a new one',
  channel_is_archived: 'the channel is archived; unarchive it or create a webhook for another channel',
};

export async function postToSlack(
  webhookUrl: string,
  message: SlackMessage,
  timeoutMs: number,
  now: () => number,
): Promise<void> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await res.text()).trim();
  } catch (err) {
    if (certainlyNotSent(err)) throw new StepError('transient', `Slack could not be reached: ${networkReason(err)}.`);
    throw new StepError(
      'in_doubt',
      `Slack did not answer (${networkReason(err)}), so the message may or may not be in the channel.`,
    );
  }
  if (res.status === 200) return;
  const code = body.slice(0, 80);
  if (res.status === 429) {
    throw new StepError(
      'transient',
      `Slack is rate limiting this webhook (HTTP 429).`,
      parseRetryAfter(res.headers.get('retry-after'), now()),
    );
  }
  if (res.status >= 500)
    throw new StepError('transient', `Slack had a server error (HTTP ${res.status}${code ? ` ${code}` : ''}).`);
  const help = PERMANENT_HELP[code] ?? 'check the webhook URL';
  throw new StepError(
    'permanent',
    `Slack refused the message (HTTP ${res.status}${code ? ` ${code}` : ''}): ${help}. Fix it in Settings → Recordings, then Retry.`,
  );
}
