import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { contract } from '../../src/shared/contract';
import { createCore } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { CHROMIUM_ARGS, startHostProcess, systemChromium } from '../ui/web-host-process';

// Grid benchmark: 100,000 contacts seeded through the core API, then the real renderer in Chromium
// through the web host (needs `npx electron-vite build` first; `npm run bench` does it).
//  grid_first_render_ms: from the click on "Contacts" (app loaded, socket open) until the first rows of the
//    100,000 are on screen, measured in the page; grid_cold_first_render_ms is the same from navigation start.
//  grid_scroll_p95_frame_ms: main-thread work per frame while scrolling steadily as pages stream in (see
//    measureScroll); grid_scroll_p95_raf_interval_ms is the raw frame interval beside it.

const CONTACTS = 100_000;
const BATCH = 10_000;
const SCROLL_FRAMES = 400;

async function seed(dataDir: string): Promise<void> {
  const core = createCore({ dataDir, platform: nodePlatform(dataDir), host: 'cli' });
  try {
    let listId: number | undefined;
    for (let start = 0; start < CONTACTS; start += BATCH) {
      const contacts = Array.from({ length: BATCH }, (_, k) => {
        const i = start + k;
        return {
          name: `Customer ${i}`,
          phone: `+9198${String(i).padStart(8, '0')}`,
          variables: { order_id: `ORD-${i}`, city: ['Pune', 'Kochi', 'Patna'][i % 3] },
        };
      });
      const input = contract['contacts.add'].input.parse(
        listId === undefined ? { listName: 'Bench 100k', contacts } : { listId, contacts },
      );
      listId = (await core.api['contacts.add'](input)).listId;
    }
  } finally {
    await core.close();
  }
}

/** Resolves when a data row (not a "…" placeholder) is in the grid; returns performance.now() of that frame. */
const FIRST_ROWS = `new Promise((resolve) => {
  const check = () => {
    const cell = document.querySelector('[role=grid] [role=row][aria-rowindex="2"] [role=gridcell]');
    if (cell && cell.textContent && cell.textContent !== '…') requestAnimationFrame(() => resolve(performance.now()));
    else requestAnimationFrame(check);
  };
  check();
})`;

/**
 * Scrolls 100 px (about 4 rows, a brisk wheel) per frame. For each frame: `work` = from the frame's start (the rAF
 * timestamp, before scroll handlers and React's synchronous re-render) to the end of its style, layout and paint on
 * the main thread (a message posted from the rAF runs right after them); `interval` = rAF to rAF, which on a
 * machine without a GPU also includes software rasterisation that no page code controls.
 */
async function measureScroll(page: Page): Promise<{ work: number[]; interval: number[] }> {
  return page.evaluate(async (frames) => {
    const el = document.querySelector('[role=grid]') as HTMLElement;
    const work: number[] = [];
    const interval: number[] = [];
    let last = 0;
    for (let i = 0; i < frames; i++) {
      await new Promise<void>((resolve) =>
        requestAnimationFrame((frameStart) => {
          if (last) interval.push(frameStart - last);
          last = frameStart;
          el.scrollTop += 100;
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            work.push(performance.now() - frameStart);
            resolve();
          };
          channel.port2.postMessage(0);
        }),
      );
    }
    return { work, interval };
  }, SCROLL_FRAMES);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (n: number) => Math.round(n * 10) / 10;

export async function benchGrid(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callconsole-bench-grid-'));
  const host = await (async () => {
    await seed(dataDir);
    return startHostProcess(dataDir);
  })();
  const browser = await chromium.launch({
    executablePath: systemChromium(),
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(host.url);
    const cold = (await page.evaluate(FIRST_ROWS)) as number;
    await page.getByText(`${CONTACTS.toLocaleString()} contacts`).waitFor();

    const nav = page.getByRole('navigation', { name: 'Views' });
    const firstRender: number[] = [];
    for (let run = 0; run < 5; run++) {
      await nav.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('region', { name: 'Providers' }).waitFor();
      const elapsed = (await page.evaluate(`(() => {
        const t0 = performance.now();
        document.querySelector('nav[aria-label="Views"] button').click();
        return ${FIRST_ROWS}.then((t1) => t1 - t0);
      })()`)) as number;
      firstRender.push(elapsed);
    }
    await page.getByRole('grid', { name: 'Contacts' }).focus();
    const { work, interval } = await measureScroll(page);
    return {
      grid_first_render_ms: round(percentile(firstRender, 50)),
      grid_cold_first_render_ms: round(cold),
      grid_scroll_p95_frame_ms: round(percentile(work, 95)),
      grid_scroll_p50_frame_ms: round(percentile(work, 50)),
      grid_scroll_p95_raf_interval_ms: round(percentile(interval, 95)),
    };
  } finally {
    await browser.close();
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
