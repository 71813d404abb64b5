import { create } from 'zustand';
import type { ApiInput } from '@shared/contract';
import type { HandoffCard, Transfer } from '@shared/contract/agents';
import type { HumanAgentStatus, HumanAgent, ProviderName } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';

// The roster, the hand-offs in flight, the hand-off card the agent has open, and which providers the console can
// transfer by API (the tiles' Transfer action appears only for those).

type TransferKind = 'api' | 'agent_variable' | 'flow' | 'none';

interface AgentsState {
  agents: HumanAgent[];
  transfers: Map<number, Transfer>;
  /** Transfers announced in the banner and not yet dismissed, newest first. */
  announced: number[];
  card: HandoffCard | null;
  /** The call whose transfer dialog is open. */
  dialogCallId: number | null;
  transferKinds: Partial<Record<ProviderName, TransferKind>>;
  loaded: boolean;
  load(): Promise<void>;
  create(input: ApiInput<'agents.create'>): Promise<boolean>;
  setStatus(id: number, status: HumanAgentStatus): Promise<void>;
  remove(id: number): Promise<void>;
  openDialog(callId: number | null): void;
  transfer(callId: number, humanAgentId: number): Promise<boolean>;
  openCard(transferId: number): Promise<void>;
  closeCard(): void;
  dispose(id: number, disposition: string, notes: string): Promise<boolean>;
  dismiss(id: number): void;
}

const OPEN = new Set(['requested', 'ringing', 'connected']);
export const isOpenTransfer = (t: Transfer) => OPEN.has(t.status);

export const useAgents = create<AgentsState>()((set) => ({
  agents: [],
  transfers: new Map(),
  announced: [],
  card: null,
  dialogCallId: null,
  transferKinds: {},
  loaded: false,
  async load() {
    const result = await useShell.getState().attempt('Loading agents', async () => {
      const [agents, transfers, providers] = await Promise.all([
        api.call('agents.list', {}),
        api.call('transfers.list', { limit: 100 }),
        api.call('providers.list', {}),
      ]);
      return { agents, transfers, providers };
    });
    if (!result) return;
    set({
      agents: result.agents,
      transfers: new Map(result.transfers.map((t) => [t.id, t])),
      transferKinds: Object.fromEntries(result.providers.map((p) => [p.name, p.capabilities.transfer])),
      loaded: true,
    });
  },
  async create(input) {
    const agent = await useShell.getState().attempt('Adding the agent', () => api.call('agents.create', input));
    if (agent) applyAgent(agent.id, agent);
    return agent !== undefined;
  },
  async setStatus(id, status) {
    const agent = await useShell
      .getState()
      .attempt('Changing the agent status', () => api.call('agents.setStatus', { id, status }));
    if (agent) applyAgent(id, agent);
  },
  async remove(id) {
    const done = await useShell.getState().attempt('Removing the agent', () => api.call('agents.delete', { id }));
    if (done) applyAgent(id, null);
  },
  openDialog: (dialogCallId) => set({ dialogCallId }),
  async transfer(callId, humanAgentId) {
    const t = await useShell
      .getState()
      .attempt(`Transferring call ${callId}`, () => api.call('transfers.request', { callId, humanAgentId }));
    if (!t) return false;
    applyTransfers([t]);
    set({ dialogCallId: null });
    return true;
  },
  async openCard(transferId) {
    const card = await useShell
      .getState()
      .attempt('Opening the hand-off card', () => api.call('transfers.handoff', { id: transferId }));
    if (card) set({ card });
  },
  closeCard: () => set({ card: null }),
  async dispose(id, disposition, notes) {
    const t = await useShell
      .getState()
      .attempt('Saving the disposition', () => api.call('transfers.dispose', { id, disposition, notes }));
    if (!t) return false;
    applyTransfers([t]);
    useShell.getState().notify('info', `Disposition saved for ${t.contactName || t.phone}.`);
    return true;
  },
  dismiss: (id) => set((s) => ({ announced: s.announced.filter((x) => x !== id) })),
}));

function applyAgent(id: number, agent: HumanAgent | null): void {
  useAgents.setState((s) => {
    const rest = s.agents.filter((a) => a.id !== id);
    const agents = agent ? [...rest, agent].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id) : rest;
    return { agents };
  });
}

function applyTransfers(updates: Transfer[]): void {
  if (!updates.length) return;
  useAgents.setState((s) => {
    const transfers = new Map(s.transfers);
    let announced = s.announced;
    let card = s.card;
    for (const t of updates) {
      const before = transfers.get(t.id);
      transfers.set(t.id, t);
      // Announce once, when the call reaches the agent's phone.
      const reached = t.status === 'ringing' || t.status === 'connected';
      const wasReached = before?.status === 'ringing' || before?.status === 'connected';
      if (reached && !wasReached && !announced.includes(t.id)) announced = [t.id, ...announced].slice(0, 5);
      if (!isOpenTransfer(t)) announced = announced.filter((x) => x !== t.id);
      if (card?.transfer.id === t.id) card = { ...card, transfer: t };
    }
    return { transfers, announced, card };
  });
}

/** The open card follows its call: new transcript lines and the call's state as they arrive. */
function refreshCard(callIds: Set<number>): void {
  const card = useAgents.getState().card;
  if (card && callIds.has(card.call.id)) void useAgents.getState().openCard(card.transfer.id);
}

api.onEvents((events) => {
  for (const e of payloadsOf(events, 'agent.updated')) applyAgent(e.id, e.agent);
  applyTransfers(payloadsOf(events, 'transfer.updated'));
  const touched = new Set<number>([
    ...payloadsOf(events, 'call.transcript').map((t) => t.callId),
    ...payloadsOf(events, 'call.updated').map((c) => c.id),
  ]);
  if (touched.size) refreshCard(touched);
});
onReconnect(() => void useAgents.getState().load());
