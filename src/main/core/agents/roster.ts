import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { HumanAgentStatus, HumanAgent } from '@shared/domain';
import { ApiError } from '../errors';
import type { EventBus } from '../bus';
import type { Clock } from '../platform';
import type { Db } from '../store/db';
import { AgentsRepository } from '../store/repositories/agents';

export interface AgentInput {
  name?: string;
  phone?: string | null;
  sip?: string | null;
  skills?: string[];
}

const SIP = /^sips?:[^@\s]+@[^\s@]+$/i;

/** E.164 from what was typed; the roster has no default country, so the number must carry its own. */
export function agentPhone(typed: string): string {
  const parsed = parsePhoneNumberFromString(typed);
  if (!parsed || !parsed.isValid()) {
    throw new ApiError(
      'invalid_input',
      `Phone "${typed}" is not a valid international number: write it with + and the country code, e.g. +14155550123.`,
    );
  }
  return parsed.number;
}

/** The human agents who take hand-offs: who they are, how to reach them, and whether they can take a call now. */
export class AgentRoster {
  readonly repo: AgentsRepository;
  constructor(private readonly deps: { db: Db; bus: EventBus; clock: Clock }) {
    this.repo = new AgentsRepository(deps.db);
  }

  list(): HumanAgent[] {
    return this.repo.list();
  }

  get(id: number): HumanAgent {
    const agent = this.repo.get(id);
    if (!agent) throw new ApiError('not_found', `Agent ${id} does not exist.`);
    return agent;
  }

  create(input: AgentInput): HumanAgent {
    const fields = this.validate({ name: '', phone: null, sip: null, skills: [] }, input);
    const id = this.repo.insert(fields, this.deps.clock.now());
    return this.changed(id);
  }

  update(id: number, input: AgentInput): HumanAgent {
    const current = this.get(id);
    this.repo.update(id, this.validate(current, input), this.deps.clock.now());
    return this.changed(id);
  }

  setStatus(id: number, status: HumanAgentStatus): HumanAgent {
    this.get(id);
    this.repo.setStatus(id, status, this.deps.clock.now());
    return this.changed(id);
  }

  /** Tells the screens an agent's state changed without a write of theirs (wrap-up begins when a call ends). */
  announce(id: number): void {
    const agent = this.repo.get(id);
    if (agent) this.deps.bus.publish('agent.updated', { id, agent });
  }

  delete(id: number): boolean {
    const deleted = this.repo.delete(id);
    if (deleted) this.deps.bus.publish('agent.updated', { id, agent: null });
    return deleted;
  }

  private changed(id: number): HumanAgent {
    const agent = this.get(id);
    this.deps.bus.publish('agent.updated', { id, agent });
    return agent;
  }

  private validate(
    base: Omit<HumanAgent, 'id' | 'status' | 'statusSince'>,
    input: AgentInput,
  ): Omit<HumanAgent, 'id' | 'status' | 'statusSince'> {
    const name = (input.name ?? base.name).trim();
    if (!name) throw new ApiError('invalid_input', 'Name is required.');
    const phoneText = input.phone === undefined ? base.phone : input.phone?.trim() || null;
    const sip = input.sip === undefined ? base.sip : input.sip?.trim() || null;
    const phone = phoneText ? agentPhone(phoneText) : null;
    if (sip && !SIP.test(sip))
      throw new ApiError('invalid_input', `SIP address "${sip}" must look like sip:agent@pbx.example.com.`);
    if (!phone && !sip)
      throw new ApiError('invalid_input', `Agent "${name}" needs a phone number or a SIP address to be reachable.`);
    const skills = [...new Set((input.skills ?? base.skills).map((s) => s.trim()).filter(Boolean))];
    return { name, phone, sip, skills };
  }
}
