import { z } from 'zod';
import type { Handlers } from '../../../shared/contract/define';
import { ConfigurableProvider, type providersMethods, type ProviderView } from '../../../shared/contract/providers';
import type { ProviderName } from '../../../shared/domain';
import type { CoreServices } from '../index';
import { type BolnaTwilioProvider } from '../providers/bolna-twilio';
import { createClient, dashboardUrls, PROVIDER_CAPABILITIES, ProviderConfigStore } from '../providers/config';
import { ProviderError } from '../providers/types';
import { ApiError } from './index';

// Provider settings and the tunnel. Keys go into the SecretStore and never come back: views carry hasKey + hint.

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

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
      ...core.providers.deps.tuning,
    });

  return {
    'providers.list': () => core.providers.list().map((p) => view(p.name, p.label)),

    'providers.update': ({ provider, settings, keys }) => {
      try {
        store.update(provider, settings);
      } catch (err) {
        if (err instanceof z.ZodError) {
          const issue = err.issues[0];
          throw new ApiError('invalid_input', `${issue.path.slice(1).join('.') || provider}: ${issue.message}`);
        }
        throw err;
      }
      for (const [key, value] of Object.entries(keys)) {
        try {
          store.setKey(provider, key, value);
        } catch (err) {
          throw new ApiError('invalid_input', errorText(err));
        }
      }
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
        if (err instanceof ProviderError) return { ok: false, message: err.message };
        return { ok: false, message: errorText(err) };
      }
    },

    'providers.createAgent': async ({ definition }) => {
      let c: BolnaTwilioProvider;
      try {
        c = client('bolna_twilio') as BolnaTwilioProvider;
      } catch (err) {
        throw new ApiError('invalid_input', errorText(err));
      }
      if (!core.webhooks.localUrl)
        throw new ApiError(
          'unavailable',
          'Start the webhook server first: the agent needs its extraction webhook URL.',
        );
      try {
        const agentId = await c.createAgent(definition);
        store.update('bolna_twilio', { agentId });
        core.providers.forget('bolna_twilio');
        return { agentId };
      } catch (err) {
        throw new ApiError(
          err instanceof ProviderError && err.transient ? 'unavailable' : 'invalid_input',
          errorText(err),
        );
      }
    },

    'tunnel.status': () => core.tunnel.status(),
    'tunnel.configure': async (input) => {
      try {
        return await core.tunnel.configure(input);
      } catch (err) {
        throw new ApiError('invalid_input', errorText(err));
      }
    },
    'tunnel.start': () => core.tunnel.start(),
    'tunnel.stop': () => core.tunnel.stop(),
    'tunnel.selfTest': () => core.tunnel.selfTest(),
  };
}
