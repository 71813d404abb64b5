import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/bindings/dispatch';
import type { InvokeResult } from '../../src/shared/contract';
import { BolnaFake } from '../fakes/bolna';
import { RetellFake } from '../fakes/retell';
import { createTestCore } from '../support/core';

// Provider settings through the contract (the path the settings UI takes): keys in, never out; errors name the
// field; "test connection" makes an authenticated request; the registry picks up changed keys at once.

const AGENT = '123e4567-e89b-12d3-a456-426655440000';

describe('provider settings API', () => {
  let core: ReturnType<typeof createTestCore>;
  const call = (method: string, input: unknown): Promise<InvokeResult> =>
    dispatch(core.api, method, input, core.platform.logger);

  beforeEach(async () => {
    core = createTestCore();
    await core.start();
  });
  afterEach(async () => {
    await core.cleanup();
  });

  it('stores keys encrypted and only ever answers hasKey and a hint', async () => {
    const saved = await call('providers.update', {
      provider: 'retell',
      settings: { fromNumber: '+14157774444' },
      keys: { apiKey: 'key_super_secret_9876' },
    });
    expect(saved.ok).toBe(true);
    const listed = await call('providers.list', {});
    const text = JSON.stringify(listed);
    expect(text).not.toContain('key_super_secret_9876');
    const retell = (
      listed as { value: { name: string; keys: unknown[]; configured: boolean; hookUrls: { url: string }[] }[] }
    ).value.find((p) => p.name === 'retell');
    expect(retell).toMatchObject({ configured: true, keys: [{ key: 'apiKey', hasKey: true, hint: '…9876' }] });
    expect(retell?.hookUrls[0].url).toBe(core.webhooks.hookUrl('retell'));
    // At rest the key is ciphertext, not the text.
    for (const file of ['console.db', 'console.db-wal']) {
      const bytes = existsSync(join(core.dataDir, file)) ? readFileSync(join(core.dataDir, file)) : Buffer.alloc(0);
      expect(bytes.includes(Buffer.from('key_super_secret_9876')), file).toBe(false);
    }
    expect(existsSync(join(core.dataDir, 'console.db-wal'))).toBe(true);
    expect(core.providers.list().find((p) => p.name === 'retell')?.configured).toBe(true);
    expect(core.providers.list().find((p) => p.name === 'simulator')?.configured).toBe(true);

    await call('providers.update', { provider: 'retell', settings: {}, keys: { apiKey: null } });
    const after = (await call('providers.list', {})) as {
      value: { name: string; missing: string[]; configured: boolean }[];
    };
    expect(after.value.find((p) => p.name === 'retell')).toMatchObject({
      configured: false,
      missing: ['Retell API key (the one with the webhook badge)'],
    });
    expect(core.providers.find('retell')).toBeNull();
  });

  it('names the field of a bad setting and keeps what was stored', async () => {
    await call('providers.update', { provider: 'bolna', settings: { fromNumber: '+918035739222' }, keys: {} });
    const bad = await call('providers.update', {
      provider: 'bolna',
      settings: { fromNumber: '08035739222' },
      keys: {},
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining('fromNumber: number must be in E.164 form') },
    });
    const unknownKey = await call('providers.update', { provider: 'bolna', settings: {}, keys: { token: 'x' } });
    expect(unknownKey).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'bolna has no key named token' },
    });
    const listed = (await call('providers.list', {})) as {
      value: { name: string; settings: Record<string, unknown> | null }[];
    };
    expect(listed.value.find((p) => p.name === 'bolna')?.settings).toEqual({ fromNumber: '+918035739222' });
  });

  it('tests the connection against the provider, and a changed key takes effect without a restart', async () => {
    const fake = new BolnaFake('bn-right', [AGENT]);
    await fake.start();
    try {
      await call('providers.update', {
        provider: 'bolna',
        settings: { baseUrl: fake.baseUrl, voiceAgentId: AGENT },
        keys: { apiKey: 'bn-wrong' },
      });
      const wrong = await call('providers.test', { provider: 'bolna' });
      expect(wrong).toMatchObject({
        ok: true,
        value: { ok: false, message: expect.stringContaining('refused the credentials (HTTP 401') },
      });
      const before = core.providers.get('bolna');
      await call('providers.update', { provider: 'bolna', settings: {}, keys: { apiKey: 'bn-right' } });
      expect(await call('providers.test', { provider: 'bolna' })).toMatchObject({ ok: true, value: { ok: true } });
      expect(core.providers.get('bolna')).not.toBe(before);
      expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer bn-right');
    } finally {
      await fake.close();
    }
  });

  it('Retell test connection with a network failure says so instead of throwing', async () => {
    const fake = new RetellFake('k');
    await fake.start();
    await fake.close();
    await call('providers.update', { provider: 'retell', settings: { baseUrl: fake.baseUrl }, keys: { apiKey: 'k' } });
    const res = await call('providers.test', { provider: 'retell' });
    expect(res).toMatchObject({
      ok: true,
      value: { ok: false, message: expect.stringContaining('could not be reached') },
    });
  });

  it('exposes tunnel status and configuration through the contract', async () => {
    expect(await call('tunnel.status', {})).toMatchObject({
      ok: true,
      value: { mode: 'none', state: 'off', publicUrl: null },
    });
    const own = await call('tunnel.configure', { mode: 'custom_url', publicUrl: core.webhooks.localUrl });
    expect(own).toMatchObject({
      ok: true,
      value: { mode: 'custom_url', state: 'connected', publicUrl: core.webhooks.localUrl },
    });
    expect(await call('tunnel.selfTest', {})).toMatchObject({ ok: true, value: { ok: true } });
    const missing = await call('tunnel.configure', { mode: 'custom_url' });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining('publicUrl') },
    });
    expect(await call('tunnel.configure', { mode: 'localtunnel', subdomain: 'NO SPACES' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await call('tunnel.stop', {})).toMatchObject({ ok: true, value: { state: 'off', publicUrl: null } });
  });
});

describe('a new public URL reaches the Bolna agent', () => {
  it('PATCHes the configured agent’s webhook_url when the tunnel URL changes', async () => {
    const core = createTestCore();
    const fake = new BolnaFake('bn-key', [AGENT]);
    await fake.start();
    try {
      await core.start();
      const call = (method: string, input: unknown) => dispatch(core.api, method, input, core.platform.logger);
      await call('providers.update', {
        provider: 'bolna',
        settings: { baseUrl: fake.baseUrl, voiceAgentId: AGENT },
        keys: { apiKey: 'bn-key' },
      });
      await call('tunnel.configure', { mode: 'custom_url', publicUrl: 'https://hooks.example.com/console' });
      expect(fake.agentWebhooks.get(AGENT)).toBe(core.webhooks.hookUrl('bolna'));
      expect(core.webhooks.hookUrl('bolna')).toMatch(
        /^https:\/\/hooks\.example\.com\/console\/hooks\/bolna\/[A-Za-z0-9_-]+$/,
      );
      await call('tunnel.configure', { mode: 'custom_url', publicUrl: 'https://other.example.com' });
      expect(fake.agentWebhooks.get(AGENT)?.startsWith('https://other.example.com/hooks/bolna/')).toBe(true);
      expect(fake.requestsTo('PATCH', /^\/v2\/agent\//)).toHaveLength(2);
    } finally {
      await fake.close();
      await core.cleanup();
    }
  });
});

describe('a new public URL reaches every provider that keeps it on its agent', () => {
  it('points the Retell agent at the new URL even when Bolna cannot be reached', async () => {
    const core = createTestCore();
    const bolna = new BolnaFake('bn-key', [AGENT]);
    await bolna.start();
    const unreachable = bolna.baseUrl;
    await bolna.close();
    const retell = new RetellFake('rt-key');
    await retell.start();
    try {
      await core.start();
      const call = (method: string, input: unknown) => dispatch(core.api, method, input, core.platform.logger);
      await call('providers.update', {
        provider: 'bolna',
        settings: { baseUrl: unreachable, voiceAgentId: AGENT },
        keys: { apiKey: 'bn-key' },
      });
      await call('providers.update', {
        provider: 'retell',
        settings: { baseUrl: retell.baseUrl, voiceAgentId: 'agent_rt', fromNumber: '+14157774444' },
        keys: { apiKey: 'rt-key' },
      });
      const configured = await call('tunnel.configure', { mode: 'custom_url', publicUrl: 'https://hooks.example.com' });
      expect(configured).toMatchObject({ ok: true, value: { publicUrl: 'https://hooks.example.com' } });
      expect(retell.agentWebhooks.get('agent_rt')).toBe(core.webhooks.hookUrl('retell'));
      expect(core.webhooks.hookUrl('retell').startsWith('https://hooks.example.com/hooks/retell/')).toBe(true);
    } finally {
      await retell.close();
      await core.cleanup();
    }
  });
});
