import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Clock,
  type Logger,
  type LogLevel,
  type Notifier,
  type Platform,
  type SecretCipher,
  systemClock,
} from './platform';
import { redact } from './redact';

// Platform pieces for plain Node (web host, CLI, tests). Electron passes its own cipher (safeStorage) and notifier.

/**
 * AES-256-GCM with a random key kept in the data folder (mode 0600). Weaker than the OS keychain: anyone who can
 * read the data folder can read the secrets; the web host says so when it starts.
 */
export function createFileCipher(dataDir: string): SecretCipher {
  const keyFile = join(dataDir, 'secret.key');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  const key = readFileSync(keyFile);
  return {
    kind: 'file-key',
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob) {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const SECRET_FIELD = /(authorization|api[_-]?key|token|secret|password|signature|private[_-]?key)/i;
function redactFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : v;
  return out;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  dir: string;
  minLevel?: LogLevel;
  echo?: (line: string) => void;
  maxBytes?: number;
  keep?: number;
  knownSecrets?: () => Iterable<string>;
}

/** JSON-lines log files that rotate by size (console.log → console.1.log → …). */
export function createFileLogger(options: FileLoggerOptions): Logger {
  const { dir, minLevel = 'info', echo, maxBytes = 5 * 1024 * 1024, keep = 5 } = options;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'console.log');
  let written = existsSync(file) ? statSync(file).size : 0;
  const rotate = () => {
    for (let i = keep - 1; i >= 1; i--) {
      const from = i === 1 ? file : join(dir, `console.${i - 1}.log`);
      if (existsSync(from)) renameSync(from, join(dir, `console.${i}.log`));
    }
    written = 0;
  };
  return {
    log(level, scope, message, fields) {
      if (LEVELS[level] < LEVELS[minLevel]) return;
      const line = redact(
        JSON.stringify({ at: new Date().toISOString(), level, scope, message, ...redactFields(fields) }),
        options.knownSecrets?.() ?? [],
      );
      if (written + line.length > maxBytes) rotate();
      appendFileSync(file, line + '\n');
      written += line.length + 1;
      echo?.(line);
    },
  };
}

export const silentNotifier: Notifier = { notify: () => undefined };

export function nodePlatform(
  dataDir: string,
  options: { echo?: (line: string) => void; clock?: Clock } = {},
): Platform {
  const logger = createFileLogger({ dir: join(dataDir, 'logs'), echo: options.echo });
  return {
    clock: options.clock ?? systemClock,
    logger,
    cipher: createFileCipher(dataDir),
    notifier: {
      notify: (title, body) => logger.log('info', 'notify', `${title}: ${body}`),
    },
  };
}
