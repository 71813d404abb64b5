import { z } from 'zod';
import type { Handlers } from '@shared/contract/define';
import { ConfigurableProvider, type providersMethods, type ProviderView } from '@shared/contract/providers';
import type { ProviderName } from '@shared/domain';
import type { CoreServices } from '../services';
import { type BolnaTwilioProvider } from '../providers/bolna-twilio';
import { createClient, dashboardUrls, PROVIDER_CAPABILITIES, ProviderConfigStore } from '../providers/config';
import { ApiError, invalidInput } from '../errors';

// Provider settings and the tunnel. Keys go into the SecretStore and never come back: views carry hasKey + hint.

export function providersHandlers(core: CoreServices): Handlers<typeof providersMethods> {
  const store = new ProviderConfigStore(core.db, core.secrets);

  const hookUrl = (name: ProviderName): string | null => {
    try {
      return core.webhooks.hookUrl(name);
    } catch {
      return null; // the webhook server is not running yet: no URLs to show
    }
  };

  const view = (name: ProviderName, label: string): ProviderView => {
    const parsed = ConfigurableProvider.safeParse(name);
    if (!parsed.success) {
      const instance = core.providers.find(name);
      return {
        name,
        label,
        configured: instance !== null,
        missing: [],
        capabilities: instance?.capabilities ?? {
          cancel: false,
          transfer: 'none',
          reconcile: false,
          liveTranscript: false,
          callLanguage: 'none',
        },
        settings: null,
        keys: [],
        hookUrls: [],
      };
    }
    const p = parsed.data;
    const missing = store.missing(p);
    const url = hookUrl(p);
    return {
      name: p,
      label,
      configured: missing.length === 0,
      missing,
      capabilities: PROVIDER_CAPABILITIES[p],
      settings: store.get(p) as Record<string, unknown>,
      keys: store.keyViews(p),
      hookUrls: url ? dashboardUrls(p, url) : [],
    };
  };

  const labelOf = (name: ProviderName): string => core.providers.list().find((p) => p.name === name)?.label ?? name;

  const client = (provider: ConfigurableProvider) =>
    createClient(provider, {
      store,
      clock: core.platform.clock,
      db: core.db,
      hookUrl: (p) => core.webhooks.hookUrl(p),
      ...core.providers.tuning,
    });

  return {
    'providers.list': () => core.providers.list().map((p) => view(p.name, p.label)),

    'providers.update': ({ provider, settings, keys }) => {
      try {
        store.update(provider, settings);
      } catch (err) {
        // The store validates all providers' settings at once ("bolna.fromNumber"); the form sent "settings.…".
        if (err instanceof z.ZodError) throw invalidInput(err, { at: (path) => ['settings', ...path.slice(1)] });
        throw err;
      }
      for (const [key, value] of Object.entries(keys)) store.setKey(provider, key, value);
      core.providers.forget(provider);
      core.platform.logger.log('info', 'providers', `${provider} settings saved`, { keys: Object.keys(keys) });
      return view(provider, labelOf(provider));
    },

    'providers.test': async ({ provider }) => {
      try {
        const c = client(provider);
        if (!c.testConnection) return { ok: false, message: `${c.label} has no connection test.` };
        return await c.testConnection();
      } catch (err) {
        // Any failure is the test's answer; one that was not written for the user is logged, not shown.
        if (err instanceof ApiError) return { ok: false, message: err.message };
        core.platform.logger.log('error', 'providers', `${provider} connection test failed`, { error: String(err) });
        return { ok: false, message: `The connection test failed unexpectedly; the details are in the log.` };
      }
    },

    'providers.createAgent': async ({ definition }) => {
      const c = client('bolna_twilio') as BolnaTwilioProvider;
      if (!core.webhooks.localUrl)
        throw new ApiError(
          'unavailable',
          'Start the webhook server first: the agent needs its extraction webhook URL.',
        );
      const voiceAgentId = await c.createAgent(definition);
      store.update('bolna_twilio', { voiceAgentId });
      store.setAgentDefinition(definition);
      core.providers.forget('bolna_twilio');
      return { voiceAgentId };
    },

    'tunnel.status': () => core.tunnel.status(),
    'tunnel.configure': (input) => core.tunnel.configure(input),
    'tunnel.start': () => core.tunnel.start(),
    'tunnel.stop': () => core.tunnel.stop(),
    'tunnel.selfTest': () => core.tunnel.selfTest(),
  };
}
