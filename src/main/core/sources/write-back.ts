import type { OutputField } from '@shared/contract/sources';
import type { Call } from '@shared/domain';

// What a call looks like in the sheet: the call-tracker sheet's status words and its output columns.

/** Google Sheets refuses cells longer than this. */
export const CELL_LIMIT = 50_000;

export type SheetValues = Partial<Record<OutputField, string | number>>;

/** Status words of the call-tracker sheet (initiating … no-answer), from the console's status and result. */
export function sheetStatus(call: Pick<Call, 'status' | 'result'>): string {
  switch (call.status) {
    case 'queued':
    case 'dialing':
      return 'initiating';
    case 'initiated':
      return 'initiated';
    case 'ringing':
      return 'ringing';
    case 'in_progress':
    case 'transferring':
      return 'answered';
    case 'ended':
      switch (call.result) {
        case 'completed':
        case 'transferred':
          return 'completed';
        case 'busy':
          return 'busy';
        case 'no_answer':
        case 'voicemail':
          return 'no-answer';
        default:
          return 'failed';
      }
  }
}

/** Cuts text to the cell limit, saying how much was left out and where the rest is. */
export function fitCell(text: string): string {
  if (text.length <= CELL_LIMIT) return text;
  const marker = (n: number) => `\n… [cut: ${n} more characters; the full text is in the console]`;
  // The marker's own length depends on the count; two passes settle it.
  let keep = CELL_LIMIT - marker(text.length).length;
  keep = CELL_LIMIT - marker(text.length - keep).length;
  return text.slice(0, keep) + marker(text.length - keep);
}

const RESULT_NOTES: Partial<Record<NonNullable<Call['result']>, string>> = {
  voicemail: 'voicemail',
  canceled: 'cancelled in the console',
  transferred: 'transferred to a human agent',
};

/** Notes column, as the call-tracker layout has it: the error if there was one, else the hangup reason. */
function notes(call: Call): string {
  return call.error ?? call.hangupReason ?? (call.result ? (RESULT_NOTES[call.result] ?? '') : '');
}

export function transcriptText(turns: { speaker: string; text: string }[]): string {
  return turns.map((t) => `${t.speaker}: ${t.text}`).join('\n');
}

/**
 * The cells one call update sets. Only what the call knows is written, so a later event never blanks a value an
 * earlier one filled in; a new attempt overwrites the status, execution id and time.
 */
export function callValues(call: Call, transcript: string | null): SheetValues {
  // The time stays an instant here; the outbox writes it in the sheet's format and time zone.
  const out: SheetValues = { status: sheetStatus(call), lastAttempt: call.startedAt ?? call.createdAt };
  if (call.providerCallId) out.executionId = call.providerCallId;
  if (call.durationS !== null) out.duration = Math.round(call.durationS * 10) / 10;
  const n = notes(call);
  if (n) out.notes = fitCell(n);
  if (transcript) out.transcript = fitCell(transcript);
  if (call.summary) out.summary = fitCell(call.summary);
  return out;
}
