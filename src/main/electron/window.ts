import type { Logger } from '../core/platform';
import { secureWebPreferences } from './security';
import type { Rect, WindowLike, WindowOptions } from './types';
import { DEFAULT_SIZE, loadWindowState, saveWindowState, type WindowState } from './window-state';

export interface MainWindowOptions {
  createWindow(options: WindowOptions): WindowLike;
  preload: string;
  methodNames: readonly string[];
  stateFile: string;
  workAreas: Rect[];
  logger: Logger;
  icon?: string;
  dark: boolean;
}

export function mainWindowOptions(
  state: WindowState | null,
  options: Pick<MainWindowOptions, 'preload' | 'methodNames' | 'icon' | 'dark'>,
): WindowOptions {
  return {
    title: 'Call Console',
    ...(state ? { x: state.x, y: state.y, width: state.width, height: state.height } : DEFAULT_SIZE),
    minWidth: 900,
    minHeight: 600,
    // Shown on ready-to-show, so the user never sees a white flash or a half-drawn page.
    show: false,
    backgroundColor: options.dark ? '#1f2329' : '#f6f7f9',
    icon: options.icon,
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(options.preload, options.methodNames),
  };
}

/** The one console window, placed where it was last time and remembering its bounds when it closes. */
export function createMainWindow(options: MainWindowOptions): WindowLike {
  const remembered = loadWindowState(options.stateFile, options.workAreas, options.logger);
  const window = options.createWindow(mainWindowOptions(remembered, options));
  window.once('ready-to-show', () => {
    if (remembered?.maximized) window.maximize();
    window.show();
  });
  window.on('close', () => {
    try {
      saveWindowState(options.stateFile, window.getNormalBounds(), window.isMaximized());
    } catch (err) {
      options.logger.log('warn', 'window', 'Could not save the window position', { error: String(err) });
    }
  });
  return window;
}
