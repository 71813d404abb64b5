import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, systemChromium } from './test/ui/web-host-process';

// UI tests drive the real renderer through the web host (Electron cannot start on the build machines). A system
// Chromium is preferred; Playwright's own download is the fallback where one is installed.

export default defineConfig({
  testDir: 'test/ui',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: systemChromium(),
      args: CHROMIUM_ARGS,
    },
  },
});
