import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startHostProcess } from './web-host-process';

// Playwright fixtures: a web host on a fresh data folder per test (stopped after it), and a console watcher that
// fails the test on any browser error or warning (the favicon 404 aside).

export interface RunningHost {
  url: string;
  dataDir: string;
  output(): string;
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
    if (/favicon\.ico/.test(text) || /favicon\.ico/.test(msg.location().url)) return;
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
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern; none here
  host: async ({}, use) => {
    const dataDir = freshDataDir();
    const hostProcess = await startHostProcess(dataDir);
    try {
      await use({ url: hostProcess.url, dataDir, output: hostProcess.output });
    } finally {
      await hostProcess.stop();
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
