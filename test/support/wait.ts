import { inspect } from 'node:util';
import type { ManualClock } from './clock';

export interface WaitOptions {
  /** Real milliseconds before giving up (10 s unless told). */
  timeoutMs?: number;
  /** Real milliseconds between two looks (10 unless told). */
  intervalMs?: number;
  /** What is awaited, for the failure message; the check's source text unless told. */
  what?: string;
}

/** A real-time pause, for the few places that must let I/O run; never before a negative assertion. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeCheck(check: () => unknown, what: string | undefined): string {
  return what ?? check.toString().replace(/\s+/g, ' ');
}

function show(value: unknown): string {
  return inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
}

/**
 * Looks at `check` on real time until it returns a truthy value, and returns that value. Fails naming what it
 * waited for and the last value it saw. For state that real I/O (sockets, child processes, SQLite) moves on.
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline)
      throw new Error(
        `waited ${timeoutMs} ms for ${describeCheck(check, options.what)}; the last look gave ${show(value)}`,
      );
    await sleep(options.intervalMs ?? 10);
  }
}

/** Resolves as `promise` does, or fails after `timeoutMs` real milliseconds naming what did not happen. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface AdvanceOptions {
  /** Simulated milliseconds the clock moves at each step. */
  stepMs: number;
  /** Simulated milliseconds the clock may move in all (60 steps unless told). */
  maxMs?: number;
  /** Lets the system react between two steps (the worker going idle, real I/O finishing); one short pause unless told. */
  settle?: () => Promise<unknown>;
  what?: string;
}

/**
 * Moves a ManualClock on in steps, letting the system settle before each look, until `check` holds; returns the
 * simulated milliseconds it moved. Once the clock has moved `maxMs`, what is still in flight gets real time to finish
 * (`waitUntil`) before this fails.
 */
export async function advanceUntil(clock: ManualClock, check: () => boolean, options: AdvanceOptions): Promise<number> {
  const maxMs = options.maxMs ?? 60 * options.stepMs;
  const settle = options.settle ?? (() => sleep(2));
  let moved = 0;
  for (;;) {
    await settle();
    if (check()) return moved;
    if (moved >= maxMs) break;
    clock.advance(options.stepMs);
    moved += options.stepMs;
  }
  await waitUntil(check, {
    what: `${describeCheck(check, options.what)} (after ${moved} ms of simulated time)`,
  });
  return moved;
}
