import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import Tunnel from '@n8n/localtunnel/lib/Tunnel.js';
import type { TunnelStatus } from '@shared/contract/providers';
import type { EventBus } from '../bus';
import { errorText } from '../errors';
import { ApiError } from '../errors';
import type { Platform, TimerHandle } from '../platform';
import type { SettingsService } from '../settings/settings';
import type { WebhookServer } from '../webhooks/server';

// Makes the webhook server reachable from the internet: localtunnel (localtunnel.me or the user's own tunnel
// server), or a public URL the user runs themselves. Watches the tunnel and reopens it when it drops; every URL
// change goes to the webhook server (per-call callback URLs use it) and to the URL listeners (Bolna agents).

export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

export interface TunnelDeps {
  settings: SettingsService;
  webhooks: WebhookServer;
  bus: EventBus;
  platform: Platform;
  /** Called after the public URL changed (not on a reconnect that kept it). Failures are logged, not thrown. */
  onUrlChange?: (url: string | null) => Promise<void> | void;
  /** How long one handshake with the tunnel server may take. */
  openTimeoutMs?: number;
  /** First delay before reopening a dropped tunnel; doubles up to 30 s. */
  reconnectDelayMs?: number;
  /** DNS for the self-test (tests resolve their stand-in tunnel's host names to 127.0.0.1). */
  lookup?: LookupFunction;
}

type State = TunnelStatus['state'];

/** localtunnel's client with a bounded handshake: one GET with a timeout instead of retrying forever. */
class BoundedTunnel extends Tunnel {
  constructor(
    opts: ConstructorParameters<typeof Tunnel>[0],
    private readonly timeoutMs: number,
  ) {
    super(opts);
  }
  override _init(cb: (err: Error | null, info?: ReturnType<Tunnel['_getInfo']>) => void): void {
    const uri = `${this.opts.host.replace(/\/+$/, '')}/${this.opts.subdomain ?? '?new'}`;
    fetch(uri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) })
      .then(async (res) => {
        const body = (await res.json().catch(() => null)) as { message?: string; id?: string; port?: number } | null;
        if (res.status !== 200 || !body?.id || !body.port) {
          cb(new Error(body?.message ?? `the tunnel server answered HTTP ${res.status}`));
          return;
        }
        cb(null, this._getInfo(body));
      })
      .catch((err: unknown) => {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        cb(
          new Error(
            timedOut
              ? `no answer from ${this.opts.host} within ${Math.round(this.timeoutMs / 1000)} s`
              : `cannot reach ${this.opts.host}: ${causeOf(err)}`,
          ),
        );
      });
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorText(err);
}

export class TunnelService {
  private client: BoundedTunnel | null = null;
  private state: State = 'off';
  private url: string | null = null;
  private lastError: string | null = null;
  private connectedAt: number | null = null;
  private reconnects = 0;
  private retryTimer: TimerHandle | null = null;
  private retryDelay: number;
  /** Bumped by start/stop so a late handshake of an abandoned attempt cannot revive the tunnel. */
  private generation = 0;

  constructor(private readonly deps: TunnelDeps) {
    this.retryDelay = deps.reconnectDelayMs ?? 2000;
  }

  status(): TunnelStatus {
    const t = this.deps.settings.get('tunnel');
    return {
      mode: t.mode,
      host: t.mode === 'localtunnel' ? (t.host ?? DEFAULT_TUNNEL_HOST) : null,
      subdomain: t.subdomain ?? null,
      state: this.state,
      publicUrl: this.url,
      connected: this.state === 'connected',
      lastError: this.lastError,
      connectedAt: this.connectedAt,
      lastWebhookAt: this.deps.webhooks.health().lastWebhookAt,
      reconnects: this.reconnects,
    };
  }

  /** Saves the tunnel settings and applies them now (stops the old tunnel, opens the new one). */
  async configure(input: {
    mode: TunnelStatus['mode'];
    host?: string;
    subdomain?: string;
    publicUrl?: string;
  }): Promise<TunnelStatus> {
    if (input.mode === 'custom_url' && !input.publicUrl) {
      const issue = {
        path: 'publicUrl',
        message: 'required for your own public URL',
        fix: 'give the public https:// URL that forwards to this computer',
      };
      throw new ApiError('invalid_input', `${issue.path}: ${issue.fix}`, [issue]);
    }
    this.deps.settings.set('tunnel', {
      mode: input.mode,
      host: input.host,
      subdomain: input.subdomain,
      publicUrl: input.publicUrl,
    });
    await this.stop();
    return this.start();
  }

  /**
   * Opens the configured tunnel. Resolves once connected or failed (never rejects: the core starts it without
   * waiting); a localtunnel that fails keeps retrying with backoff until stopped.
   */
  async start(): Promise<TunnelStatus> {
    const t = this.deps.settings.get('tunnel');
    this.stopClient();
    const gen = ++this.generation;
    try {
      if (t.mode === 'none') {
        this.setState('off');
      } else if (t.mode === 'custom_url') {
        if (!t.publicUrl) {
          this.fail('No public URL is set: enter it in Settings → Webhooks.');
        } else {
          await this.changeUrl(t.publicUrl);
          this.connectedAt = this.deps.platform.clock.now();
          this.lastError = null;
          this.setState('connected');
        }
      } else {
        this.setState('connecting');
        await this.open(gen, t.host ?? DEFAULT_TUNNEL_HOST, t.subdomain);
      }
    } catch (err) {
      this.fail(`The tunnel could not start: ${errorText(err)}`);
    }
    return this.status();
  }

  async stop(): Promise<TunnelStatus> {
    this.generation++;
    this.stopClient();
    this.lastError = null;
    if (this.url !== null) await this.changeUrl(null);
    this.connectedAt = null;
    this.setState('off');
    return this.status();
  }

  /**
   * GET <public URL>/hooks/monitor/<secret>/health through the internet and back; the round trip says the tunnel
   * really works. `url` names the public URL tested, without the path secret.
   */
  async selfTest(
    timeoutMs = 10_000,
  ): Promise<{ ok: boolean; url: string | null; roundTripMs: number | null; message: string }> {
    const base = this.url;
    if (!base)
      return {
        ok: false,
        url: null,
        roundTripMs: null,
        message: 'There is no public URL: start the tunnel or set your own URL first.',
      };
    const url = base;
    const started = performance.now();
    try {
      const status = await this.get(`${this.deps.webhooks.hookUrl('monitor')}/health`, timeoutMs);
      const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
      if (status !== 200)
        return {
          ok: false,
          url,
          roundTripMs,
          message: `The public URL answered HTTP ${status} instead of our health check: is it forwarding to this computer?`,
        };
      return { ok: true, url, roundTripMs, message: `Reached this computer through ${base} in ${roundTripMs} ms.` };
    } catch (err) {
      return {
        ok: false,
        url,
        roundTripMs: null,
        message: `The public URL did not answer: ${errorText(err)}`,
      };
    }
  }

  private get(url: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = fn(
        u,
        { method: 'GET', lookup: this.deps.lookup, timeout: timeoutMs, headers: { 'bypass-tunnel-reminder': '1' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async open(gen: number, host: string, subdomain: string | undefined): Promise<void> {
    const ingress = this.deps.webhooks.tunnelIngress;
    if (!ingress) {
      this.fail('The webhook server is not running, so there is nothing to tunnel to.');
      return;
    }
    const client = new BoundedTunnel(
      // Asking for the id we had keeps the URL across reconnects when the server still has it free.
      { port: ingress.port, host, subdomain: subdomain ?? this.currentId(), local_host: ingress.host },
      this.deps.openTimeoutMs ?? 15_000,
    );
    const err = await new Promise<Error | undefined>((resolve) => client.open((e?: Error) => resolve(e)));
    if (gen !== this.generation) {
      client.close();
      return;
    }
    if (err) {
      client.close();
      this.fail(`The tunnel could not open: ${err.message}`);
      this.scheduleReopen(gen, host, subdomain);
      return;
    }
    this.client = client;
    client.on('error', (e: Error) => {
      if (gen !== this.generation || this.client !== client) return;
      this.deps.platform.logger.log('warn', 'tunnel', `tunnel dropped: ${e.message}`);
      this.stopClient();
      this.lastError = `The tunnel dropped: ${e.message}`;
      this.setState('reconnecting');
      this.scheduleReopen(gen, host, subdomain);
    });
    this.retryDelay = this.deps.reconnectDelayMs ?? 2000;
    this.lastError = null;
    this.connectedAt = this.deps.platform.clock.now();
    await this.changeUrl(client.url);
    this.setState('connected');
    this.deps.platform.logger.log('info', 'tunnel', `tunnel open at ${client.url}`);
  }

  private currentId(): string | undefined {
    if (!this.url) return undefined;
    const host = new URL(this.url).hostname;
    return host.split('.')[0] || undefined;
  }

  private scheduleReopen(gen: number, host: string, subdomain: string | undefined): void {
    if (this.retryTimer) this.deps.platform.clock.clearTimeout(this.retryTimer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
    this.retryTimer = this.deps.platform.clock.setTimeout(() => {
      this.retryTimer = null;
      if (gen !== this.generation) return;
      this.reconnects++;
      this.setState('reconnecting');
      void this.open(gen, host, subdomain);
    }, delay);
    this.retryTimer.unref?.();
  }

  private stopClient(): void {
    if (this.retryTimer) this.deps.platform.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    client?.close();
  }

  private fail(message: string): void {
    this.lastError = message;
    this.deps.platform.logger.log('warn', 'tunnel', message);
    this.setState('error');
  }

  private async changeUrl(url: string | null): Promise<void> {
    const changed = url !== this.url;
    this.deps.webhooks.setPublicUrl(url); // throws on a URL it cannot use, before anything changes
    this.url = url;
    if (!changed || !this.deps.onUrlChange) return;
    try {
      await this.deps.onUrlChange(url);
    } catch (err) {
      this.deps.platform.logger.log('warn', 'tunnel', `updating providers with the new URL failed: ${errorText(err)}`);
    }
  }

  private setState(state: State): void {
    this.state = state;
    this.deps.bus.publish('tunnel.status', this.status());
  }
}
