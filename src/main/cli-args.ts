/** A mistake the user can fix: printed without a stack trace. */
export class CliError extends Error {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "10m", "2h", "1d" or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) throw new CliError(`"${text}" is not a duration; use e.g. 90s, 10m, 2h.`);
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 'ms').toLowerCase()]);
}

/** "09:00-20:00" → { start, end }. */
export function parseWindow(text: string): { start: string; end: string } {
  const match = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*$/.exec(text);
  if (!match)
    throw new CliError(`--window must look like 09:00-20:00 (24-hour, recipient's local time), got "${text}".`);
  return { start: `${match[1]}:${match[2]}`, end: `${match[3]}:${match[4]}` };
}
