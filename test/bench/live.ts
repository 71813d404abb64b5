import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FLOOR_CALLS, seedFloor } from '../ui/live-floor';
import { CHROMIUM_ARGS, startHostProcess, systemChromium } from '../ui/web-host-process';

// Live board benchmark: the floor of 200 simulator calls (test/ui/live-floor.ts) through the web host, the board in
// table mode while the calls ring, answer and talk. live_200_p95_frame_ms: main-thread work per frame (from the
// frame's start to the end of its style, layout and paint), 95th percentile over 300 frames.

const FRAMES = 300;

export async function benchLive(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callconsole-bench-live-'));
  await seedFloor(dataDir, { simSpeed: 1 });
  const host = await startHostProcess(dataDir);
  const browser = await chromium.launch({ executablePath: systemChromium(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    const nav = page.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('button', { name: 'Campaigns' }).click();
    await page.getByRole('region', { name: 'Campaign Floor 200' }).getByRole('button', { name: 'Start' }).click();
    await nav.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('toolbar', { name: 'Live board view' }).getByRole('button', { name: 'Table' }).click();
    await page
      .getByLabel('Calls live now')
      .filter({ hasText: String(FLOOR_CALLS) })
      .waitFor({ timeout: 60_000 });
    const work = await page.evaluate(async (frames) => {
      const out: number[] = [];
      for (let i = 0; i < frames; i++) {
        await new Promise<void>((resolve) =>
          requestAnimationFrame((frameStart) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              out.push(performance.now() - frameStart);
              resolve();
            };
            channel.port2.postMessage(0);
          }),
        );
      }
      return out;
    }, FRAMES);
    const sorted = [...work].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      live_200_p95_frame_ms: Math.round(p(0.95) * 10) / 10,
      live_200_p50_frame_ms: Math.round(p(0.5) * 10) / 10,
    };
  } finally {
    await browser.close();
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
