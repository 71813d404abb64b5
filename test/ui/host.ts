import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

// Starts the built web host (out/main/web.js) as a child process on a fresh data folder, reads the URL it prints,
// and stops it (SIGTERM → graceful core.close()) after the test.

export interface RunningHost {
  url: string;
  dataDir: string;
  output(): string;
}

export async function startHost(dataDir: string, extraArgs: string[] = []): Promise<{ host: RunningHost; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [resolve('out/main/web.js'), '--data-dir', dataDir, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CALLCONSOLE_DATA_DIR: dataDir },
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
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
    if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
  };
  return { host: { url, dataDir, output: () => output }, stop };
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'callconsole-ui-'));
}

/** Errors in the browser console fail the test (the favicon 404 aside). */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const text = msg.text();
    if (/favicon\.ico/.test(text) || /Failed to load resource: .*404/.test(text) && /favicon/.test(msg.location().url)) return;
    problems.push(`${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: false });
}

export const test = base.extend<{ host: RunningHost; consoleProblems: string[] }>({
  host: async ({}, use) => {
    const dataDir = freshDataDir();
    const { host, stop } = await startHost(dataDir);
    try {
      await use(host);
    } finally {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  consoleProblems: async ({ page }, use) => {
    const problems = watchConsole(page);
    await use(problems);
    expect(problems, 'browser console should be clean').toEqual([]);
  },
});

export { expect };
