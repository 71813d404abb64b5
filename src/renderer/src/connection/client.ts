import {
  METHOD_NAMES,
  type AnyEvent,
  type ApiErrorBody,
  type ApiInput,
  type ApiOutput,
  type ConsoleBridge,
  type EventName,
  type MethodName,
} from '@shared/contract';
import { createWebSocketBridge, type ConnectionState } from './ws-transport';

// The renderer's one way to the core. Only zustand stores import this; components talk to stores.

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser, where the WebSocket bridge stands in. */
    consoleApi?: ConsoleBridge;
  }
}

export class ApiCallError extends Error {
  constructor(
    readonly method: MethodName,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiCallError';
  }
}

type EventPayload<K extends EventName> = Extract<AnyEvent, { type: K }>['payload'];

const connectionListeners = new Set<(state: ConnectionState) => void>();
let connectionState: ConnectionState = 'connecting';
const setConnection = (state: ConnectionState) => {
  connectionState = state;
  for (const l of connectionListeners) l(state);
};

function createBridge(): ConsoleBridge {
  if (window.consoleApi) {
    setConnection('open');
    return window.consoleApi;
  }
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws?token=${encodeURIComponent(token)}`;
  return createWebSocketBridge(url, setConnection);
}

const bridge = createBridge();
const available = new Set<string>(METHOD_NAMES);

export const api = {
  async call<K extends MethodName>(method: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
    const result = await bridge.invoke(method, input);
    if (!result.ok) throw new ApiCallError(method, result.error);
    return result.value as ApiOutput<K>;
  },
  /** Whether this build's contract has the method (views light up as capabilities land). */
  has(method: string): boolean {
    return available.has(method);
  },
  /** Every batch of events, as it arrives (stores pick what they need). */
  onEvents(listener: (events: AnyEvent[]) => void): () => void {
    return bridge.onEvents((events) => listener(events as AnyEvent[]));
  },
  onConnection(listener: (state: ConnectionState) => void): () => void {
    connectionListeners.add(listener);
    listener(connectionState);
    return () => connectionListeners.delete(listener);
  },
};

/** Picks the payloads of one event type out of a batch, in order. */
export function payloadsOf<K extends EventName>(events: AnyEvent[], type: K): EventPayload<K>[] {
  const out: EventPayload<K>[] = [];
  for (const e of events) if (e.type === type) out.push(e.payload as EventPayload<K>);
  return out;
}

/** A message fit for a banner: what failed and why (the core's messages already say what to do next). */
export function describeError(err: unknown): string {
  if (err instanceof ApiCallError) return err.body.message;
  return err instanceof Error ? err.message : String(err);
}

export type { ConnectionState };
