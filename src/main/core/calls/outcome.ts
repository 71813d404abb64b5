import { OUTCOMES, type Outcome } from '../../../shared/domain';

const OUTCOME_SET: ReadonlySet<string> = new Set(OUTCOMES);

function normalise(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The contact's outcome from what the provider said: the outcome hint first, then each string value of the
 * extracted data, each looked up in the campaign's mapping (lower-cased keys) and then against the Outcome names
 * ("Do not call", "do-not-call" and "do_not_call" all match).
 */
export function resolveOutcome(
  hint: string | undefined,
  extracted: Record<string, unknown> | undefined,
  mapping: Record<string, Outcome>,
): Outcome | null {
  const candidates: string[] = [];
  if (hint) candidates.push(hint);
  if (extracted)
    for (const v of Object.values(extracted)) if (typeof v === 'string' && v.length <= 200) candidates.push(v);
  for (const raw of candidates) {
    const key = normalise(raw);
    const mapped = mapping[key];
    if (mapped) return mapped;
    const direct = key.replace(/[\s-]+/g, '_');
    if (OUTCOME_SET.has(direct)) return direct as Outcome;
  }
  return null;
}

/** The mapping with lower-cased keys, so a user's "Confirmed" matches a provider's "confirmed". */
export function lowerCaseKeys(mapping: Record<string, Outcome>): Record<string, Outcome> {
  const out: Record<string, Outcome> = {};
  for (const [k, v] of Object.entries(mapping)) out[normalise(k)] = v;
  return out;
}
