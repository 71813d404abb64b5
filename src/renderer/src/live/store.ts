import { create } from 'zustand';
import { LIVE_CALL_STATUSES, type Call, type TranscriptTurn } from '../../../shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';
import { callState, stateLabel } from '../calls/status';

// Every call the floor is watching: live ones as tiles, recently ended ones in the strip. Events arrive batched;
// each batch produces one new state, so 200 live calls cost one render per batch, not one per event.

const RECENT_MAX = 40;
const HISTORY_MAX = 4;
const LIVE = new Set<string>(LIVE_CALL_STATUSES);

export interface CallStep {
  label: string;
  at: number;
}

interface LiveState {
  calls: Map<number, Call>;
  /** The last few state changes per call, newest last. */
  steps: Map<number, CallStep[]>;
  /** Ended call ids, most recent first. */
  recent: number[];
  /** The latest transcript line per live call, where the provider streams them. */
  lines: Map<number, TranscriptTurn>;
  loaded: boolean;
  load(): Promise<void>;
  hangup(id: number): Promise<void>;
}

export const isLive = (call: Call) => LIVE.has(call.status);

function stepOf(call: Call): CallStep {
  const at = call.status === 'ended' ? (call.endedAt ?? Date.now()) : Date.now();
  return { label: stateLabel(callState(call)), at };
}

export const useLive = create<LiveState>()((set) => ({
  calls: new Map(),
  steps: new Map(),
  recent: [],
  lines: new Map(),
  loaded: false,
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
    const steps = new Map<number, CallStep[]>();
    for (const c of [...result.live, ...result.ended]) {
      calls.set(c.id, c);
      steps.set(c.id, [stepOf(c)]);
    }
    const recent = result.ended
      .slice()
      .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
      .map((c) => c.id);
    set({ calls, steps, recent, lines: new Map(), loaded: true });
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
    const steps = new Map(state.steps);
    let recent = state.recent;
    for (const call of updates) {
      const before = calls.get(call.id);
      calls.set(call.id, call);
      if (!before || callState(before) !== callState(call)) {
        const list = [...(steps.get(call.id) ?? []), stepOf(call)].slice(-HISTORY_MAX);
        steps.set(call.id, list);
      }
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
      for (const id of recent.slice(RECENT_MAX)) {
        calls.delete(id);
        steps.delete(id);
      }
      recent = recent.slice(0, RECENT_MAX);
    }
    return { calls, steps, recent, lines };
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
