import { z } from 'zod';
import { StepError, networkReason, parseRetryAfter } from './http';

// AssemblyAI pre-recorded transcription: upload (or pass a URL), submit with speaker labels, poll by id.
// Header `authorization: <key>` (the raw key, no "Bearer").

const Utterance = z.object({
  speaker: z.string(),
  text: z.string(),
  start: z.number().nullable().optional(),
  end: z.number().nullable().optional(),
});

const Sentiment = z.object({ sentiment: z.string(), text: z.string().optional() });

export const TranscriptResponse = z.object({
  id: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'error']),
  text: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  audio_duration: z.number().nullable().optional(),
  utterances: z.array(Utterance).nullable().optional(),
  sentiment_analysis_results: z.array(Sentiment).nullable().optional(),
});
export type TranscriptResponse = z.infer<typeof TranscriptResponse>;

export interface AssemblyAiOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  uploadTimeoutMs: number;
  now: () => number;
}

export class AssemblyAiClient {
  constructor(private readonly opts: AssemblyAiOptions) {}

  /** Sends the audio bytes; returns the private URL AssemblyAI transcribes from. */
  async upload(bytes: Buffer): Promise<string> {
    const body = await this.request('POST', '/v2/upload', bytes, 'application/octet-stream', this.opts.uploadTimeoutMs);
    return z.object({ upload_url: z.string().url() }).parse(body).upload_url;
  }

  /** `webhookUrl`: where AssemblyAI says the transcript is done (only when the console has a public URL). */
  async submit(audioUrl: string, webhookUrl: string | null): Promise<string> {
    const body = await this.request(
      'POST',
      '/v2/transcript',
      JSON.stringify({
        audio_url: audioUrl,
        speaker_labels: true,
        sentiment_analysis: true,
        ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
      }),
      'application/json',
      this.opts.timeoutMs,
    );
    return z.object({ id: z.string().min(1) }).parse(body).id;
  }

  async get(id: string): Promise<TranscriptResponse> {
    const body = await this.request(
      'GET',
      `/v2/transcript/${encodeURIComponent(id)}`,
      undefined,
      undefined,
      this.opts.timeoutMs,
    );
    const parsed = TranscriptResponse.safeParse(body);
    if (!parsed.success) throw new StepError('transient', `AssemblyAI sent an unexpected transcript for ${id}.`);
    return parsed.data;
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body: Buffer | string | undefined,
    contentType: string | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    const headers: Record<string, string> = { authorization: this.opts.apiKey, accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    const url = new URL(path, this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`);
    const where = `AssemblyAI (${method} ${path.replace(/\/v2\/transcript\/.+/, '/v2/transcript/…')})`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: typeof body === 'string' ? body : body && new Uint8Array(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new StepError('transient', `${where} could not be reached: ${networkReason(err)}.`);
    }
    let json: unknown = undefined;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // a non-JSON answer is reported by status below
    }
    if (res.status >= 200 && res.status < 300) {
      if (json === undefined) throw new StepError('transient', `${where} answered without JSON.`);
      return json;
    }
    const detail = z.object({ error: z.string() }).safeParse(json);
    const suffix = detail.success ? `: ${detail.data.error}` : '';
    if (res.status === 401 || res.status === 403) {
      throw new StepError(
        'permanent',
        `AssemblyAI refused the API key (HTTP ${res.status}${suffix}). Check it in Settings → Recordings, then Retry.`,
      );
    }
    if (res.status === 429 || res.status >= 500) {
      throw new StepError(
        'transient',
        `${where} is busy (HTTP ${res.status}${suffix}).`,
        parseRetryAfter(res.headers.get('retry-after'), this.opts.now()),
      );
    }
    throw new StepError('permanent', `${where} rejected the request (HTTP ${res.status}${suffix}).`);
  }
}

/** "Speaker A: …" lines, the way the Slack post and the search index show the conversation. */
export function transcriptLines(
  t: TranscriptResponse,
): { speaker: string | null; text: string; atMs: number | null }[] {
  if (t.utterances && t.utterances.length > 0) {
    return t.utterances.map((u) => ({ speaker: u.speaker, text: u.text.trim(), atMs: u.start ?? null }));
  }
  const text = (t.text ?? '').trim();
  return text ? [{ speaker: null, text, atMs: null }] : [];
}

/** The most frequent sentiment of the call, capitalised ("Neutral"), when AssemblyAI returned any. */
export function overallTone(t: TranscriptResponse): string | null {
  const counts = new Map<string, number>();
  for (const s of t.sentiment_analysis_results ?? []) counts.set(s.sentiment, (counts.get(s.sentiment) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [k, n] of counts) {
    if (n > bestCount) {
      best = k;
      bestCount = n;
    }
  }
  return best ? best.charAt(0).toUpperCase() + best.slice(1).toLowerCase() : null;
}
