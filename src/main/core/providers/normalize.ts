import busboy from 'busboy';
import type { TranscriptTurn } from '@shared/domain';
import { WebhookRejected } from './types';

// Pieces every provider parser needs: tolerant JSON/form reading, outcome hints, transcript lines, and the
// human-agent directory that transfer routing asks.

/** Who takes a transferred call: the first available human agent (busy and away agents are skipped). */
export interface HumanAgentDirectory {
  /** The agent a hand-off goes to, preferring one who speaks `language` (BCP 47). */
  availableHumanAgent(language?: string | null): { id: number; name: string; phone: string } | null;
}

export const E164_RE = /^\+[1-9]\d{6,14}$/;

export function readJson(raw: Buffer, provider: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WebhookRejected('malformed', `${provider} webhook body is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WebhookRejected('malformed', `${provider} webhook body is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export function readForm(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) out[k] = v;
  return out;
}

/**
 * A multipart/form-data body's text fields (files are skipped). busboy parses a whole buffer synchronously, which
 * keeps parsing re-runnable from the stored bytes; a body without a boundary, or with no complete field, is malformed.
 */
export function readMultipart(raw: Buffer, contentType: string, provider: string): Record<string, string> {
  const out: Record<string, string> = {};
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 0, fields: 500, fieldSize: 256 * 1024 },
    });
  } catch (err) {
    throw new WebhookRejected(
      'malformed',
      `${provider} webhook body is not valid multipart/form-data (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  parser.on('field', (name, value) => {
    out[name] = value;
  });
  // A truncated body is reported later, asynchronously; the fields read completely are already in `out`.
  parser.on('error', () => undefined);
  parser.end(raw);
  if (Object.keys(out).length === 0)
    throw new WebhookRejected('malformed', `${provider} webhook body has no complete multipart/form-data field`);
  return out;
}

/** A webhook body by its content type: JSON, multipart/form-data, or else application/x-www-form-urlencoded. */
export function readBody(raw: Buffer, contentType: string, provider: string): Record<string, unknown> {
  const type = contentType.toLowerCase();
  if (type.includes('json')) return readJson(raw, provider);
  if (type.includes('multipart/form-data')) return readMultipart(raw, contentType, provider);
  return readForm(raw);
}

/** Keys an agent's extraction or analysis commonly uses for its verdict, in order of preference. */
const OUTCOME_KEYS = ['outcome', 'status', 'call_outcome', 'disposition', 'result'];

/** The value a campaign's outcome mapping turns into an outcome (lower-cased), when the data carries one. */
export function pickOutcomeHint(...sources: unknown[]): string | undefined {
  for (const source of sources) {
    if (typeof source === 'string' && source.trim()) return source.trim().toLowerCase();
    if (source && typeof source === 'object' && !Array.isArray(source)) {
      const record = source as Record<string, unknown>;
      for (const key of OUTCOME_KEYS) {
        const v = record[key];
        if (typeof v === 'string' && v.trim()) return v.trim().toLowerCase();
      }
    }
  }
  return undefined;
}

/**
 * "assistant: …\nuser: …" (Bolna) or "Agent: …\nUser: …" (Retell) → speaker turns. A line without a known
 * speaker prefix continues the previous turn (multi-line answers).
 */
export function transcriptFromLines(text: string): Omit<TranscriptTurn, 'seq'>[] {
  const turns: Omit<TranscriptTurn, 'seq'>[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(assistant|agent|bot|user|customer|human)\s*:\s?(.*)$/i.exec(line);
    if (m) {
      const who = m[1].toLowerCase();
      const speaker = who === 'user' || who === 'customer' ? 'customer' : who === 'human' ? 'human_agent' : 'agent';
      turns.push({ speaker, text: m[2].trim(), atMs: null });
    } else if (line.trim() && turns.length > 0) {
      const last = turns[turns.length - 1];
      last.text = `${last.text} ${line.trim()}`.trim();
    } else if (line.trim()) {
      turns.push({ speaker: 'system', text: line.trim(), atMs: null });
    }
  }
  return turns;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function toRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Our attempt id as echoed back ("42" or 42); anything else is not ours. */
export function toCallId(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Appends query parameters to a URL that may already carry some. */
export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
