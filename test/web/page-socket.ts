import { WebSocket } from 'ws';
import { waitUntil } from '../support/wait';

// The page's side of the web host's WebSocket, for tests that drive the host process as a browser would.

export interface PageResult {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** Opens the socket with the token and origin of the page URL, trying again while the host (re)starts. */
export function openPageSocket(url: URL, timeoutMs = 20_000): Promise<WebSocket> {
  const attempt = () =>
    new Promise<WebSocket | null>((resolve) => {
      const ws = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
      ws.once('open', () => resolve(ws));
      ws.once('error', () => resolve(null));
    });
  return waitUntil(attempt, { timeoutMs, intervalMs: 200, what: 'the web host to accept the WebSocket' });
}

let nextId = 1;
/** One contract call over the socket; resolves with its InvokeResult. */
export function pageCall(ws: WebSocket, method: string, input: unknown): Promise<PageResult> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: unknown) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: PageResult };
      if (message.id !== id || !message.result) return;
      ws.off('message', onMessage);
      resolve(message.result);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, input }));
  });
}
