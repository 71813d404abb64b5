import { SheetRules } from '@shared/contract/sources';
import type { CampaignSettings, WaitReason } from '@shared/domain';
import { judgeRow, type SheetVerdict } from '../sources/sheet-rules';
import type { DialTarget } from '../store/repositories/dialer';
import { retryDelayAfter } from './enqueue';

/**
 * Right before a contact fed by a Google Sheet is dialled, its row's Status and Last Attempt Time (as last read, or
 * as the console wrote them) have the last word: a final status finishes the contact, a retry not yet due or
 * someone's live call makes it wait. Null: nothing in the sheet holds it back.
 */
export function sheetRowHold(
  settings: Pick<CampaignSettings, 'retryDelaysMs'>,
  attempts: number,
  target: Pick<DialTarget, 'source_status' | 'source_attempt_at' | 'sheet_rules_json'>,
  now: number,
): { finish: true; status: string } | { waitUntil: number; reason: WaitReason } | null {
  if (target.sheet_rules_json === null || target.source_status === null) return null;
  const verdict = sheetVerdict(target, settings, attempts, now);
  if (verdict.kind === 'final') return { finish: true, status: verdict.status };
  if (verdict.kind === 'active') return { waitUntil: verdict.until, reason: 'number_busy' };
  if (verdict.kind === 'retry' && verdict.at > now) return { waitUntil: verdict.at, reason: 'retry_delay' };
  return null;
}

export function sheetVerdict(
  target: Pick<DialTarget, 'source_status' | 'source_attempt_at' | 'sheet_rules_json'>,
  settings: Pick<CampaignSettings, 'retryDelaysMs'>,
  attempts: number,
  now: number,
): SheetVerdict {
  const rules = SheetRules.parse(JSON.parse(target.sheet_rules_json ?? '{}'));
  return judgeRow(
    { status: target.source_status, attemptAt: target.source_attempt_at },
    rules,
    retryDelayAfter(settings, attempts),
    now,
  );
}
