import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../../../shared/domain';
import type { EventBus } from '../bus';
import type { CallLifecycle } from '../calls/lifecycle';
import type { Platform, TimerHandle } from '../platform';
import type { ProviderRegistry } from '../providers/registry';
import { WebhookRejected, type NormalizedEvent, type VoiceProvider, type WebhookRequest } from '../providers/types';
import type { SecretStore, SettingsService } from '../settings/settings';
import type { Db } from '../store/db';
import { InboxRepository, type InboxDelivery, type InboxRow, type InboxState } from '../store/repositories/inbox';

export interface WebhookServerDeps {
  db: Db;
  bus: EventBus;
  platform: Platform;
  settings: SettingsService;
  secrets: SecretStore;
  calls: CallLifecycle;
  /** Lazy, because the registry needs the server's URLs and the server needs the providers' parsers. */
  providers: () => ProviderRegistry;
}

/** Largest webhook body accepted; providers send a few KiB (a long transcript stays well under this). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** How often deliveries for calls we did not know yet are tried again (calls may get their provider id late). */
export const UNKNOWN_RETRY_EVERY_MS = 15_000;
/** After this long, an event for an unknown call is left to reconciliation instead of being retried. */
export const UNKNOWN_RETRY_WINDOW_MS = 60 * 60_000;
/**
 * Time spent applying per event-loop turn. Short while deliveries keep arriving, so answers never wait long behind
 * a backlog; longer when none arrived since the last slice (or the backlog is large), so catching up costs fewer
 * commits.
 */
const APPLY_SLICE_BUSY_MS = 2;
const APPLY_SLICE_IDLE_MS = 8;
const LARGE_BACKLOG = 5_000;
const PAGE = 500;

export interface WebhookHealth {
  ok: boolean;
  inbox: Partial<Record<InboxState, number>>;
  /** Deliveries acknowledged but not applied yet. */
  applying: number;
  lastWebhookAt: number | null;
}

interface ApplyJob {
  inboxId: number;
  events: NormalizedEvent[];
  raw: string;
}

/** A delivery verified and parsed, waiting for the next group commit before it is answered. */
interface Unsaved {
  provider: VoiceProvider;
  request: WebhookRequest;
  res: ServerResponse;
  events: NormalizedEvent[];
  fault: string | null;
  delivery: InboxDelivery;
}

/**
 * A /hooks/<name>/<secret> route served by another capability rather than a voice provider (e.g. the recordings
 * intake at /hooks/zapier). The server checks the path secret and the size limit and reads the body; the hook
 * answers (and persists what it must before answering).
 */
export interface ExtraHook {
  handle(request: WebhookRequest): { status: number; body: string; contentType?: string };
}

const HOOK_PATH = /^\/hooks\/([a-z_]{1,40})\/([A-Za-z0-9_-]{1,200})$/;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The only listener that faces the internet (through the tunnel): /hooks/<name>/<secret>, GET /health and GET /stats.
 *
 * Per delivery: path secret → provider signature → parse (malformed bodies get 400 and are never stored) → the raw
 * delivery goes into webhook_inbox as 'pending' (deliveries read in the same event-loop turn share one commit) →
 * the provider gets its answer → the events are applied to calls on later turns, in arrival order, a few
 * milliseconds of work per turn so answers never wait behind a backlog. A crash after the answer loses nothing: start() re-applies
 * rows still pending. Rows are re-parsed from the stored bytes then, without re-checking signatures (their
 * timestamps would have expired; they were checked on arrival).
 */
export class WebhookServer {
  private server: Server | null = null;
  private listenHost = '127.0.0.1';
  private port: number | null = null;
  private publicBase: string | null = null;
  private cachedSecretDigest: Buffer | null = null;
  private cachedSecret: string | null = null;
  private readonly inbox: InboxRepository;
  private readonly queue: ApplyJob[] = [];
  private queueHead = 0;
  private drainScheduled = false;
  private lastAt: number | null | undefined;
  private unknownTimer: TimerHandle | null = null;
  private readonly applyTx: (job: ApplyJob, at: number) => InboxState;
  private readonly insertMany: (batch: Unsaved[]) => number[];
  private readonly applySlice: (until: number) => void;
  private readonly unsaved: Unsaved[] = [];
  private saveScheduled = false;
  private arrivedSinceSlice = false;
  private readonly extraHooks = new Map<string, ExtraHook>();
  private readonly statsSections = new Map<string, () => unknown>();

  constructor(readonly deps: WebhookServerDeps) {
    this.inbox = new InboxRepository(deps.db);
    this.applyTx = deps.db.transaction((job: ApplyJob, at: number): InboxState => {
      let state: InboxState = 'processed';
      for (const event of job.events) {
        if (deps.calls.applyEvent(event, job.inboxId, job.raw) === 'unknown_call') state = 'unknown_call';
      }
      this.inbox.mark(job.inboxId, state, null, at);
      return state;
    });
    this.insertMany = deps.db.transaction((batch: Unsaved[]): number[] =>
      batch.map((item) => this.inbox.insert(item.delivery, item.fault ? 'error' : 'pending', item.fault)),
    );
    // One outer transaction per slice (each delivery still atomic inside it): one commit per slice, not per event.
    this.applySlice = deps.db.transaction((until: number): void => {
      while (this.queueHead < this.queue.length && performance.now() < until) {
        const job = this.queue[this.queueHead];
        this.queueHead++;
        this.apply(job);
      }
    });
  }

  async start(): Promise<void> {
    if (this.server) return;
    const port = this.deps.settings.get('webhookPort');
    const host = this.deps.settings.get('webhookHost');
    const server = createServer(
      { keepAliveTimeout: 10_000, headersTimeout: 10_000, requestTimeout: 30_000, maxHeaderSize: 16 * 1024 },
      (req, res) => this.handle(req, res),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.deps.platform.logger.log('error', 'webhooks', `server error: ${err.message}`));
    this.server = server;
    this.listenHost = host;
    this.port = (server.address() as AddressInfo).port;
    // Synchronous, before any request is read: what was acknowledged before a crash is applied before anything new.
    this.recoverPending();
    this.retryUnknown();
    this.armUnknownRetry();
    this.deps.platform.logger.log('info', 'webhooks', `listening on ${this.localUrl}`);
  }

  async stop(): Promise<void> {
    if (this.unknownTimer) this.deps.platform.clock.clearTimeout(this.unknownTimer);
    this.unknownTimer = null;
    // Deliveries already read are stored and answered before the connections close.
    this.save();
    const server = this.server;
    this.server = null;
    this.port = null;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    // Acknowledged deliveries are applied before the store closes (they would be recovered anyway; this is faster).
    this.drain(Number.POSITIVE_INFINITY);
  }

  /** http://127.0.0.1:PORT once started. */
  get localUrl(): string | null {
    if (this.port === null) return null;
    const wildcard = this.listenHost === '0.0.0.0' || this.listenHost === '::' || this.listenHost === '';
    const host = wildcard ? '127.0.0.1' : this.listenHost.includes(':') ? `[${this.listenHost}]` : this.listenHost;
    return `http://${host}:${this.port}`;
  }

  /** Public base URL (tunnel or user-supplied) when there is one; null otherwise. */
  get publicUrl(): string | null {
    return this.publicBase;
  }

  /** Set by the tunnel when it (re)connects, or to the user's own URL; null when there is none. */
  setPublicUrl(url: string | null): void {
    if (url === null) {
      this.publicBase = null;
      return;
    }
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new Error(`The public webhook URL must start with https:// (got ${parsed.protocol})`);
    }
    this.publicBase = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  }

  /** Full callback URL for a provider, using the current public URL. */
  hookUrl(provider: ProviderName | 'zapier' | 'assemblyai'): string {
    const base = this.publicBase ?? this.localUrl;
    if (!base) throw new Error('The webhook server is not running, so there is no callback URL yet');
    return `${base}/hooks/${provider}/${this.secret()}`;
  }

  /** Serves /hooks/<name>/<secret> with `hook` (the name must not be a provider's). */
  registerHook(name: string, hook: ExtraHook): void {
    if (!/^[a-z_]{1,40}$/.test(name) || this.deps.providers().find(name))
      throw new Error(`cannot register hook "${name}"`);
    this.extraHooks.set(name, hook);
  }

  /** Adds a section to GET /stats (e.g. the recordings pipeline's counts). */
  registerStats(name: string, section: () => unknown): void {
    this.statsSections.set(name, section);
  }

  /** Deliveries read but not yet stored, or stored but not yet applied (cheap: no query). */
  get backlog(): number {
    return this.unsaved.length + this.queueLength();
  }

  health(): WebhookHealth {
    const applying = this.queueLength();
    if (this.lastAt === undefined) this.lastAt = this.inbox.lastReceivedAt();
    return { ok: this.server !== null, inbox: this.inbox.countsByState(), applying, lastWebhookAt: this.lastAt };
  }

  /**
   * Re-applies deliveries that named a call we did not know (its provider id may have arrived since). Runs on
   * start, periodically, and whenever a caller knows it is worth trying (e.g. after storing a provider call id).
   * Returns how many deliveries now found their call.
   */
  retryUnknown(): number {
    const since = this.deps.platform.clock.now() - UNKNOWN_RETRY_WINDOW_MS;
    let resolved = 0;
    let afterId = 0;
    for (;;) {
      const rows = this.inbox.unknownSince(since, afterId, PAGE);
      for (const row of rows) {
        afterId = row.id;
        const job = this.jobFromRow(row);
        if (job && this.apply(job) !== 'unknown_call') resolved++;
      }
      if (rows.length < PAGE) return resolved;
    }
  }

  private secret(): string {
    if (this.cachedSecret === null) this.cachedSecret = this.deps.secrets.webhookSecret();
    return this.cachedSecret;
  }

  private secretMatches(given: string): boolean {
    // Digests have equal length, so the comparison time says nothing about the secret or its length.
    this.cachedSecretDigest ??= createHash('sha256').update(this.secret()).digest();
    return timingSafeEqual(createHash('sha256').update(given).digest(), this.cachedSecretDigest);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/health' && req.method === 'GET') {
      this.send(res, 200, JSON.stringify(this.health()));
      return;
    }
    if (path === '/stats' && req.method === 'GET') {
      this.send(
        res,
        200,
        JSON.stringify(Object.fromEntries([...this.statsSections].map(([name, section]) => [name, section()]))),
      );
      return;
    }
    const match = HOOK_PATH.exec(path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) {
      this.send(res, 404, '{"error":"not found"}');
      return;
    }
    const hookName = match[1];
    const extra = this.extraHooks.get(hookName);
    const provider = extra ? undefined : this.deps.providers().find(hookName);
    if (!provider && !extra) {
      this.send(res, 404, '{"error":"not found"}');
      return;
    }
    if (!this.secretMatches(match[2])) {
      this.deps.platform.logger.log('warn', 'webhooks', `refused a ${hookName} webhook: wrong path secret`);
      this.send(res, 401, '{"error":"unauthorized"}');
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
      if (provider) this.deliver(provider, req, res, path, url, query, Buffer.concat(chunks, size));
      else if (extra) this.deliverExtra(hookName, extra, req, res, path, url, query, Buffer.concat(chunks, size));
    });
    req.on('error', () => {
      refused = true;
    });
  }

  private deliver(
    provider: VoiceProvider,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    url: string,
    query: string,
    body: Buffer,
  ): void {
    const logger = this.deps.platform.logger;
    const receivedAt = this.deps.platform.clock.now();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const request: WebhookRequest = {
      method: req.method ?? 'GET',
      path,
      query: new URLSearchParams(query),
      headers,
      rawBody: body,
      url: `${this.publicBase ?? this.localUrl ?? ''}${url}`,
      receivedAt,
    };
    let events: NormalizedEvent[] = [];
    let parserFault: string | null = null;
    try {
      provider.verifyWebhook(request);
      events = provider.parseWebhook(request);
    } catch (err) {
      if (err instanceof WebhookRejected) {
        logger.log('warn', 'webhooks', `refused a ${provider.name} webhook (${err.reason}): ${err.message}`);
        this.send(res, err.httpStatus, JSON.stringify({ error: err.reason, message: err.message }));
        return;
      }
      // A bug on our side, not a bad delivery: keep the bytes (state 'error') and acknowledge, so the provider
      // neither loses the event nor retries it forever.
      parserFault = `${provider.name} parser failed: ${errorMessage(err)}`;
      logger.log('error', 'webhooks', parserFault);
    }
    this.unsaved.push({
      provider,
      request,
      res,
      events,
      fault: parserFault,
      delivery: {
        provider: provider.name,
        receivedAt,
        method: request.method,
        path: `/hooks/${provider.name}`,
        query: query || null,
        headers,
        body,
      },
    });
    if (!this.saveScheduled) {
      this.saveScheduled = true;
      setImmediate(() => this.save());
    }
  }

  /**
   * Group commit: every delivery read in one turn of the event loop is written in one transaction, and only then
   * answered. One commit per turn instead of one per request is what keeps the answer fast under load.
   */
  private save(): void {
    this.saveScheduled = false;
    const batch = this.unsaved.splice(0);
    if (batch.length === 0) return;
    let ids: number[];
    try {
      ids = this.insertMany(batch);
    } catch (err) {
      // Not stored means not acknowledged: the providers will deliver them again.
      this.deps.platform.logger.log(
        'error',
        'webhooks',
        `could not store ${batch.length} webhook(s): ${errorMessage(err)}`,
      );
      for (const item of batch) this.send(item.res, 503, '{"error":"unavailable"}');
      return;
    }
    this.lastAt = batch[batch.length - 1].delivery.receivedAt;
    this.arrivedSinceSlice = true;
    batch.forEach((item, i) => {
      this.answer(item.provider, item.request, item.res);
      if (!item.fault)
        this.queue.push({ inboxId: ids[i], events: item.events, raw: item.delivery.body.toString('utf8') });
    });
    this.scheduleDrain();
  }

  private deliverExtra(
    name: string,
    hook: ExtraHook,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    url: string,
    query: string,
    body: Buffer,
  ): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    try {
      const out = hook.handle({
        method: req.method ?? 'GET',
        path,
        query: new URLSearchParams(query),
        headers,
        rawBody: body,
        url: `${this.publicBase ?? this.localUrl ?? ''}${url}`,
        receivedAt: this.deps.platform.clock.now(),
      });
      this.send(res, out.status, out.body, out.contentType);
    } catch (err) {
      // Not stored means not acknowledged: the sender will deliver it again.
      this.deps.platform.logger.log('error', 'webhooks', `${name} hook failed: ${errorMessage(err)}`);
      this.send(res, 503, '{"error":"unavailable"}');
    }
  }

  private answer(provider: VoiceProvider, request: WebhookRequest, res: ServerResponse): void {
    let custom: { status: number; contentType: string; body: string } | null = null;
    try {
      custom = provider.webhookResponse?.(request) ?? null;
    } catch (err) {
      this.deps.platform.logger.log(
        'error',
        'webhooks',
        `${provider.name} webhook response failed: ${errorMessage(err)}`,
      );
    }
    if (custom) this.send(res, custom.status, custom.body, custom.contentType);
    else this.send(res, 200, '');
  }

  private tooLarge(hookName: string, res: ServerResponse): void {
    this.deps.platform.logger.log('warn', 'webhooks', `refused a ${hookName} webhook over ${WEBHOOK_BODY_LIMIT} bytes`);
    // Closing the connection stops the rest of the body from being read at all.
    this.send(
      res,
      413,
      JSON.stringify({ error: 'too_large', message: `bodies over ${WEBHOOK_BODY_LIMIT} bytes are refused` }),
      'application/json',
      { connection: 'close' },
    );
  }

  private send(
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

  private queueLength(): number {
    return this.queue.length - this.queueHead;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      const busy = this.arrivedSinceSlice && this.queueLength() < LARGE_BACKLOG;
      this.arrivedSinceSlice = false;
      this.drain(busy ? APPLY_SLICE_BUSY_MS : APPLY_SLICE_IDLE_MS);
      if (this.queueLength() > 0) this.scheduleDrain();
    });
  }

  private drain(budgetMs: number): void {
    if (this.queueLength() === 0) return;
    this.applySlice(performance.now() + budgetMs);
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
  }

  /** Applies one delivery's events and records the outcome on its inbox row, atomically. */
  private apply(job: ApplyJob): InboxState {
    const at = this.deps.platform.clock.now();
    try {
      return this.applyTx(job, at);
    } catch (err) {
      const message = errorMessage(err);
      this.deps.platform.logger.log('error', 'webhooks', `applying webhook #${job.inboxId} failed: ${message}`);
      this.inbox.mark(job.inboxId, 'error', message, at);
      return 'error';
    }
  }

  private recoverPending(): void {
    let afterId = 0;
    let recovered = 0;
    for (;;) {
      const rows = this.inbox.withState('pending', afterId, PAGE);
      for (const row of rows) {
        afterId = row.id;
        const job = this.jobFromRow(row);
        if (job) this.apply(job);
        recovered++;
      }
      if (rows.length < PAGE) break;
    }
    if (recovered)
      this.deps.platform.logger.log('info', 'webhooks', `re-applied ${recovered} webhook(s) stored before a restart`);
  }

  /** Rebuilds the request from the stored bytes and parses it again; null (row marked 'error') if that fails. */
  private jobFromRow(row: InboxRow): ApplyJob | null {
    const at = this.deps.platform.clock.now();
    const provider = this.deps.providers().find(row.provider);
    if (!provider) {
      this.inbox.mark(row.id, 'error', `provider ${row.provider} is not available`, at);
      return null;
    }
    const path = `/hooks/${row.provider}/${this.secret()}`;
    const pathAndQuery = row.query ? `${path}?${row.query}` : path;
    try {
      const events = provider.parseWebhook({
        method: row.method,
        path,
        query: new URLSearchParams(row.query ?? ''),
        headers: row.headers,
        rawBody: row.body,
        url: `${this.publicBase ?? this.localUrl ?? ''}${pathAndQuery}`,
        receivedAt: row.receivedAt,
      });
      return { inboxId: row.id, events, raw: row.body.toString('utf8') };
    } catch (err) {
      this.inbox.mark(row.id, 'error', `could not parse again: ${errorMessage(err)}`, at);
      return null;
    }
  }

  private armUnknownRetry(): void {
    const clock = this.deps.platform.clock;
    this.unknownTimer = clock.setTimeout(() => {
      if (!this.server) return;
      this.retryUnknown();
      this.armUnknownRetry();
    }, UNKNOWN_RETRY_EVERY_MS);
    this.unknownTimer.unref?.();
  }
}
