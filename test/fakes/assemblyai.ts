import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoopbackFake, type LoopbackAnswer, type LoopbackRequest } from './recordings-loopback';

// AssemblyAI as documented: `authorization: <key>` (no Bearer), POST /v2/upload (raw bytes →
// upload_url), POST /v2/transcript (→ id, status queued), GET /v2/transcript/{id} moving queued → processing →
// completed | error, completed bodies shaped like fixtures/recordings/assemblyai-transcript-completed.json.

export function completedFixture(): Record<string, unknown> {
  const file = fileURLToPath(new URL('../fixtures/recordings/assemblyai-transcript-completed.json', import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export interface Utterance {
  speaker: string;
  text: string;
}

interface Job {
  id: string;
  audioUrl: string;
  speakerLabels: boolean;
  sentimentAnalysis: boolean;
  webhookUrl: string | null;
  polls: number;
}

export class AssemblyAiFake extends LoopbackFake {
  readonly uploads: Buffer[] = [];
  readonly jobs = new Map<string, Job>();
  /** Polls answered "processing" before a transcript completes. */
  processingPolls = 1;
  /** While true, every transcript stays "processing" (a long transcription). */
  hold = false;
  /** Set: transcripts end in status "error" with this message. */
  failWith: string | null = null;
  utterances: Utterance[] | null = null;
  /**
   * Sentiment per sentence, as `sentiment_analysis_results` gives it (POSITIVE / NEUTRAL / NEGATIVE) when the request
   * asked for `sentiment_analysis`; an empty list is what AssemblyAI returns for a call without speech.
   */
  sentiments: { text: string; sentiment: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE'; speaker: string | null }[] = [
    { text: 'Hi', sentiment: 'NEUTRAL', speaker: 'A' },
    { text: 'Yes', sentiment: 'POSITIVE', speaker: 'B' },
    { text: 'ok', sentiment: 'NEUTRAL', speaker: 'A' },
  ];

  constructor(readonly apiKey: string) {
    super((req) => this.route(req));
  }

  submissions(): LoopbackRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v2/transcript');
  }

  /** What AssemblyAI sends to webhook_url when a transcript finishes: ids and status only, no text. */
  async notify(id: string): Promise<number> {
    const job = this.jobs.get(id);
    if (!job?.webhookUrl) throw new Error(`transcript ${id} has no webhook_url`);
    const status = this.failWith ? 'error' : 'completed';
    const res = await fetch(job.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transcript_id: id, status }),
    });
    return res.status;
  }

  private route(req: LoopbackRequest): LoopbackAnswer {
    if (req.headers.authorization !== this.apiKey)
      return { status: 401, body: { error: 'Authentication error, API token missing/invalid' } };
    if (req.method === 'POST' && req.path === '/v2/upload') {
      this.uploads.push(req.body);
      return { status: 200, body: { upload_url: `https://cdn.assemblyai.test/upload/${this.uploads.length}` } };
    }
    if (req.method === 'POST' && req.path === '/v2/transcript') {
      const body = JSON.parse(req.body.toString('utf8')) as {
        audio_url?: string;
        speaker_labels?: boolean;
        sentiment_analysis?: boolean;
        webhook_url?: string;
      };
      if (!body.audio_url) return { status: 400, body: { error: 'audio_url is required' } };
      const id = `tr-${this.jobs.size + 1}`;
      this.jobs.set(id, {
        id,
        audioUrl: body.audio_url,
        speakerLabels: body.speaker_labels === true,
        sentimentAnalysis: body.sentiment_analysis === true,
        webhookUrl: body.webhook_url ?? null,
        polls: 0,
      });
      return {
        status: 200,
        body: { id, status: 'queued', audio_url: body.audio_url, speaker_labels: body.speaker_labels },
      };
    }
    const m = /^\/v2\/transcript\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m) {
      const job = this.jobs.get(m[1]);
      if (!job) return { status: 404, body: { error: 'Transcript not found' } };
      job.polls += 1;
      if (this.hold || job.polls <= this.processingPolls)
        return { status: 200, body: { id: job.id, status: job.polls === 1 ? 'queued' : 'processing' } };
      if (this.failWith) return { status: 200, body: { id: job.id, status: 'error', error: this.failWith } };
      return { status: 200, body: this.completed(job) };
    }
    return { status: 404, body: { error: 'Not found' } };
  }

  private completed(job: Job): Record<string, unknown> {
    const base = completedFixture();
    const utterances = this.utterances
      ? this.utterances.map((u, i) => ({
          speaker: u.speaker,
          text: u.text,
          start: i * 1000,
          end: i * 1000 + 900,
          confidence: 0.9,
          words: [],
        }))
      : (base.utterances as unknown[]);
    return {
      ...base,
      id: job.id,
      audio_url: job.audioUrl,
      speaker_labels: job.speakerLabels,
      utterances: job.speakerLabels ? utterances : null,
      text: this.utterances ? this.utterances.map((u) => u.text).join(' ') : base.text,
      sentiment_analysis: job.sentimentAnalysis,
      // Not asked for: the field is null, as the API leaves it.
      sentiment_analysis_results: job.sentimentAnalysis
        ? this.sentiments.map((s, i) => ({
            ...s,
            start: i * 1000,
            end: i * 1000 + 900,
            confidence: 0.8,
            speaker: job.speakerLabels ? s.speaker : null,
          }))
        : null,
    };
  }
}
