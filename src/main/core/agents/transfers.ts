import type { HandoffCard, Transfer, TransferStatus } from '@shared/contract/agents';
import { Outcome, type Call, type HumanAgentState, type ProviderName } from '@shared/domain';
import { ApiError } from '../errors';
import type { EventBus } from '../bus';
import type { CallOutcomes } from '../calls/outcome';
import type { Platform, TimerHandle } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import type { Db } from '../store/db';
import { AgentRoutingRepository } from '../store/repositories/agent-routing';
import { CallsRepository } from '../store/repositories/calls';
import { TransfersRepository } from '../store/repositories/transfers';
import type { AgentRoster } from './roster';

/**
 * Hand-offs to human agents. A transfer is requested here (providers that transfer by API) or noticed on the call
 * (providers whose own agent or flow transfers: status 'transferring', result 'transferred'); either way it is
 * recorded and the console notifies once per hand-off. The loop (docs/architecture.md, Hand-offs): the agent is
 * busy from the request; once their leg has connected a disposition may be saved; when the call is over they are in
 * wrap-up until they dispose or the campaign's wrap-up time passes, then ready. A hand-off that ends or fails never
 * leaves its agent busy.
 */
export class TransferService {
  readonly repo: TransfersRepository;
  private readonly calls: CallsRepository;
  private readonly routing: AgentRoutingRepository;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      platform: Platform;
      providers: ProviderRegistry;
      roster: AgentRoster;
      outcomes: CallOutcomes;
    },
  ) {
    this.repo = new TransfersRepository(deps.db);
    this.calls = new CallsRepository(deps.db);
    this.routing = new AgentRoutingRepository(deps.db);
    this.unsubscribe = deps.bus.subscribe((event) => {
      if (event.type !== 'call.updated' && event.type !== 'call.transfer') return;
      const callId = event.type === 'call.updated' ? event.payload.id : event.payload.callId;
      try {
        if (event.type === 'call.updated') this.observe(event.payload);
        else if (event.payload.destination) this.attribute(callId, event.payload.destination);
      } catch (err) {
        deps.platform.logger.log('error', 'transfers', `Recording the transfer of call ${callId} failed`, {
          error: String(err),
        });
      }
    });
  }

  dispose(): void {
    this.unsubscribe();
    for (const timer of this.wrapUpTimers.values()) this.deps.platform.clock.clearTimeout(timer);
    this.wrapUpTimers.clear();
  }

  /** After a restart: wrap-ups whose time passed end, the others are timed again, and nobody stays busy for nothing. */
  start(): void {
    for (const t of this.repo.inWrapUp()) this.scheduleWrapUp(t);
    for (const agentId of this.repo.agentsLeftBusy()) {
      this.deps.platform.logger.log('info', 'transfers', `Agent ${agentId} was busy with a hand-off that is over`);
      this.deps.roster.setStatus(agentId, 'available');
    }
  }

  private readonly wrapUpTimers = new Map<number, TimerHandle>();
  private scheduleWrapUp(t: Transfer): void {
    if (t.wrapUpUntil === null || this.wrapUpTimers.has(t.id)) return;
    const timer = this.deps.platform.clock.setTimeout(
      () => {
        this.wrapUpTimers.delete(t.id);
        this.expireWrapUp(t.id);
      },
      Math.max(0, t.wrapUpUntil - this.now),
    );
    timer.unref?.();
    this.wrapUpTimers.set(t.id, timer);
  }

  private expireWrapUp(id: number): void {
    const t = this.repo.get(id);
    if (!t || t.status !== 'connected' || t.wrapUpUntil === null || t.wrapUpUntil > this.now) return;
    this.deps.platform.logger.log('info', 'transfers', `Wrap-up of transfer ${id} timed out; the agent is ready`);
    this.finish(id, 'ended');
  }

  private get now(): number {
    return this.deps.platform.clock.now();
  }

  /** Hands a live call to `humanAgentId`, or to the available agent who has waited longest. */
  async request(callId: number, humanAgentId?: number): Promise<Transfer> {
    const call = this.calls.getCall(callId);
    if (!call) throw new ApiError('not_found', `Call ${callId} does not exist.`);
    if (call.status !== 'in_progress') {
      throw new ApiError(
        'conflict',
        `Call ${callId} is ${call.status.replace('_', ' ')}: only a call in progress can be transferred.`,
      );
    }
    if (this.repo.openForCall(callId)) throw new ApiError('conflict', `Call ${callId} is already being transferred.`);
    const provider = this.deps.providers.get(call.provider as ProviderName);
    if (provider.capabilities.transfer !== 'api' || !provider.transferCall) {
      const how =
        provider.capabilities.transfer === 'flow' ? "the call flow's Connect step" : "the provider's own agent";
      throw new ApiError(
        'unavailable',
        `${provider.label} calls cannot be transferred from the console; ${how} hands them to the available agent.`,
      );
    }
    if (!call.providerCallId)
      throw new ApiError('conflict', `Call ${callId} is still being placed; try again in a moment.`);
    const agent =
      humanAgentId !== undefined ? this.deps.roster.get(humanAgentId) : this.routing.firstAvailable(call.language);
    if (!agent)
      throw new ApiError(
        'conflict',
        'No agent is available: set someone available in the roster, then transfer again.',
      );
    if ('status' in agent && agent.status !== 'available') {
      throw new ApiError('conflict', `${agent.name} is ${agent.status}; choose an available agent.`);
    }
    if (!agent.phone)
      throw new ApiError(
        'invalid_input',
        `${agent.name} has no phone number; add one in the roster to transfer calls to them.`,
      );
    const id = this.repo.insert({ callId, humanAgentId: agent.id, status: 'requested', at: this.now });
    this.agentBusy(agent.id);
    this.published(id);
    try {
      await provider.transferCall(call.providerCallId, agent.phone);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.finish(id, 'failed', `${provider.label} refused the transfer: ${message}`);
      throw new ApiError(
        'unavailable',
        `${provider.label} could not transfer call ${callId} to ${agent.name}: ${message}`,
      );
    }
    // The provider may already have reported 'transferring' while we awaited it.
    return this.repo.get(id)!;
  }

  handoff(id: number): HandoffCard {
    const transfer = this.mustGet(id);
    const call = this.calls.getCall(transfer.callId)!;
    const previousCalls = this.repo
      .previousCallIds(call.phone, call.id, 20)
      .map((cid) => this.calls.getCall(cid))
      .filter((c): c is Call => c !== undefined);
    return {
      transfer,
      call,
      variables: this.repo.variablesOf(call.id),
      transcript: this.calls.transcript(call.id),
      previousCalls,
    };
  }

  /**
   * The agent's wrap-up. An Outcome value also becomes the call's (and the contact's) outcome. Only once the agent's
   * leg has connected or ended: before that nobody has spoken to the customer.
   */
  disposeOf(id: number, disposition: string, notes: string): Transfer {
    const transfer = this.mustGet(id);
    if (transfer.status === 'failed')
      throw new ApiError('conflict', `Transfer ${id} failed; there is no conversation to record.`);
    if (!transfer.canDispose)
      throw new ApiError(
        'conflict',
        `The call is still ringing ${transfer.humanAgentName ?? 'the agent'}: save the disposition once they have spoken with the customer.`,
      );
    const outcome = Outcome.safeParse(disposition);
    this.deps.db
      .transaction(() => {
        this.repo.dispose(id, disposition, notes);
        if (outcome.success)
          this.deps.outcomes.setOutcome(transfer.callId, outcome.data, { by: 'disposition', transferId: id });
      })
      .immediate();
    if (outcome.success) {
      const call = this.calls.getCall(transfer.callId);
      if (call) this.deps.bus.publish('call.updated', call);
    }
    const call = this.calls.getCall(transfer.callId);
    // Disposed in wrap-up (or on a hand-off the console cannot follow further): ready now. Disposed while still on a
    // live call with the customer: ready when that call ends (observe).
    if (transfer.status === 'connected' && call?.status === 'ended') this.finish(id, 'ended');
    else this.published(id);
    return this.repo.get(id)!;
  }

  counts(q: { campaignId?: number; fromDay?: string }) {
    const fromMs = q.fromDay ? new Date(`${q.fromDay}T00:00:00`).getTime() : undefined;
    return this.repo.counts({ campaignId: q.campaignId, fromMs });
  }

  /** Follows the call: transferring → ringing; ended transferred → connected; ended otherwise → failed. */
  private observe(call: Call): void {
    // Most updates are neither; skip the lookup for them (the dialer publishes thousands).
    if (call.status !== 'transferring' && call.status !== 'ended') return;
    const open = this.repo.openForCall(call.id);
    if (call.status === 'transferring') {
      if (!open) {
        this.record(call, 'ringing');
      } else if (open.status === 'requested') {
        this.repo.setStatus(open.id, 'ringing', this.now);
        this.notifyOnce(open.id);
      }
      return;
    }
    if (call.result === 'transferred') {
      if (open) {
        if (open.status !== 'connected') {
          this.repo.setStatus(open.id, 'connected', call.endedAt ?? this.now);
          this.notifyOnce(open.id);
        }
        this.callOver(open.id);
      } else if (!this.repo.anyForCall(call.id)) {
        this.record(call, 'connected');
        const started = this.repo.openForCall(call.id);
        if (started) this.callOver(started.id);
      }
    } else if (open && open.status !== 'connected') {
      this.finish(open.id, 'failed', `The call ended (${call.result ?? 'no result'}) before the agent took it.`);
    } else if (open) {
      this.callOver(open.id);
    }
  }

  /** The call of a connected hand-off is over: disposed already → ready; else wrap-up (timed unless required). */
  private callOver(id: number): void {
    const t = this.mustGet(id);
    if (t.disposition !== null) {
      this.finish(id, 'ended');
      return;
    }
    if (t.humanAgentId !== null) this.deps.roster.announce(t.humanAgentId);
    this.scheduleWrapUp(t);
    this.published(id);
  }

  /**
   * The provider named where it transferred the call: when that is an agent on the roster, the transfer is theirs
   * (routing's guess in record() is corrected, and the guessed agent is freed).
   */
  private attribute(callId: number, destination: string): void {
    const agent = this.routing.byDestination(destination);
    const t = this.repo.list({ callId, limit: 1 })[0];
    if (!agent || !t || t.humanAgentId === agent.id) return;
    const previous = t.humanAgentId;
    this.repo.setAgent(t.id, agent.id);
    if (previous !== null && isOccupied(this.deps.roster.repo.get(previous)?.status))
      this.deps.roster.setStatus(previous, 'available');
    if (t.status !== 'ended' && t.status !== 'failed') this.agentBusy(agent.id);
    this.published(t.id);
  }

  /** A transfer the provider's own agent or flow made: routing chose the available agent who waited longest. */
  private record(call: Call, status: TransferStatus): void {
    const agent = this.routing.firstAvailable();
    const id = this.repo.insert({ callId: call.id, humanAgentId: agent?.id ?? null, status, at: this.now });
    if (agent) this.agentBusy(agent.id);
    this.notifyOnce(id);
  }

  private readonly notified = new Set<number>();
  private notifyOnce(id: number): void {
    const t = this.published(id);
    if (this.notified.has(id)) return;
    this.notified.add(id);
    const who = t.contactName ? `${t.contactName} (${t.phone})` : t.phone;
    this.deps.platform.notifier.notify('Call transferred', `${who} → ${t.humanAgentName ?? 'an agent'}`);
  }

  private finish(id: number, status: 'ended' | 'failed', error: string | null = null): void {
    this.repo.setStatus(id, status, this.now, error);
    const t = this.mustGet(id);
    if (t.humanAgentId !== null) {
      const agent = this.deps.roster.repo.get(t.humanAgentId);
      // Set away meanwhile: stays away.
      if (isOccupied(agent?.status)) this.deps.roster.setStatus(t.humanAgentId, 'available');
    }
    this.published(id);
  }

  private agentBusy(humanAgentId: number): void {
    const agent = this.deps.roster.repo.get(humanAgentId);
    if (agent && agent.status === 'available') this.deps.roster.setStatus(humanAgentId, 'busy');
  }

  private published(id: number): Transfer {
    const t = this.mustGet(id);
    this.deps.bus.publish('transfer.updated', t);
    return t;
  }

  private mustGet(id: number): Transfer {
    const t = this.repo.get(id);
    if (!t) throw new ApiError('not_found', `Transfer ${id} does not exist.`);
    return t;
  }
}

/** Busy, or in wrap-up (stored as busy): held by a hand-off. */
function isOccupied(status: HumanAgentState | undefined): boolean {
  return status === 'busy' || status === 'wrap_up';
}
