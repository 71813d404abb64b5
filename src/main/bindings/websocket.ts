import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AnyEvent, ApiHandlers } from '@shared/contract';
import type { EventBus } from '../core/bus';
import type { Clock, Logger } from '../core/platform';
import { dispatch } from './dispatch';
import { batchEvents } from './event-batcher';

// The web host's binding: the same contract as Electron IPC, over one WebSocket per page. Requests are
// {id, method, input} → {id, result: InvokeResult}; events travel batched as {events: [...]}. Nothing here knows
// any method by name: dispatch() validates against the contract both ways.

export const WS_PATH = '/ws';
/** Imports send whole files as base64; anything larger than this is refused by ws before parsing. */
const MAX_MESSAGE_BYTES = 96 * 1024 * 1024;

const Request = z.object({
  id: z.union([z.number().int(), z.string().max(64)]),
  method: z.string().min(1).max(200),
  input: z.unknown().optional(),
});

export interface WebSocketBindingOptions {
  server: Server;
  api: ApiHandlers;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  token: string;
  /** Origins a browser may connect from (the host's own http://127.0.0.1:PORT and http://localhost:PORT). */
  allowedOrigins: () => string[];
}

export interface WebSocketBinding {
  readonly clientCount: number;
  close(): Promise<void>;
}

/** Constant-time comparison, so the token cannot be guessed character by character from response timings. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why a request (page or socket) must be refused, or null. A foreign Origin is 403 even with the right token: a
 * page elsewhere that learnt the token must still not drive the console.
 */
export function refusal(
  req: IncomingMessage,
  token: string,
  allowedOrigins: string[],
  tokenFrom: (req: IncomingMessage) => string | null,
): { status: 401 | 403; message: string } | null {
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.includes(origin)) return { status: 403, message: 'Forbidden origin' };
  const host = req.headers.host;
  // Guards against DNS rebinding: a foreign name resolving to 127.0.0.1 arrives with its own Host header.
  if (!host || !allowedOrigins.some((o) => o === `http://${host}`)) return { status: 403, message: 'Forbidden host' };
  if (!tokenMatches(token, tokenFrom(req))) return { status: 401, message: 'Missing or wrong token' };
  return null;
}

export function tokenFromQuery(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
}

export function attachWebSocketBinding(options: WebSocketBindingOptions): WebSocketBinding {
  const { server, api, bus, clock, logger, token } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The raw socket is ours until ws takes it over: a reset in between must not become an uncaught 'error'.
    socket.on('error', (err) => logger.log('warn', 'web', 'WebSocket upgrade failed', { reason: err.message }));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refused =
      path !== WS_PATH
        ? { status: 404, message: 'Not found' }
        : refusal(req, token, options.allowedOrigins(), tokenFromQuery);
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  wss.on('error', (err) => logger.log('error', 'web', 'WebSocket server error', { error: err.message }));

  wss.on('connection', (ws: WebSocket) => {
    // A malformed frame (text that is not UTF-8, a message over the limit, a bad opcode) arrives as an 'error' on
    // this socket only: ws has already failed the connection with the close code that names the fault (1007, 1009,
    // 1002). Without a listener it would be an uncaught 'error' and take the whole host down with it.
    ws.on('error', (err: Error & { code?: string }) => {
      logger.log('warn', 'web', 'WebSocket connection closed: the page sent a malformed frame', {
        reason: err.message,
        code: err.code,
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return reject(ws, 'Binary frames are not part of the protocol');
      let parsed: z.infer<typeof Request>;
      try {
        const candidate = Request.safeParse(JSON.parse(data.toString()));
        if (!candidate.success) return reject(ws, 'A request is {id, method, input}');
        parsed = candidate.data;
      } catch {
        return reject(ws, 'A request must be JSON');
      }
      void dispatch(api, parsed.method, parsed.input, logger).then((result) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id: parsed.id, result }));
      });
    });
  });

  // One batcher for all pages: the events are the same for every viewer.
  const stopBatching = batchEvents(bus, clock, (events: AnyEvent[]) => {
    if (!wss.clients.size) return;
    const message = JSON.stringify({ events });
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(message);
  });

  return {
    get clientCount() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      stopBatching();
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function reject(ws: WebSocket, message: string): void {
  if (ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify({ error: { code: 'invalid_input', message } }));
  }
}
