import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SecretCipher } from '../platform';
import { type SecretsRepository, type SettingsRepository } from '../store/repositories/settings';

/** App-wide settings with their defaults; stored per key so a new setting never needs a migration. */
export const AppSettings = z.object({
  defaultCountry: z.string().length(2).default('IN'),
  /** Port of the webhook server (0 = pick a free one). */
  webhookPort: z.number().int().min(0).max(65535).default(0),
  webhookHost: z.string().default('127.0.0.1'),
  /** Tunnel: localtunnel (optionally on a custom server), a public URL the user runs themselves, or none. */
  tunnel: z
    .object({
      mode: z.enum(['none', 'localtunnel', 'custom_url']).default('none'),
      host: z.string().url().optional(),
      subdomain: z.string().optional(),
      publicUrl: z.string().url().optional(),
    })
    .default({ mode: 'none' }),
  simulator: z
    .object({
      answerRate: z.number().min(0).max(1).default(0.7),
      busyRate: z.number().min(0).max(1).default(0.1),
      voicemailRate: z.number().min(0).max(1).default(0.05),
      failRate: z.number().min(0).max(1).default(0.05),
      /** Chaos: probability of sending an event twice / out of order. */
      duplicateRate: z.number().min(0).max(1).default(0),
      reorderRate: z.number().min(0).max(1).default(0),
      /** Chaos: probability that a placement's answer is lost (the call is placed; the console sees a timeout). */
      lostAnswerRate: z.number().min(0).max(1).default(0),
    })
    .default({
      answerRate: 0.7,
      busyRate: 0.1,
      voicemailRate: 0.05,
      failRate: 0.05,
      duplicateRate: 0,
      reorderRate: 0,
      lostAnswerRate: 0,
    }),
});
export type AppSettings = z.infer<typeof AppSettings>;
type Key = keyof AppSettings;

export class SettingsService {
  constructor(private readonly repo: SettingsRepository) {}
  get<K extends Key>(key: K): AppSettings[K] {
    const shape = AppSettings.shape[key];
    const parsed = shape.safeParse(this.repo.get(key));
    return (parsed.success ? parsed.data : shape.parse(undefined)) as AppSettings[K];
  }
  set<K extends Key>(key: K, value: AppSettings[K]): void {
    this.repo.set(key, AppSettings.shape[key].parse(value));
  }
  all(): AppSettings {
    const out: Partial<Record<Key, unknown>> = {};
    for (const key of Object.keys(AppSettings.shape) as Key[]) out[key] = this.get(key);
    return out as AppSettings;
  }
}

/**
 * Provider keys, Google credentials and tunnel tokens, encrypted with the platform cipher. Values leave this class
 * only towards the provider clients; the renderer sees `hasSecret` and a masked hint, never the value.
 */
export class SecretStore {
  constructor(
    private readonly repo: SecretsRepository,
    private readonly cipher: SecretCipher,
    private readonly now: () => number,
  ) {}
  get(name: string): string | undefined {
    const blob = this.repo.get(name);
    return blob ? this.cipher.decrypt(blob) : undefined;
  }
  set(name: string, value: string): void {
    this.repo.set(name, this.cipher.encrypt(value), this.now());
  }
  delete(name: string): void {
    this.repo.delete(name);
  }
  has(name: string): boolean {
    return this.repo.get(name) !== undefined;
  }
  /** Last four characters, for "key ending in …1234". */
  hint(name: string): string | null {
    const value = this.get(name);
    return value ? `…${value.slice(-4)}` : null;
  }
  /** The per-install token in webhook paths (/hooks/<provider>/<secret>); created on first use. */
  webhookSecret(): string {
    let secret = this.get('webhook.path_secret');
    if (!secret) {
      secret = randomBytes(24).toString('base64url');
      this.set('webhook.path_secret', secret);
    }
    return secret;
  }
}
