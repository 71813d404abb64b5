import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/platform';
import type { Rect } from './types';

const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_SIZE = { width: 1280, height: 820 };

export function windowStateFile(userData: string): string {
  return join(userData, 'window-state.json');
}

/**
 * The remembered bounds, or null (first run, unreadable file, or a window that would now be off every display,
 * e.g. after unplugging a monitor: then the OS centres a default-sized window).
 */
export function loadWindowState(file: string, workAreas: Rect[], logger?: Logger): WindowState | null {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = WindowState.safeParse(json);
  if (!parsed.success) {
    logger?.log('warn', 'window', `Ignoring an invalid window state file ${file}`);
    return null;
  }
  return isVisible(parsed.data, workAreas) ? parsed.data : null;
}

export function saveWindowState(file: string, bounds: Rect, maximized: boolean): void {
  const state = WindowState.parse({
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    maximized,
  });
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

/** At least a 100×50 corner of the title bar area has to land on some display's work area. */
function isVisible(state: WindowState, workAreas: Rect[]): boolean {
  return workAreas.some((area) => {
    const overlapX = Math.min(state.x + state.width, area.x + area.width) - Math.max(state.x, area.x);
    const overlapY = Math.min(state.y + 50, area.y + area.height) - Math.max(state.y, area.y);
    return overlapX >= 100 && overlapY >= 50;
  });
}
