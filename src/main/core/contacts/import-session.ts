import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerErrorCode } from './import-protocol';

/**
 * Where the worker lives: built beside the main bundle (out/main/import-worker.js), or, in the source tree (vitest,
 * tsx benchmarks), the .ts file started through tsx's loader. Node 20 ignores `--import tsx` in a worker's execArgv,
 * so a one-line bootstrap registers tsx inside the worker and then imports the entry.
 */
/**
 * Reading and converting rows allocate millions of short-lived objects; a young generation twice V8's default
 * saves scavenges. The streaming reader gains nothing from a larger one (measured at 32 vs 128 MB on 100k rows),
 * and every MB of it shows in the peak memory of an import.
 */
const WORKER_LIMITS = { resourceLimits: { maxYoungGenerationSizeMb: 32 } };

function startWorker(): Worker {
  // Benchmarks run the source tree but measure the built worker, as shipped (tsx slows SheetJS down ~2x).
  const override = process.env.CALLCONSOLE_IMPORT_WORKER;
  if (override && existsSync(override)) return new Worker(override, WORKER_LIMITS);
  for (const candidate of ['./import-worker.js', '../import-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return new Worker(url, WORKER_LIMITS);
  }
  const entry = new URL('./import-worker.ts', import.meta.url).href;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, ...WORKER_LIMITS });
}

export class ImportWorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'ImportWorkerError';
  }
}

type Listener = (msg: FromWorker) => 'done' | 'more';

/**
 * One warm worker is kept between imports: starting one costs ~1 s (SheetJS and the phone metadata load), ~4 s in
 * the source tree under tsx. A released worker drops its workbook; a cancelled or failed one is terminated instead.
 */
const idle: Worker[] = [];
function acquireWorker(): Worker {
  const w = idle.pop();
  if (w) return w;
  const fresh = startWorker();
  fresh.on('exit', () => {
    const i = idle.indexOf(fresh);
    if (i >= 0) idle.splice(i, 1);
  });
  return fresh;
}
function releaseWorker(w: Worker): void {
  if (idle.length >= 1) {
    void w.terminate();
    return;
  }
  w.postMessage({ type: 'reset' } satisfies ToWorker);
  w.unref();
  idle.push(w);
}

/**
 * One dropped file: a worker that holds the parsed workbook. Requests run one at a time; cancel() terminates the
 * worker, which rejects the request in flight with code 'cancelled'.
 */
export class ImportSession {
  private readonly worker: Worker;
  private pending: { listener: Listener; reject: (err: Error) => void } | null = null;
  private closed = false;
  private cancelled = false;
  /** The worker crashed or was terminated: never hand it back to the pool. */
  private failed = false;

  private readonly onMessage: (msg: unknown) => void;
  private readonly onError: (err: Error) => void;
  private readonly onExit: () => void;

  constructor(onProgress?: (msg: Extract<FromWorker, { type: 'progress' }>) => void) {
    this.worker = acquireWorker();
    // An idle session must not keep a CLI or test process alive.
    this.worker.unref();
    this.onMessage = (msg: unknown) => {
      if (!isFromWorker(msg)) return;
      if (msg.type === 'progress') {
        onProgress?.(msg);
        return;
      }
      const p = this.pending;
      if (!p) return;
      if (msg.type === 'error') {
        this.pending = null;
        p.reject(new ImportWorkerError(msg.code, msg.message));
        return;
      }
      if (p.listener(msg) === 'done') this.pending = null;
    };
    this.onError = (err: Error) => {
      this.failed = true;
      this.failPending(new ImportWorkerError('internal', `The import worker failed: ${err.message}`));
    };
    this.onExit = () => {
      this.closed = true;
      this.failed = true;
      this.failPending(
        this.cancelled
          ? new ImportWorkerError('cancelled', 'The import was cancelled; nothing was imported.')
          : new ImportWorkerError(
              'internal',
              'The import worker stopped unexpectedly (out of memory?). Nothing was imported.',
            ),
      );
    };
    this.worker.on('message', this.onMessage);
    this.worker.on('error', this.onError);
    this.worker.on('exit', this.onExit);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one request and feeds every reply to `listener` until it says 'done'. */
  request(msg: ToWorker, listener: Listener, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new ImportWorkerError(
          this.cancelled ? 'cancelled' : 'internal',
          'This import session has ended; drop the file again.',
        ),
      );
    if (this.pending)
      return Promise.reject(
        new ImportWorkerError('internal', 'This import is busy with another step; wait for it to finish.'),
      );
    return new Promise<void>((resolve, reject) => {
      this.pending = {
        listener: (m) => {
          const r = listener(m);
          if (r === 'done') resolve();
          return r;
        },
        reject,
      };
      this.worker.ref();
      this.worker.postMessage(msg, transfer);
    }).finally(() => {
      if (!this.closed) this.worker.unref();
    });
  }

  cancel(): void {
    if (this.closed) return;
    this.cancelled = true;
    this.failed = true;
    // terminate() stops the worker mid-parse; its exit event rejects the request in flight with 'cancelled'.
    void this.worker.terminate();
  }

  /** Ends the session; the worker goes back to the pool unless it is busy, crashed or was cancelled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    if (this.failed || this.pending) {
      this.failPending(new ImportWorkerError('internal', 'This import session was closed.'));
      await this.worker.terminate();
      return;
    }
    releaseWorker(this.worker);
  }

  private failPending(err: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }
}

const TYPES = new Set(['preview', 'progress', 'records', 'converted', 'xlsx-written', 'xlsx', 'error']);
function isFromWorker(msg: unknown): msg is FromWorker {
  return typeof msg === 'object' && msg !== null && TYPES.has(String((msg as { type?: unknown }).type));
}
