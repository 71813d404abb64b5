import { DatabaseTooNewError } from '../core/store/db';

/** What went wrong at startup, in words a user can act on. */
export interface StartupProblem {
  title: string;
  message: string;
  fix: string;
  /** The raw error, for a support request. */
  detail: string;
}

export class NativeBindingMissingError extends Error {
  constructor(readonly path: string) {
    super(`The Electron build of the database driver is missing: ${path}`);
    this.name = 'NativeBindingMissingError';
  }
}

const codeOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

export function describeStartupError(err: unknown, context: { dataDir: string; logDir: string }): StartupProblem {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const code = codeOf(err);
  if (err instanceof DatabaseTooNewError) {
    return {
      title: 'This data was saved by a newer version of Call Console',
      message: `The database ${err.file} has schema version ${err.fileVersion}; this version of the app understands up to ${err.appVersion}. Nothing was changed.`,
      fix: 'Install the newer version of Call Console again, or move the data folder aside to start fresh.',
      detail,
    };
  }
  if (err instanceof NativeBindingMissingError) {
    return {
      title: 'The database driver has not been built for Electron yet',
      message: `Expected ${err.path}.`,
      fix: 'Start the app with "npm start", which builds it once (it needs to download the Electron headers), or run "node scripts/prepare-electron.mjs".',
      detail,
    };
  }
  if (code === 'EADDRINUSE') {
    return {
      title: 'The webhook port is already in use',
      message:
        'Another program (or another copy of Call Console started with a different data folder) is listening on the port set for webhooks.',
      fix: 'Quit the other program, or set the webhook port to 0 (any free port) in Settings, then start the app again.',
      detail,
    };
  }
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code === 'ENOTDIR' ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_READONLY'
  ) {
    return {
      title: 'The data folder cannot be opened',
      message: `Call Console could not read or write ${context.dataDir}.`,
      fix: 'Check that the folder exists, belongs to you and is writable (and is not on a read-only or disconnected drive), then start the app again.',
      detail,
    };
  }
  if (/NODE_MODULE_VERSION|was compiled against a different/.test(detail)) {
    return {
      title: 'The database driver was built for a different runtime',
      message: 'better-sqlite3 in this install was compiled for Node.js, not for this Electron version.',
      fix: 'Delete the .electron-native folder and start with "npm start" to rebuild it for Electron.',
      detail,
    };
  }
  return {
    title: 'Call Console could not start',
    message: 'An unexpected error stopped the app while it was starting.',
    fix: `The log in ${context.logDir} has the details. Restart the app; if it happens again, send that log with your report.`,
    detail,
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A self-contained page (no scripts, inline styles only, its own CSP) loaded as a data: URL. */
export function startupErrorPage(problem: StartupProblem, context: { dataDir: string; logDir: string }): string {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(problem.title)}</title>
<style>
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { max-width: 42rem; margin: 3rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.4rem; } .fix { padding: .75rem 1rem; border-left: 4px solid #d97706; background: rgba(217,119,6,.1); }
pre { white-space: pre-wrap; word-break: break-word; font-size: .85rem; opacity: .8; } dt { font-weight: 600; }
</style></head><body>
<h1>${escapeHtml(problem.title)}</h1>
<p>${escapeHtml(problem.message)}</p>
<p class="fix"><strong>What to do:</strong> ${escapeHtml(problem.fix)}</p>
<dl><dt>Data folder</dt><dd>${escapeHtml(context.dataDir)}</dd><dt>Logs</dt><dd>${escapeHtml(context.logDir)}</dd></dl>
<details><summary>Technical details</summary><pre>${escapeHtml(problem.detail)}</pre></details>
</body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
