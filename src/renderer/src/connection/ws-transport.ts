import type { ApiErrorBody, ConsoleBridge, EventEnvelope, InvokeResult } from '@shared/contract';

// The browser stand-in for Electron's preload bridge: the same ConsoleBridge over the web host's WebSocket.
// Requests made while disconnected wait for the next connection; the socket reconnects with backoff.

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Pending {
  resolve: (result: InvokeResult) => void;
  message: string;
  sent: boolean;
}

const unavailable = (message: string): InvokeResult => ({ ok: false, error: { code: 'unavailable', message } });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function createWebSocketBridge(url: string, onState: (state: ConnectionState) => void): ConsoleBridge {
  const pending = new Map<number, Pending>();
  const listeners = new Set<(events: EventEnvelope[]) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;

  const connect = () => {
    onState('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      onState('open');
      for (const p of pending.values()) {
        if (!p.sent) {
          ws.send(p.message);
          p.sent = true;
        }
      }
    };
    ws.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (!isRecord(data)) return;
      if (Array.isArray(data.events)) {
        const events = data.events as EventEnvelope[];
        for (const listener of listeners) listener(events);
        return;
      }
      if (typeof data.id === 'number' && isRecord(data.result)) {
        const p = pending.get(data.id);
        if (!p) return;
        pending.delete(data.id);
        p.resolve(data.result as InvokeResult);
      }
    };
    ws.onclose = () => {
      socket = null;
      onState('closed');
      // A request already sent may or may not have run; say so rather than silently repeating it.
      for (const [id, p] of pending) {
        if (p.sent) {
          pending.delete(id);
          p.resolve(
            unavailable('The connection to the console dropped before it answered; check the result and retry.'),
          );
        }
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    invoke(method, input) {
      const id = nextId++;
      const message = JSON.stringify({ id, method, input });
      return new Promise<InvokeResult>((resolve) => {
        const entry: Pending = { resolve, message, sent: false };
        pending.set(id, entry);
        if (socket?.readyState === WebSocket.OPEN) {
          socket.send(message);
          entry.sent = true;
        }
      });
    },
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type { ApiErrorBody };
