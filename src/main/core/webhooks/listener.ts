import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderName } from '@shared/domain';
import { errorText } from '../errors';
import type { Clock, Logger } from '../platform';
import { WebhookRejected, type NormalizedEvent, type VoiceProvider, type WebhookRequest } from '../providers/types';
import type { SettingsService } from '../settings/settings';
import type { InboxHealth, ProviderLookup, WebhookInbox } from './inbox';
import type { HookUrls } from './hook-urls';

/** Largest webhook body accepted; providers send a few KiB (a long transcript stays well under this). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookHealth extends InboxHealth {
  ok: boolean;
}

/** Timeouts of the listener's HTTP server (Node's own options); tests shorten them through CoreOptions.webhooks. */
export interface ListenerTuning {
  /** A request's headers must arrive within this long of its start. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this long. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for requests past their timeouts. */
  connectionsCheckingIntervalMs: number;
}

export const DEFAULT_LISTENER_TUNING: ListenerTuning = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 10_000,
  connectionsCheckingIntervalMs: 30_000,
};

/**
 * A /hooks/<name>/<secret> route served by another capability rather than a voice provider (e.g. the recordings
 * intake at /hooks/zapier). The listener checks the path secret and the size limit and reads the body; the hook
 * answers (and persists what it must before answering).
 */
export interface ExtraHook {
  handle(request: WebhookRequest): { status: number; body: string; contentType?: string };
}

export interface WebhookListenerDeps {
  settings: SettingsService;
  clock: Clock;
  logger: Logger;
  urls: HookUrls;
  inbox: WebhookInbox;
  providers: ProviderLookup;
  /** Routes served by other capabilities, by hook name (which must not be a provider's). */
  extraHooks: Record<string, ExtraHook>;
  /** The monitoring routes under /hooks/monitor/<secret>/ (the recordings pipeline's health, stats, records). */
  monitoring: MonitoringRoutes;
  tuning?: Partial<ListenerTuning>;
}

const MAX_HEADER_SIZE = 16 * 1024;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/**
 * Node's request timeout, for a server that cannot use it (it would also time out idle sockets): a request whose
 * body has not arrived within `timeoutMs` of its headers is answered 408 and its connection closed.
 */
function boundRequest(req: IncomingMessage, res: ServerResponse, timeoutMs: number): void {
  const timer = setTimeout(() => {
    if (req.complete) return;
    send(res, 408, '{"error":"request timeout"}', 'application/json', { connection: 'close' });
    req.socket.destroySoon();
  }, timeoutMs);
  timer.unref();
  res.on('close', () => clearTimeout(timer));
  req.on('end', () => clearTimeout(timer));
}

/**
 * GET /hooks/monitor/<secret>/health, …/stats and …/call/<call_id>: what a person or a script watches. Behind the
 * path secret like every hook, so the tunnel answers nothing else.
 */
export interface MonitoringRoutes {
  health(): Record<string, unknown>;
  stats(): Record<string, unknown>;
  /** One processed record, or null when there is none with that id. */
  call(callId: string): Record<string, unknown> | null;
}

/** The hook name of the monitoring routes: no provider or other hook may use it. */
export const MONITOR_HOOK = 'monitor';
const MONITOR_PATH = /^\/hooks\/monitor\/([A-Za-z0-9_-]{1,200})\/(health|stats|call\/([^/]{1,200}))$/;

const HOOK_PATH = /^\/hooks\/([a-z_]{1,40})\/([A-Za-z0-9_-]{1,200})$/;
const HOOK_NAME = /^[a-z_]{1,40}$/;

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json',
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    ...extra,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * The only listener that faces the internet (through the tunnel): /hooks/<name>/<secret> and the monitoring routes
 * under /hooks/monitor/<secret>/; every other path is 404.
 *
 * Per delivery: path secret → size limit → provider signature → parse (malformed bodies get 400 and are never
 * stored) → the inbox stores the raw delivery and calls back when the provider may be answered.
 */
export class WebhookListener {
  private server: Server | null = null;
  private ingress: Server | null = null;
  private readonly extraHooks = new Map<string, ExtraHook>();

  constructor(private readonly deps: WebhookListenerDeps) {
    for (const [name, hook] of Object.entries(deps.extraHooks)) {
      if (!HOOK_NAME.test(name) || name === MONITOR_HOOK || ProviderName.safeParse(name).success)
        throw new Error(`cannot serve hook "${name}": hook names are lower-case letters and _, and not a provider's`);
      this.extraHooks.set(name, hook);
    }
  }

  async start(): Promise<void> {
    if (this.server) return;
    const t = { ...DEFAULT_LISTENER_TUNING, ...this.deps.tuning };
    const server = createServer(
      {
        keepAliveTimeout: t.keepAliveTimeoutMs,
        headersTimeout: t.headersTimeoutMs,
        requestTimeout: t.requestTimeoutMs,
        connectionsCheckingInterval: t.connectionsCheckingIntervalMs,
        maxHeaderSize: MAX_HEADER_SIZE,
      },
      (req, res) => this.handle(req, res),
    );
    await this.listenOnStoredPort(server);
    server.on('error', (err) => this.deps.logger.log('error', 'webhooks', `server error: ${err.message}`));
    // The tunnel client's pool of pre-opened sockets sits idle until the tunnel server hands one a request. Node's
    // header timeout would write "408 Request Timeout" onto those idle sockets, and the tunnel server would return
    // those stale bytes as the answer to the next public requests (docs/architecture.md, The event path). So the
    // tunnel gets its own loopback door without idle timeouts; a request that has begun is still bounded.
    const ingress = createServer(
      { keepAliveTimeout: 0, headersTimeout: 0, requestTimeout: 0, maxHeaderSize: MAX_HEADER_SIZE },
      (req, res) => {
        boundRequest(req, res, t.requestTimeoutMs);
        this.handle(req, res);
      },
    );
    try {
      await listen(ingress, 0, '127.0.0.1');
    } catch (err) {
      await close(server);
      throw err;
    }
    ingress.on('error', (err) => this.deps.logger.log('error', 'webhooks', `tunnel ingress error: ${err.message}`));
    this.server = server;
    this.ingress = ingress;
    this.deps.urls.setLocalAddress({ host: this.deps.settings.get('webhookHost'), port: portOf(server) });
  }

  /**
   * The port is chosen once and kept (a public URL the user forwards names it): the first start binds a free port
   * and stores it; later starts bind that one. When it is taken the start fails and says so, rather than listening
   * elsewhere where a forwarded URL would never reach it (and where a second console on the same folder would dial
   * from the same store).
   */
  private async listenOnStoredPort(server: Server): Promise<void> {
    const { settings } = this.deps;
    const stored = settings.get('webhookPort');
    await listen(server, stored, settings.get('webhookHost'));
    if (stored === 0) settings.set('webhookPort', portOf(server));
  }

  async stop(): Promise<void> {
    const servers = [this.server, this.ingress];
    this.server = null;
    this.ingress = null;
    this.deps.urls.setLocalAddress(null);
    await Promise.all(servers.map((server) => (server ? close(server) : undefined)));
  }

  /** Where the in-process tunnel client connects: a loopback port that never times out idle sockets. */
  get tunnelIngress(): { host: string; port: number } | null {
    return this.ingress ? { host: '127.0.0.1', port: portOf(this.ingress) } : null;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  health(): WebhookHealth {
    return { ok: this.listening, ...this.deps.inbox.health() };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const monitor = MONITOR_PATH.exec(path);
    if (monitor) {
      this.monitor(req, res, monitor[1], monitor[2], monitor[3]);
      return;
    }
    const match = HOOK_PATH.exec(path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) {
      send(res, 404, '{"error":"not found"}');
      return;
    }
    const hookName = match[1];
    const extra = this.extraHooks.get(hookName);
    const provider = extra ? undefined : this.deps.providers.find(hookName);
    if (!provider && !extra) {
      send(res, 404, '{"error":"not found"}');
      return;
    }
    if (!this.deps.urls.secretMatches(match[2])) {
      this.deps.logger.log('warn', 'webhooks', `refused a ${hookName} webhook: wrong path secret`);
      send(res, 401, '{"error":"unauthorized"}');
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > WEBHOOK_BODY_LIMIT) {
      this.tooLarge(hookName, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT) {
        refused = true;
        chunks.length = 0;
        req.off('data', onData);
        this.tooLarge(hookName, res);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (refused) return;
      const query = q < 0 ? '' : url.slice(q + 1);
      const request: WebhookRequest = {
        method: req.method ?? 'GET',
        path,
        query: new URLSearchParams(query),
        headers: flatHeaders(req),
        rawBody: Buffer.concat(chunks, size),
        url: this.deps.urls.calledUrl(url),
        receivedAt: this.deps.clock.now(),
      };
      if (provider) this.deliver(provider, request, query, res);
      else if (extra) this.deliverExtra(hookName, extra, request, res);
    });
    req.on('error', () => {
      refused = true;
    });
  }

  private monitor(
    req: IncomingMessage,
    res: ServerResponse,
    secret: string,
    route: string,
    encodedCallId: string | undefined,
  ): void {
    if (req.method !== 'GET') {
      send(res, 404, '{"error":"not found"}');
      return;
    }
    if (!this.deps.urls.secretMatches(secret)) {
      this.deps.logger.log('warn', 'webhooks', 'refused a monitoring request: wrong path secret');
      send(res, 401, '{"error":"unauthorized"}');
      return;
    }
    const monitoring = this.deps.monitoring;
    if (route === 'health') {
      send(res, 200, JSON.stringify({ ...monitoring.health(), webhooks: this.health() }));
      return;
    }
    if (route === 'stats') {
      send(res, 200, JSON.stringify({ ...monitoring.stats(), webhooks: this.health() }));
      return;
    }
    let callId: string;
    try {
      callId = decodeURIComponent(encodedCallId ?? '');
    } catch {
      send(res, 400, JSON.stringify({ error: 'malformed', message: 'the call id is not a valid URL component' }));
      return;
    }
    const record = monitoring.call(callId);
    if (record) send(res, 200, JSON.stringify(record));
    else send(res, 404, JSON.stringify({ error: 'not_found', message: `No processed call with call_id ${callId}` }));
  }

  /** `query` is the query string as received: it is stored byte for byte, so a re-parse sees what arrived. */
  private deliver(provider: VoiceProvider, request: WebhookRequest, query: string, res: ServerResponse): void {
    const logger = this.deps.logger;
    let events: NormalizedEvent[] = [];
    let parserFault: string | null = null;
    try {
      provider.verifyWebhook(request);
      events = provider.parseWebhook(request);
    } catch (err) {
      if (err instanceof WebhookRejected) {
        logger.log('warn', 'webhooks', `refused a ${provider.name} webhook (${err.reason}): ${err.message}`);
        send(res, err.httpStatus, JSON.stringify({ error: err.reason, message: err.message }));
        return;
      }
      // A bug on our side, not a bad delivery: keep the bytes (state 'error') and acknowledge, so the provider
      // neither loses the event nor retries it forever.
      parserFault = `${provider.name} parser failed: ${errorText(err)}`;
      logger.log('error', 'webhooks', parserFault);
    }
    this.deps.inbox.receive({
      events,
      fault: parserFault,
      delivery: {
        provider: provider.name,
        receivedAt: request.receivedAt,
        method: request.method,
        path: `/hooks/${provider.name}`,
        query: query || null,
        headers: request.headers,
        body: request.rawBody,
      },
      stored: () => this.answer(provider, request, res),
      // Not stored means not acknowledged: the provider will deliver it again.
      notStored: () => send(res, 503, '{"error":"unavailable"}'),
    });
  }

  private deliverExtra(name: string, hook: ExtraHook, request: WebhookRequest, res: ServerResponse): void {
    try {
      const out = hook.handle(request);
      send(res, out.status, out.body, out.contentType);
    } catch (err) {
      // Not stored means not acknowledged: the sender will deliver it again.
      this.deps.logger.log('error', 'webhooks', `${name} hook failed: ${errorText(err)}`);
      send(res, 503, '{"error":"unavailable"}');
    }
  }

  private answer(provider: VoiceProvider, request: WebhookRequest, res: ServerResponse): void {
    let custom: { status: number; contentType: string; body: string } | null = null;
    try {
      custom = provider.webhookResponse?.(request) ?? null;
    } catch (err) {
      this.deps.logger.log('error', 'webhooks', `${provider.name} webhook response failed: ${errorText(err)}`);
    }
    if (custom) send(res, custom.status, custom.body, custom.contentType);
    else send(res, 200, '');
  }

  private tooLarge(hookName: string, res: ServerResponse): void {
    this.deps.logger.log('warn', 'webhooks', `refused a ${hookName} webhook over ${WEBHOOK_BODY_LIMIT} bytes`);
    // Closing the connection stops the rest of the body from being read at all.
    send(
      res,
      413,
      JSON.stringify({ error: 'too_large', message: `bodies over ${WEBHOOK_BODY_LIMIT} bytes are refused` }),
      'application/json',
      { connection: 'close' },
    );
  }
}
