import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dispatch } from './bindings/dispatch';
import {
  attachWebSocketBinding,
  refusal,
  tokenFromQuery,
  tokenMatches,
  type WebSocketBinding,
} from './bindings/websocket';
import { createCore, type Core } from './create-core';
import { metaTagPolicy } from './electron/security';
import { defaultDataDir } from './core/data-dir';
import { nodePlatform } from './core/node-platform';

// The web host (npm run web): the built renderer and the WebSocket bridge on 127.0.0.1 only, behind a random
// token, running the same core as the desktop app. It is never tunnelled; the webhook server is a separate listener.

const LOOPBACK = '127.0.0.1';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface WebHostOptions {
  core: Pick<Core, 'api' | 'bus' | 'platform'>;
  /** 0 picks a free port. */
  port?: number;
  /** Folder holding the built renderer (index.html + assets). */
  rendererDir: string;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function csp(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ws://${host}`,
    "img-src 'self' data:",
    // The bundled Noto fonts (src/renderer/src/shell/fonts.ts).
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page sets this cookie from its ?token= so that its own scripts and styles load without the token in their URLs. */
const cookieName = (port: number) => `cc_token_${port}`;

function cookieToken(req: IncomingMessage, port: number): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName(port)) return rest.join('=');
  }
  return null;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererRoot = resolve(options.rendererDir);
  let port = 0;
  const allowedOrigins = () => [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`];
  const tokenOf = (req: IncomingMessage) => tokenFromQuery(req) ?? cookieToken(req, port);

  const server: Server = createServer((req, res) => {
    void serveStatic(req, res).catch((err: unknown) => {
      options.core.platform.logger.log('error', 'web', 'Static file failed', { error: String(err) });
      if (!res.headersSent) send(res, 500, 'Internal error');
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const policy = csp(req.headers.host ?? `${LOOPBACK}:${port}`);
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The page URL carries the token: never send it onwards as a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refused = refusal(req, token, allowedOrigins(), tokenOf);
    if (refused) {
      const hint = refused.status === 401 ? ' Open the URL the web host printed (it ends in ?token=…).' : '';
      return send(res, refused.status, `${refused.message}.${hint}`);
    }
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = normalize(join(rendererRoot, decodeURIComponent(path)));
    if (!file.startsWith(rendererRoot + sep)) return send(res, 404, 'Not found');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return send(res, 404, 'Not found');
    const isPage = extname(file) === '.html';
    const body = isPage ? withPagePolicy(await readFile(file, 'utf8'), policy) : await readFile(file);
    if (isPage && tokenMatches(token, tokenFromQuery(req))) {
      res.setHeader('Set-Cookie', `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': isPage ? 'no-store' : 'private, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  const binding: WebSocketBinding = attachWebSocketBinding({
    server,
    api: options.core.api,
    bus: options.core.bus,
    clock: options.core.platform.clock,
    logger: options.core.platform.logger,
    token,
    allowedOrigins,
  });

  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      await binding.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const CSP_META = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/gi;

/** The built page's CSP meta tag holds the desktop policy; served here it must allow this host's WebSocket instead. */
function withPagePolicy(html: string, policy: string): Buffer {
  return Buffer.from(
    html.replace(CSP_META, `<meta http-equiv="Content-Security-Policy" content="${metaTagPolicy(policy)}">`),
  );
}

/**
 * The token and port of the last run of this data folder (web-host.json, owner-only), so the URL the host printed
 * stays valid across restarts and an open page reconnects by itself. A missing or damaged file means a new token.
 */
const WebHostState = z.object({ token: z.string().min(32).max(128), port: z.number().int().min(1).max(65535) });
type WebHostState = z.infer<typeof WebHostState>;

export const WEB_HOST_STATE_FILE = 'web-host.json';

export function readWebHostState(dataDir: string): WebHostState | null {
  try {
    const parsed = WebHostState.safeParse(JSON.parse(readFileSync(join(dataDir, WEB_HOST_STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWebHostState(dataDir: string, state: WebHostState): void {
  const file = join(dataDir, WEB_HOST_STATE_FILE);
  writeFileSync(file, JSON.stringify(state) + '\n', { mode: 0o600 });
  // The mode of an existing file is left as it was by writeFileSync: the token is as good as a password.
  chmodSync(file, 0o600);
}

function isAddressInUse(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

const USAGE = `Usage: node out/main/web.js [--data-dir DIR] [--port N] [--demo]
  --data-dir DIR  where the database, logs and key file live (default $CALLCONSOLE_DATA_DIR or ~/.callconsole)
  --port N        port on 127.0.0.1 (default: the last run's, else a free one; 0: a free one)
  --demo          when the data folder has no lists yet, prepare the simulator demo (20 contacts, one campaign)
  --verbose       echo every log line (default: warnings and errors only)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port must be a whole number from 0 to 65535, got "${values.port}".\n${USAGE}\n`);
    process.exit(2);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const echo = (line: string) => {
    if (values.verbose || /"level":"(warn|error)"/.test(line)) process.stderr.write(line + '\n');
  };
  const buildCore = (): Core =>
    createCore({
      dataDir,
      platform: nodePlatform(dataDir, { echo }),
      host: 'web',
      version: process.env.npm_package_version,
      // A stand-in for Google's Sheets API and token endpoint (browser tests of the sheet panel); unset: Google.
      google: process.env.CALLCONSOLE_GOOGLE_ROOT_URL
        ? { rootUrl: process.env.CALLCONSOLE_GOOGLE_ROOT_URL, tokenUrl: process.env.CALLCONSOLE_GOOGLE_TOKEN_URL }
        : undefined,
      requestRestart: () => void restart(),
    });
  const startCore = async (target: Core) => {
    try {
      await target.start();
    } catch (err) {
      // The UI still opens so the problem can be seen and fixed there; calls cannot be received meanwhile.
      process.stderr.write(
        `Warning: the core did not start fully: ${err instanceof Error ? err.message : String(err)}\n` +
          `  Calls cannot be placed or received until this is fixed. Log: ${join(dataDir, 'logs', 'console.log')}\n`,
      );
    }
  };
  let core = buildCore();
  await startCore(core);

  const rendererDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  // The same token (and, unless --port says otherwise, the same port) as the last run of this folder.
  const remembered = readWebHostState(dataDir);
  const token = remembered?.token ?? randomBytes(24).toString('base64url');
  const wanted = port ?? remembered?.port ?? 0;
  let host = await startWebHost({ core, port: wanted, token, rendererDir }).catch((err: unknown) => {
    if (port !== undefined || wanted === 0 || !isAddressInUse(err)) throw err;
    process.stderr.write(`Port ${wanted} (last run's) is taken; using a free one, so the URL changes.\n`);
    return startWebHost({ core, port: 0, token, rendererDir });
  });
  writeWebHostState(dataDir, { token, port: host.port });

  // A staged restore or wipe finishes in a fresh core; the page keeps its URL and token and reconnects by itself.
  let restarting = false;
  async function restart(): Promise<void> {
    if (restarting) return;
    restarting = true;
    process.stdout.write('Restarting the console to finish the restore or wipe…\n');
    const { port: samePort, token } = host;
    await host.close().catch(() => undefined);
    await core.close().catch((err: unknown) => process.stderr.write(`Close failed: ${String(err)}\n`));
    core = buildCore();
    await startCore(core);
    host = await startWebHost({ core, port: samePort, token, rendererDir });
    restarting = false;
    process.stdout.write(`Restarted. Open: ${host.url}\n`);
  }

  if (values.demo) {
    const result = await dispatch(core.api, 'demo.setup', { start: false, onlyIfEmpty: true }, core.platform.logger);
    if (!result.ok) process.stderr.write(`Demo set-up failed: ${result.error.message}\n`);
  }

  process.stdout.write(
    [
      'Call Console web host',
      `  Open: ${host.url}`,
      `  Data folder: ${dataDir}`,
      '  Listening on 127.0.0.1 only; the token in the URL is required (keep it private).',
      '  Secrets are encrypted with a key file in the data folder, which is weaker than the OS keychain the',
      '  desktop app uses: anyone who can read that folder can read the provider keys.',
      '  Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    void (async () => {
      await host.close().catch(() => undefined);
      await core.close().catch((err: unknown) => process.stderr.write(`Close failed: ${String(err)}\n`));
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err: unknown) => {
    process.stderr.write(`Web host failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
