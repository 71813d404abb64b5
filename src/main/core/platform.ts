// What the core needs from the machine it runs on. Electron passes safeStorage, notifications and real timers;
// the web host, the CLI and the tests pass plain-Node or fake versions. Nothing here imports electron.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export interface TimerHandle {
  /** Lets the process exit while the timer is pending (Node `unref`). */
  unref?(): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: LogLevel, scope: string, message: string, fields?: Record<string, unknown>): void;
}

/** Encrypts secrets at rest (Electron safeStorage, or a key file for the web host and tests). */
export interface SecretCipher {
  readonly kind: 'os-keychain' | 'file-key';
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

export interface Notifier {
  notify(title: string, body: string): void;
}

export interface Platform {
  clock: Clock;
  logger: Logger;
  cipher: SecretCipher;
  notifier: Notifier;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
