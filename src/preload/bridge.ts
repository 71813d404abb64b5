import {
  IPC_EVENTS_CHANNEL,
  IPC_PREFIX,
  type ConsoleBridge,
  type EventEnvelope,
  type InvokeResult,
} from '@shared/contract/define';

// Kept free of zod and of any Node module: the sandboxed preload can only load `electron`. Main passes the
// contract's method names in an argument (see METHODS_ARG in src/main/electron/security.ts).

export const METHODS_ARG = '--console-api-methods=';

/** The subset of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function methodNamesFromArgv(argv: readonly string[]): Set<string> {
  const arg = argv.find((a) => a.startsWith(METHODS_ARG));
  return new Set(arg ? arg.slice(METHODS_ARG.length).split(',').filter(Boolean) : []);
}

/**
 * window.consoleApi: invoke() only reaches the contract's channels (anything else is refused here, before IPC);
 * onEvents() hands the renderer the event batches without the IPC event object (which would expose the sender).
 */
export function createConsoleBridge(ipc: IpcRendererLike, methods: ReadonlySet<string>): ConsoleBridge {
  return {
    async invoke(method: string, input: unknown): Promise<InvokeResult> {
      if (typeof method !== 'string' || !methods.has(method)) {
        return { ok: false, error: { code: 'not_found', message: `Unknown method "${String(method)}".` } };
      }
      return (await ipc.invoke(IPC_PREFIX + method, input)) as InvokeResult;
    },
    onEvents(listener: (events: EventEnvelope[]) => void): () => void {
      const wrapped = (_event: unknown, events: unknown) => {
        if (Array.isArray(events)) listener(events as EventEnvelope[]);
      };
      ipc.on(IPC_EVENTS_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(IPC_EVENTS_CHANNEL, wrapped);
      };
    },
  };
}
