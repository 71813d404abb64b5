import { homedir } from 'node:os';
import { join } from 'node:path';

/** Data folder of the web host and the CLI when --data-dir is not given (the desktop app uses its userData). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CALLCONSOLE_DATA_DIR || join(homedir(), '.callconsole');
}
