import { OUTCOMES, type Outcome } from '@shared/domain';
import type { EventBus } from '../bus';
import type { DncService } from '../dnc/service';
import type { Clock, Logger } from '../platform';
import type { Db } from '../store/db';
import { ActivityRepository } from '../store/repositories/activity';
import { CallsRepository } from '../store/repositories/calls';
import { DialerRepository } from '../store/repositories/dialer';

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

/** Who decided a call's outcome: the provider's analysis of the call, or the human agent's wrap-up of a transfer. */
export type OutcomeSource = { by: 'provider' } | { by: 'disposition'; transferId: number };

/**
 * The one place a call's outcome is set, so the same things always happen together: the call's outcome, the contact's
 * outcome in its campaign, a line in the activity log, do_not_call putting the number on the do-not-call list, and
 * the call.updated event.
 */
export class CallOutcomes {
  private readonly calls: CallsRepository;
  private readonly queue: DialerRepository;
  private readonly activity: ActivityRepository;
  private readonly tx: (fn: () => boolean) => boolean;

  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock; logger: Logger; dnc: DncService }) {
    this.calls = new CallsRepository(deps.db);
    this.queue = new DialerRepository(deps.db);
    this.activity = new ActivityRepository(deps.db);
    // Immediate when it is the outermost transaction; a savepoint inside a caller's (an event being applied).
    const tx = deps.db.transaction((fn: () => boolean) => fn());
    this.tx = (fn) => tx.immediate(fn);
  }

  /**
   * Sets the outcome. Inside a caller's transaction the writes commit with it, and the caller publishes the call
   * once it has committed (it changed more than the outcome); otherwise call.updated goes out here. Returns false
   * when there is no such call.
   */
  setOutcome(callId: number, outcome: Outcome, source: OutcomeSource): boolean {
    const outermost = !this.deps.db.inTransaction;
    const done = this.tx(() => {
      const row = this.calls.byId(callId);
      if (!row) return false;
      this.calls.patch(callId, { outcome });
      if (row.campaign_id !== null && row.contact_id !== null)
        this.queue.setOutcome(row.campaign_id, row.contact_id, outcome);
      const at = this.deps.clock.now();
      const why =
        source.by === 'provider' ? "the provider's analysis" : `the agent's wrap-up of transfer ${source.transferId}`;
      const message = `Call ${callId} to ${row.phone}: outcome ${outcome} (${why})`;
      this.activity.add({ at, level: 'info', scope: 'calls', campaignId: row.campaign_id, callId, message });
      this.deps.logger.log('info', 'calls', message, { campaignId: row.campaign_id, callId });
      if (outcome === 'do_not_call')
        this.deps.dnc.add([row.phone], {
          source: 'outcome',
          reason:
            source.by === 'provider'
              ? `Outcome do_not_call on call ${callId}`
              : `Disposition do_not_call after transfer of call ${callId}`,
          campaignId: row.campaign_id,
          callId,
        });
      return true;
    });
    if (done && outermost) {
      const call = this.calls.getCall(callId);
      if (call) this.deps.bus.publish('call.updated', call);
    }
    return done;
  }
}
