import { z } from 'zod';
import { ProviderName } from '../domain';
import { method } from './define';

// Provider settings, "test connection", and the tunnel that makes the webhook server reachable.
// Keys go in through `providers.update` and never come back out: the renderer only sees hasKey and a hint.

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'number must be in E.164 form, e.g. +919876543210');
const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

/** Non-secret settings per provider; every field optional so a half-filled form can be saved. */
export const ProviderSettings = z.object({
  bolna: z
    .object({
      /** Override of https://api.bolna.ai (tests, proxies). */
      baseUrl: HttpUrl.optional(),
      voiceAgentId: z.string().trim().min(1).optional(),
      fromNumber: E164.optional(),
    })
    .default({}),
  bolna_twilio: z
    .object({
      /** The self-hosted agent server (quickstart_server.py), where agents are created. */
      agentServerUrl: HttpUrl.default('http://localhost:5001'),
      /** The self-hosted telephony server (twilio_api_server.py), where calls are placed. */
      telephonyUrl: HttpUrl.default('http://localhost:8001'),
      voiceAgentId: z.string().trim().min(1).optional(),
      twilioAccountSid: z
        .string()
        .trim()
        .regex(/^AC[0-9a-fA-F]{32}$/, 'Twilio Account SID looks like AC followed by 32 hex characters')
        .optional(),
      /** The TWILIO_PHONE_NUMBER the self-hosted server calls from (used as callerId on transfers). */
      fromNumber: E164.optional(),
      /** Override of https://api.twilio.com. */
      twilioBaseUrl: HttpUrl.optional(),
    })
    .default({ agentServerUrl: 'http://localhost:5001', telephonyUrl: 'http://localhost:8001' }),
  retell: z
    .object({
      baseUrl: HttpUrl.optional(),
      voiceAgentId: z.string().trim().min(1).optional(),
      fromNumber: E164.optional(),
    })
    .default({}),
  exotel: z
    .object({
      /** sg = api.exotel.com (Singapore), in = api.in.exotel.com (Mumbai). */
      region: z.enum(['sg', 'in']).default('sg'),
      baseUrl: HttpUrl.optional(),
      accountSid: z.string().trim().min(1).optional(),
      /** The ExoPhone (virtual number) calls come from. */
      callerId: z.string().trim().min(5).optional(),
      /** The flow (app) customers are connected to: http://my.exotel.com/{sid}/exoml/start_voice/{app_id}. */
      flowUrl: HttpUrl.optional(),
    })
    .default({ region: 'sg' }),
});
export type ProviderSettings = z.infer<typeof ProviderSettings>;

export const ConfigurableProvider = z.enum(['bolna', 'bolna_twilio', 'retell', 'exotel']);
export type ConfigurableProvider = z.infer<typeof ConfigurableProvider>;

/** The secrets each provider takes, by name; stored encrypted as `provider.<provider>.<key>`. */
export const PROVIDER_KEYS = {
  bolna: [{ key: 'apiKey', label: 'Bolna API key (bn-…)' }],
  bolna_twilio: [{ key: 'twilioAuthToken', label: 'Twilio Auth Token (verifies callbacks, updates calls)' }],
  retell: [{ key: 'apiKey', label: 'Retell API key (the one with the webhook badge)' }],
  exotel: [
    { key: 'apiKey', label: 'Exotel API key' },
    { key: 'apiToken', label: 'Exotel API token' },
  ],
} as const satisfies Record<ConfigurableProvider, readonly { key: string; label: string }[]>;

export const ProviderView = z.object({
  name: ProviderName,
  label: z.string(),
  configured: z.boolean(),
  /** What is still missing before calls can be placed ("API key", "agent id"). */
  missing: z.array(z.string()),
  capabilities: z.object({
    cancel: z.boolean(),
    transfer: z.enum(['api', 'agent_variable', 'flow', 'none']),
    reconcile: z.boolean(),
    liveTranscript: z.boolean(),
    /** How the call language reaches the voice agent: started in it, handed to the flow as a variable, or not at all. */
    callLanguage: z.enum(['per_call', 'variable', 'none']),
  }),
  /** The provider's non-secret settings as stored (null for the simulator). */
  settings: z.record(z.string(), z.unknown()).nullable(),
  keys: z.array(z.object({ key: z.string(), label: z.string(), hasKey: z.boolean(), hint: z.string().nullable() })),
  /** URLs the user pastes into the provider's dashboard (Exotel passthru / dial whom, Bolna agent webhook…). */
  hookUrls: z.array(z.object({ label: z.string(), url: z.string() })),
});
export type ProviderView = z.infer<typeof ProviderView>;

export const TunnelMode = z.enum(['none', 'localtunnel', 'custom_url']);
export const TunnelStatus = z.object({
  mode: TunnelMode,
  /** localtunnel server (default https://localtunnel.me). */
  host: z.string().nullable(),
  subdomain: z.string().nullable(),
  state: z.enum(['off', 'connecting', 'connected', 'reconnecting', 'error']),
  publicUrl: z.string().nullable(),
  connected: z.boolean(),
  lastError: z.string().nullable(),
  connectedAt: z.number().nullable(),
  lastWebhookAt: z.number().nullable(),
  reconnects: z.number().int(),
});
export type TunnelStatus = z.infer<typeof TunnelStatus>;

export const providersMethods = {
  'providers.list': method(z.object({}), z.array(ProviderView)),
  /** Saves settings (merged over what is stored) and keys (a string sets it, null deletes it, absent keeps it). */
  'providers.update': method(
    z.object({
      provider: ConfigurableProvider,
      settings: z.record(z.string(), z.unknown()).default({}),
      keys: z.record(z.string(), z.string().trim().min(1).nullable()).default({}),
    }),
    ProviderView,
  ),
  /** A harmless authenticated request (list agents, fetch the account). */
  'providers.test': method(
    z.object({ provider: ConfigurableProvider }),
    z.object({ ok: z.boolean(), message: z.string() }),
  ),
  /** Self-hosted Bolna: creates the agent from its JSON definition and stores the returned agent id. */
  'providers.createAgent': method(
    z.object({ provider: z.literal('bolna_twilio'), definition: z.record(z.string(), z.unknown()) }),
    z.object({ voiceAgentId: z.string() }),
  ),
  'tunnel.status': method(z.object({}), TunnelStatus),
  'tunnel.configure': method(
    z.object({
      mode: TunnelMode,
      host: HttpUrl.optional(),
      subdomain: z
        .string()
        .regex(/^[a-z0-9-]{4,63}$/, 'subdomain: 4–63 lower-case letters, digits or dashes')
        .optional(),
      publicUrl: HttpUrl.optional(),
    }),
    TunnelStatus,
  ),
  'tunnel.start': method(z.object({}), TunnelStatus),
  'tunnel.stop': method(z.object({}), TunnelStatus),
  /** Sends a request through the public URL to our /health and times the round trip. */
  'tunnel.selfTest': method(
    z.object({}),
    z.object({ ok: z.boolean(), url: z.string().nullable(), roundTripMs: z.number().nullable(), message: z.string() }),
  ),
};

export const providersEvents = {
  'tunnel.status': TunnelStatus,
};
