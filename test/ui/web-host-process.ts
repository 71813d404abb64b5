import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// The built web host (out/main/web.js) as a child process, and the Chromium to drive it; shared by the Playwright
// fixture and the grid benchmark. Nothing here imports @playwright/test, so plain scripts can use it.

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A system Chromium when there is one; undefined lets Playwright use its own download where installed. */
export function systemChromium(): string | undefined {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (existsSync(candidate)) return candidate;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

export interface HostProcess {
  url: string;
  output(): string;
  /** SIGTERM (graceful core.close()), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts out/main/web.js on `dataDir`. A free port unless `extraArgs` names one; `rememberPort` passes no --port at
 * all, so the host takes the port of the folder's last run as `npm run web` does.
 */
export async function startHostProcess(
  dataDir: string,
  extraArgs: string[] = [],
  options: { rememberPort?: boolean; env?: Record<string, string> } = {},
): Promise<HostProcess> {
  const script = resolve('out/main/web.js');
  if (!existsSync(script)) throw new Error('out/main/web.js is missing: run `npx electron-vite build` first.');
  const portArgs = options.rememberPort || extraArgs.includes('--port') ? [] : ['--port', '0'];
  const child: ChildProcess = spawn(process.execPath, [script, '--data-dir', dataDir, ...portArgs, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, CALLCONSOLE_DATA_DIR: dataDir },
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host printed no URL within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    },
  };
}
