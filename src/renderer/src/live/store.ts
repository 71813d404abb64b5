import { create } from 'zustand';
import { LIVE_CALL_STATUSES, type Call, type TranscriptTurn } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';
import { callState, stateLabel } from '../calls/status';

// Every call the floor is watching: live ones as tiles, recently ended ones in the strip. Events arrive batched;
// each batch produces one new state, so 200 live calls cost one render per batch, not one per event.

const RECENT_MAX = 40;
const LIVE = new Set<string>(LIVE_CALL_STATUSES);

export interface CallStep {
  label: string;
  at: number;
}

export type BoardMode = 'tiles' | 'table';
export type SortKey = 'contact' | 'campaign' | 'state' | 'inState';

/** What the supervisor chose to look at; the table and tiles both follow it. */
export interface BoardView {
  mode: BoardMode;
  /** Campaign ids in scope (empty: every campaign), also scoping the figures. */
  campaigns: number[];
  /** A call state, or '' for every state. */
  state: string;
  /** Only calls in their state for at least this many seconds. */
  minInStateS: number;
  sort: { key: SortKey; descending: boolean };
}

interface LiveState {
  calls: Map<number, Call>;
  /** Ended call ids, most recent first. */
  recent: number[];
  /** The latest transcript line per live call, where the provider streams them. */
  lines: Map<number, TranscriptTurn>;
  loaded: boolean;
  view: BoardView;
  setView(patch: Partial<BoardView>): void;
  load(): Promise<void>;
  hangup(id: number): Promise<void>;
}

export const isLive = (call: Call) => LIVE.has(call.status);

/**
 * A call's history from the times the store keeps for it (created, started, answered, ended), so switching views or
 * reloading keeps the real event times.
 */
export function stepsOf(call: Call): CallStep[] {
  const steps: CallStep[] = [{ label: 'Queued', at: call.createdAt }];
  if (call.startedAt !== null) steps.push({ label: 'Dialled', at: call.startedAt });
  if (call.answeredAt !== null) steps.push({ label: 'Answered', at: call.answeredAt });
  if (call.status === 'transferring')
    steps.push({ label: 'Transferring', at: call.answeredAt ?? call.startedAt ?? call.createdAt });
  if (call.endedAt !== null) steps.push({ label: stateLabel(callState(call)), at: call.endedAt });
  return steps.slice(-4);
}

/** When the call entered its current state, as far as the store knows. */
export function stateSince(call: Call): number {
  if (call.endedAt !== null) return call.endedAt;
  if (call.status === 'in_progress' || call.status === 'transferring')
    return call.answeredAt ?? call.startedAt ?? call.createdAt;
  return call.startedAt ?? call.createdAt;
}

export const useLive = create<LiveState>()((set) => ({
  calls: new Map(),
  recent: [],
  lines: new Map(),
  loaded: false,
  view: { mode: 'tiles', campaigns: [], state: '', minInStateS: 0, sort: { key: 'inState', descending: true } },
  setView: (patch) => set((s) => ({ view: { ...s.view, ...patch } })),
  async load() {
    const result = await useShell.getState().attempt('Loading calls', async () => {
      const [live, ended] = await Promise.all([
        api.call('calls.list', { live: true, limit: 1000 }),
        api.call('calls.list', { status: ['ended'], limit: RECENT_MAX }),
      ]);
      return { live, ended };
    });
    if (!result) return;
    const calls = new Map<number, Call>();
    for (const c of [...result.live, ...result.ended]) calls.set(c.id, c);
    const recent = result.ended
      .slice()
      .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
      .map((c) => c.id);
    set({ calls, recent, lines: new Map(), loaded: true });
  },
  async hangup(id) {
    const call = await useShell.getState().attempt(`Hanging up call ${id}`, () => api.call('calls.hangup', { id }));
    if (call) applyUpdates([call]);
  },
}));

function applyUpdates(updates: Call[]): void {
  if (!updates.length) return;
  useLive.setState((state) => {
    const calls = new Map(state.calls);
    let recent = state.recent;
    for (const call of updates) {
      const before = calls.get(call.id);
      calls.set(call.id, call);
      if (call.status === 'ended' && (!before || before.status !== 'ended')) {
        recent = [call.id, ...recent.filter((id) => id !== call.id)];
      }
    }
    let lines = state.lines;
    for (const call of updates) {
      if (call.status === 'ended' && lines.has(call.id)) {
        if (lines === state.lines) lines = new Map(lines);
        lines.delete(call.id);
      }
    }
    // Forget ended calls that fell off the strip, so a long session does not grow without bound.
    if (recent.length > RECENT_MAX) {
      for (const id of recent.slice(RECENT_MAX)) calls.delete(id);
      recent = recent.slice(0, RECENT_MAX);
    }
    return { calls, recent, lines };
  });
}

function applyTranscripts(updates: { callId: number; turns: TranscriptTurn[] }[]): void {
  if (!updates.length) return;
  useLive.setState((state) => {
    const lines = new Map(state.lines);
    for (const u of updates) {
      const last = u.turns[u.turns.length - 1];
      const call = state.calls.get(u.callId);
      if (last && call && isLive(call)) lines.set(u.callId, last);
    }
    return { lines };
  });
}

api.onEvents((events) => {
  applyUpdates(payloadsOf(events, 'call.updated'));
  applyTranscripts(payloadsOf(events, 'call.transcript'));
});
onReconnect(() => void useLive.getState().load());
