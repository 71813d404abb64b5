import { join } from 'node:path';

// Electron and Node need different builds of better-sqlite3. scripts/prepare-electron.mjs builds Electron's into
// .electron-native/ (same file name rule as below; a test checks both agree) and leaves node_modules on Node's build.

export const NATIVE_DIR = '.electron-native';

export function electronBindingFileName(electronVersion: string, platform: string, arch: string): string {
  return `better_sqlite3-electron-${electronVersion}-${platform}-${arch}.node`;
}

export type NativeBinding = { kind: 'default' } | { kind: 'file'; path: string };

/**
 * Packaged apps use the copy electron-builder rebuilt for Electron inside the app (unpacked from the asar); a dev
 * run (`npm start`, `electron .`) uses the side build in the project.
 */
export function resolveNativeBinding(options: {
  isPackaged: boolean;
  appPath: string;
  electronVersion: string;
  platform: string;
  arch: string;
}): NativeBinding {
  if (options.isPackaged) return { kind: 'default' };
  return {
    kind: 'file',
    path: join(
      options.appPath,
      NATIVE_DIR,
      electronBindingFileName(options.electronVersion, options.platform, options.arch),
    ),
  };
}
