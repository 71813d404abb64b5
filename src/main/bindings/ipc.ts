import {
  IPC_EVENTS_CHANNEL,
  IPC_PREFIX,
  METHOD_NAMES,
  type AnyEvent,
  type ApiHandlers,
  type InvokeResult,
} from '@shared/contract';
import type { EventBus } from '../core/bus';
import type { Clock, Logger } from '../core/platform';
import type { IpcInvokeEventLike, IpcMainLike } from '../electron/types';
import { dispatch } from './dispatch';
import { batchEvents } from './event-batcher';

export interface IpcBindingOptions {
  ipcMain: IpcMainLike;
  api: ApiHandlers;
  logger: Logger;
  /** The one webContents allowed to call (the main window's), or null while there is none. */
  trustedWebContentsId: () => number | null;
  /** Whether a frame URL is the app's own renderer document. */
  isRendererUrl: (url: string) => boolean;
}

/**
 * Electron binding of the contract: one ipcMain.handle per contract method, derived from METHOD_NAMES. Every call
 * checks who sent it (our window, its top frame, on our renderer document) before the shared dispatch validates
 * the input. Returns a function that removes the handlers.
 */
export function bindIpc(options: IpcBindingOptions): () => void {
  const { ipcMain, api, logger } = options;
  for (const name of METHOD_NAMES) {
    ipcMain.handle(IPC_PREFIX + name, async (event, ...args): Promise<InvokeResult> => {
      const refusal = senderRefusal(event, options);
      if (refusal) {
        logger.log('warn', 'ipc', `Refused ${name}: ${refusal}`);
        return { ok: false, error: { code: 'forbidden', message: `Call refused: ${refusal}.` } };
      }
      return dispatch(api, name, args[0], logger);
    });
  }
  return () => {
    for (const name of METHOD_NAMES) ipcMain.removeHandler(IPC_PREFIX + name);
  };
}

function senderRefusal(event: IpcInvokeEventLike, options: IpcBindingOptions): string | null {
  if (event.sender.id !== options.trustedWebContentsId()) return 'the sender is not the console window';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent) return 'the sender is an embedded frame';
  if (!options.isRendererUrl(frame.url)) return 'the sender is not the console page';
  return null;
}

export interface EventTarget {
  send(channel: string, events: AnyEvent[]): void;
  isDestroyed(): boolean;
}

/** Core events to the window over IPC_EVENTS_CHANNEL, in batches (see event-batcher). Returns a stop function. */
export function forwardEvents(bus: EventBus, clock: Clock, target: () => EventTarget | null): () => void {
  return batchEvents(bus, clock, (events) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENTS_CHANNEL, events);
  });
}
