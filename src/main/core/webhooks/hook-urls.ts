import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProviderName } from '@shared/domain';
import type { SecretStore } from '../settings/settings';

/** Everything served at /hooks/<name>/<secret>: the voice providers, the recordings intake, the monitoring routes. */
export type HookName = ProviderName | 'zapier' | 'assemblyai' | 'monitor';

/** What the dialer, the providers and the recordings pipeline need to tell a sender where to post. */
export interface HookUrlSource {
  /** Full callback URL for `name`, on the public URL when there is one; throws while nothing listens. */
  hookUrl(name: HookName): string;
  /** True when a public (tunnel or user-supplied) URL is set, so senders outside this machine can reach us. */
  readonly publicUrl: string | null;
}

/**
 * The one authority on where the console's hooks are: the local address the listener is bound to, the public URL
 * in front of it (tunnel or the user's own), and the path secret that makes a hook URL unguessable.
 */
export class HookUrls implements HookUrlSource {
  private listenHost = '127.0.0.1';
  private port: number | null = null;
  private publicBase: string | null = null;
  private cachedSecret: string | null = null;
  private cachedSecretDigest: Buffer | null = null;

  constructor(private readonly secrets: SecretStore) {}

  /** Set by the listener once it is bound, null once it stops. */
  setLocalAddress(address: { host: string; port: number } | null): void {
    this.port = address?.port ?? null;
    if (address) this.listenHost = address.host;
  }

  /** http://127.0.0.1:PORT while the listener runs. */
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

  hookUrl(name: HookName): string {
    const base = this.publicBase ?? this.localUrl;
    if (!base) throw new Error('The webhook server is not running, so there is no callback URL yet');
    return `${base}${this.hookPath(name)}`;
  }

  /** /hooks/<name>/<secret>, the path a sender posts to. */
  hookPath(name: string): string {
    return `/hooks/${name}/${this.secret()}`;
  }

  /** The URL a sender called, from the path and query it asked for (Twilio signs the full public URL). */
  calledUrl(pathAndQuery: string): string {
    return `${this.publicBase ?? this.localUrl ?? ''}${pathAndQuery}`;
  }

  secretMatches(given: string): boolean {
    // Digests have equal length, so the comparison time says nothing about the secret or its length.
    this.cachedSecretDigest ??= createHash('sha256').update(this.secret()).digest();
    return timingSafeEqual(createHash('sha256').update(given).digest(), this.cachedSecretDigest);
  }

  private secret(): string {
    if (this.cachedSecret === null) this.cachedSecret = this.secrets.webhookSecret();
    return this.cachedSecret;
  }
}
