import type { z } from 'zod';

// The shape of the one API contract. Each capability declares its methods and events in its own file;
// index.ts merges them, and both bindings (Electron IPC, WebSocket) are derived from the merged table.

export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
}

export function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): MethodDef<I, O> {
  return { input, output };
}

export type MethodTable = Record<string, MethodDef>;
export type EventTable = Record<string, z.ZodType>;

export type InputOf<T extends MethodTable, K extends keyof T> = z.input<T[K]['input']>;
export type ParsedInputOf<T extends MethodTable, K extends keyof T> = z.output<T[K]['input']>;
export type OutputOf<T extends MethodTable, K extends keyof T> = z.output<T[K]['output']>;

/** What the core implements: one async function per contract method, receiving already-validated input. */
export type Handlers<T extends MethodTable> = {
  [K in keyof T]: (input: ParsedInputOf<T, K>) => Promise<OutputOf<T, K>> | OutputOf<T, K>;
};

/** A main → renderer event as it travels (events are batched into arrays of these). */
export interface EventEnvelope<E extends EventTable = EventTable, K extends keyof E = keyof E> {
  type: K;
  payload: z.output<E[K]>;
}

/** What went wrong, in the terms a caller can act on; `internal` is reserved for the unexpected (details in the log). */
export type ApiErrorCode = 'invalid_input' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable' | 'internal';

/** One field's problem: `path` as in the method's input ("settings.fromNumber"), and what to do about it if known. */
export interface FieldIssue {
  path: string;
  message: string;
  fix?: string;
}

/** The error shape both bindings return, so the renderer shows the same message whichever host it runs in. */
export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  /** For invalid_input: which fields, so forms can show each problem beside its input. */
  issues?: FieldIssue[];
}

/** What a binding returns for one call: errors travel as data so both IPC and WebSocket keep their structure. */
export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };

/**
 * The one object the preload exposes on `window.consoleApi` (and the web host's WebSocket client mimics), limited
 * to the contract's methods.
 */
export interface ConsoleBridge {
  invoke(method: string, input: unknown): Promise<InvokeResult>;
  onEvents(listener: (events: EventEnvelope[]) => void): () => void;
}

// IPC channel names live here, beside the types, because the sandboxed preload imports this file and must not pull
// in zod (it can only load `electron`).
/** The one channel prefix used on IPC; the preload allows nothing else. */
export const IPC_PREFIX = 'api:';
export const IPC_EVENTS_CHANNEL = 'api-events';
