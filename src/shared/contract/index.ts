import { agentsEvents, agentsMethods } from './agents';
import { analyticsEvents, analyticsMethods } from './analytics';
import { appEvents, appMethods } from './app';
import { callsEvents, callsMethods } from './calls';
import { campaignsEvents, campaignsMethods } from './campaigns';
import { contactsEvents, contactsMethods } from './contacts';
import { maintenanceEvents, maintenanceMethods } from './maintenance';
import { providersEvents, providersMethods } from './providers';
import { recordingsEvents, recordingsMethods } from './recordings';
import { sourcesEvents, sourcesMethods } from './sources';
import type { EventEnvelope, Handlers, InputOf, OutputOf } from './define';

export * from './define';

/** Every request the renderer (or a script through the web host) can make. */
export const contract = {
  ...appMethods,
  ...sourcesMethods,
  ...contactsMethods,
  ...campaignsMethods,
  ...callsMethods,
  ...providersMethods,
  ...recordingsMethods,
  ...analyticsMethods,
  ...maintenanceMethods,
  ...agentsMethods,
};
export type Contract = typeof contract;
export type MethodName = keyof Contract & string;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];

/** Every event main pushes to the renderer. */
export const events = {
  ...appEvents,
  ...sourcesEvents,
  ...contactsEvents,
  ...campaignsEvents,
  ...callsEvents,
  ...providersEvents,
  ...recordingsEvents,
  ...analyticsEvents,
  ...maintenanceEvents,
  ...agentsEvents,
};
export type Events = typeof events;
export type EventName = keyof Events & string;
export type AnyEvent = { [K in EventName]: EventEnvelope<Events, K> }[EventName];

export type ApiHandlers = Handlers<Contract>;
export type ApiInput<K extends MethodName> = InputOf<Contract, K>;
export type ApiOutput<K extends MethodName> = OutputOf<Contract, K>;
