import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../src/main/web';
import { createTestCore, tempDir } from '../support/core';

// The web host over real HTTP and a real WebSocket on 127.0.0.1, with the real core behind it.

const core = createTestCore();
const site = tempDir('web-renderer-');
let host: WebHost;
let base: string;

beforeAll(async () => {
  mkdirSync(join(site.dir, 'assets'));
  writeFileSync(join(site.dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site.dir, 'assets', 'app.js'), 'console.log(1)');
  host = await startWebHost({ core, rendererDir: site.dir, port: 0 });
  base = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host.close();
  await core.cleanup();
  site.cleanup();
});

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

/** fetch() will not send a custom Host header; node:http does. */
function statusWithHost(url: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

function request(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(JSON.stringify(message));
  });
}

describe('web host', () => {
  it('prints a loopback URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the page only with the token, with a strict CSP, and lets assets load through the cookie it sets', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong${host.token}`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);

    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toContain(host.token);

    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log(1)');
    expect((await fetch(`${base}/assets/../../../etc/passwd`, { headers: { cookie } })).status).toBe(404);
  });

  it('refuses foreign origins and foreign Host names even with the right token', async () => {
    expect((await fetch(host.url, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect(await statusWithHost(host.url, 'rebind.example')).toBe(403);
    expect(await open(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: 'http://evil.example' })).toBe(
      403,
    );
  });

  it('refuses a socket without the right token', async () => {
    expect(await open(`ws://127.0.0.1:${host.port}/ws`)).toBe(401);
    expect(await open(`ws://127.0.0.1:${host.port}/ws?token=nope`)).toBe(401);
  });

  it('dispatches contract methods over the socket, validates input, and pushes events in batches', async () => {
    const ws = await open(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
    });
    if (typeof ws === 'number') throw new Error(`socket refused: ${ws}`);
    try {
      const info = await request(ws, { id: 1, method: 'app.info', input: {} });
      expect(info).toMatchObject({ id: 1, result: { ok: true, value: { host: 'cli', dataDir: core.dataDir } } });

      const unknown = await request(ws, { id: 2, method: 'nope.nothing', input: {} });
      expect(unknown).toMatchObject({ id: 2, result: { ok: false, error: { code: 'not_found' } } });

      const bad = await request(ws, { id: 3, method: 'calls.get', input: { id: 'x' } });
      expect(bad).toMatchObject({ id: 3, result: { ok: false, error: { code: 'invalid_input' } } });

      const malformed = await request(ws, { method: 'app.info' });
      expect(malformed).toMatchObject({ error: { code: 'invalid_input' } });

      const batch = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
      core.bus.publish('notice', { level: 'info', message: 'one', at: 1 });
      core.bus.publish('notice', { level: 'info', message: 'two', at: 2 });
      expect(await batch).toEqual({
        events: [
          { type: 'notice', payload: { level: 'info', message: 'one', at: 1 } },
          { type: 'notice', payload: { level: 'info', message: 'two', at: 2 } },
        ],
      });
    } finally {
      ws.close();
    }
  });
});

describe('errors over the socket', () => {
  let ws: WebSocket;
  beforeAll(async () => {
    const opened = await open(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
    });
    if (typeof opened === 'number') throw new Error(`socket refused: ${opened}`);
    ws = opened;
  });
  afterAll(() => ws.close());

  it('carries field issues as structured issues, from input validation and from the services', async () => {
    const badId = await request(ws, { id: 1, method: 'calls.get', input: { id: 'x' } });
    expect(badId).toMatchObject({
      result: { ok: false, error: { code: 'invalid_input', issues: [{ path: 'id', message: expect.any(String) }] } },
    });

    // Raised by the tunnel service itself, with the fix beside the field.
    const noUrl = await request(ws, { id: 2, method: 'tunnel.configure', input: { mode: 'custom_url' } });
    expect(noUrl).toEqual({
      id: 2,
      result: {
        ok: false,
        error: {
          code: 'invalid_input',
          message: expect.stringContaining('publicUrl'),
          issues: [{ path: 'publicUrl', message: expect.any(String), fix: expect.stringContaining('https://') }],
        },
      },
    });

    // Validated inside the settings store; the paths are those of the method's input.
    const settings = await request(ws, {
      id: 3,
      method: 'providers.update',
      input: { provider: 'retell', settings: { fromNumber: '0801', baseUrl: 'nope' }, keys: {} },
    });
    const error = (settings.result as { error: { code: string; issues: { path: string }[] } }).error;
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'settings.fromNumber', message: expect.stringContaining('E.164') },
        { path: 'settings.baseUrl', message: 'not a full URL', fix: expect.stringContaining('https://') },
      ]),
    );
  });

  it('answers an unexpected fault with a generic internal error and logs the detail', async () => {
    const created = await request(ws, {
      id: 4,
      method: 'agents.create',
      input: { name: 'Asha', phone: '+14155550100' },
    });
    const humanAgentId = (created.result as { value: { id: number } }).value.id;
    // A row damaged outside the console (constraints off): reading it throws a SyntaxError quoting the stored text.
    const outside = new Database(join(core.dataDir, 'console.db'));
    outside.pragma('ignore_check_constraints = ON');
    outside.prepare('UPDATE agents SET skills_json = ? WHERE id = ?').run('[leaked-row-text', humanAgentId);
    outside.close();

    const listed = await request(ws, { id: 5, method: 'agents.list', input: {} });
    expect(listed).toEqual({
      id: 5,
      result: {
        ok: false,
        error: { code: 'internal', message: 'agents.list failed unexpectedly; the details are in the log.' },
      },
    });
    expect(JSON.stringify(listed)).not.toContain('leaked-row-text');
    const logged = readFileSync(join(core.dataDir, 'logs', 'console.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('agents.list failed unexpectedly'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('SyntaxError');
  });
});

describe('demo.setup', () => {
  it('creates 20 callable demo contacts and a fast simulator campaign once, and --demo leaves existing data alone', async () => {
    const demoCore = createTestCore();
    try {
      const first = await demoCore.api['demo.setup']({ start: false, onlyIfEmpty: true });
      expect(first.created).toBe(true);
      const lists = await demoCore.api['lists.list']({});
      expect(lists).toHaveLength(1);
      expect(lists[0].contactCount).toBe(20);
      const campaign = await demoCore.api['campaigns.get']({ id: first.campaignId! });
      expect(campaign).toMatchObject({ provider: 'simulator', state: 'draft', listIds: [first.listId] });
      expect(campaign.settings.ignoreWindow).toBe(true);

      const again = await demoCore.api['demo.setup']({ start: false, onlyIfEmpty: true });
      expect(again).toEqual({ created: false, listId: null, campaignId: null });
      expect(await demoCore.api['lists.list']({})).toHaveLength(1);
    } finally {
      await demoCore.cleanup();
    }
  });
});
