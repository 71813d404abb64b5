import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  electronBindingFileName as scriptFileName,
  isDownloadFailure,
  needsBuild,
  nodeGypArgs,
  prepare,
  restoreNodeBuild,
  saveNodeBuild,
  type RunResult,
} from '../../scripts/prepare-electron.mjs';
import { electronBindingFileName, resolveNativeBinding } from '../../src/main/electron/native-binding';
import { tempDir } from '../support/core';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** A project folder with installed electron and better-sqlite3 (sources + Node's build), like after npm install. */
function project(electronVersion = '45.5.0', sqliteVersion = '12.11.1') {
  const { dir, cleanup } = tempDir('prepare-electron-');
  cleanups.push(cleanup);
  const pkg = (name: string, version: string) => {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  };
  pkg('electron', electronVersion);
  pkg('better-sqlite3', sqliteVersion);
  const module = join(dir, 'node_modules/better-sqlite3');
  writeFileSync(join(module, 'binding.gyp'), '{}');
  mkdirSync(join(module, 'src'));
  writeFileSync(join(module, 'src/better_sqlite3.cpp'), '// source');
  mkdirSync(join(module, 'build/Release'), { recursive: true });
  writeFileSync(join(module, 'build/Release/better_sqlite3.node'), 'NODE ABI BUILD');
  return { dir, nodeBuild: join(module, 'build/Release/better_sqlite3.node') };
}

/** Stands in for node-gyp: records its arguments and writes an addon where node-gyp would. */
function fakeGyp(outcome: RunResult | 'ok' = 'ok') {
  const calls: { args: string[]; cwd: string; sawNodeBuild: boolean; sawSources: boolean }[] = [];
  const run = async (args: string[], cwd: string): Promise<RunResult> => {
    calls.push({
      args,
      cwd,
      sawNodeBuild: existsSync(join(cwd, 'build/Release/better_sqlite3.node')),
      sawSources: existsSync(join(cwd, 'src/better_sqlite3.cpp')) && existsSync(join(cwd, 'binding.gyp')),
    });
    if (outcome !== 'ok') return outcome;
    mkdirSync(join(cwd, 'build/Release'), { recursive: true });
    writeFileSync(join(cwd, 'build/Release/better_sqlite3.node'), `ELECTRON BUILD ${args.join(' ')}`);
    return { code: 0, output: 'gyp info ok' };
  };
  return { run, calls };
}

const quiet = { log: () => undefined, platform: 'linux', arch: 'x64', env: {} };

describe('prepare-electron', () => {
  it('names the file exactly as the main process looks for it', () => {
    expect(scriptFileName('45.5.0', 'linux', 'x64')).toBe(electronBindingFileName('45.5.0', 'linux', 'x64'));
    expect(scriptFileName('46.0.0-beta.1', 'win32', 'arm64')).toBe(
      electronBindingFileName('46.0.0-beta.1', 'win32', 'arm64'),
    );
  });

  it('builds a private copy against Electron headers and leaves Node’s build in node_modules alone', async () => {
    const { dir, nodeBuild } = project();
    const gyp = fakeGyp();
    const result = await prepare({ projectDir: dir, ...quiet, run: gyp.run });
    expect(result.action).toBe('built');
    const expected = resolveNativeBinding({
      isPackaged: false,
      appPath: dir,
      electronVersion: '45.5.0',
      platform: 'linux',
      arch: 'x64',
    });
    expect(expected).toEqual({ kind: 'file', path: result.binary });
    expect(readFileSync(result.binary, 'utf8')).toMatch(
      /^ELECTRON BUILD rebuild --release --target=45\.5\.0 --arch=x64/,
    );
    expect(gyp.calls).toHaveLength(1);
    expect(gyp.calls[0].cwd).not.toContain('node_modules');
    expect(gyp.calls[0].sawSources).toBe(true);
    expect(gyp.calls[0].sawNodeBuild).toBe(false);
    expect(gyp.calls[0].args).toContain('--dist-url=https://electronjs.org/headers');
    expect(readFileSync(nodeBuild, 'utf8')).toBe('NODE ABI BUILD');
    expect(existsSync(gyp.calls[0].cwd)).toBe(false);
  });

  it('does nothing the second time, and rebuilds when Electron or better-sqlite3 changes', async () => {
    const { dir } = project();
    const gyp = fakeGyp();
    await prepare({ projectDir: dir, ...quiet, run: gyp.run });
    const lines: string[] = [];
    const again = await prepare({ projectDir: dir, ...quiet, log: (l) => lines.push(l), run: gyp.run });
    expect(again.action).toBe('skipped');
    expect(lines.join('\n')).toContain('up to date');
    expect(gyp.calls).toHaveLength(1);

    writeFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), JSON.stringify({ version: '12.12.0' }));
    const lines2: string[] = [];
    expect((await prepare({ projectDir: dir, ...quiet, log: (l) => lines2.push(l), run: gyp.run })).action).toBe(
      'built',
    );
    expect(lines2[0]).toContain('betterSqlite3Version changed (12.11.1 → 12.12.0)');

    writeFileSync(join(dir, 'node_modules/electron/package.json'), JSON.stringify({ version: '46.0.0' }));
    const next = await prepare({ projectDir: dir, ...quiet, run: gyp.run });
    expect(next.binary).toContain('better_sqlite3-electron-46.0.0-linux-x64.node');
    expect(gyp.calls).toHaveLength(3);
  });

  it('up-to-date check: missing file, missing or corrupt record, changed platform', () => {
    const expected = { electronVersion: '45.5.0', betterSqlite3Version: '12.11.1', platform: 'linux', arch: 'x64' };
    const stamp = JSON.stringify({ ...expected, builtAt: 'x' });
    expect(needsBuild({ binaryExists: true, stampText: stamp, expected })).toEqual({
      build: false,
      reason: 'up to date',
    });
    expect(needsBuild({ binaryExists: false, stampText: stamp, expected }).build).toBe(true);
    expect(needsBuild({ binaryExists: true, stampText: undefined, expected }).build).toBe(true);
    expect(needsBuild({ binaryExists: true, stampText: '{oops', expected }).build).toBe(true);
    expect(
      needsBuild({ binaryExists: true, stampText: JSON.stringify({ ...expected, arch: 'arm64' }), expected }).reason,
    ).toMatch(/arch/);
  });

  it('explains a headers download failure in plain words and keeps no half-built file', async () => {
    const { dir } = project();
    const output = [
      'gyp http GET https://electronjs.org/headers/v45.5.0/node-v45.5.0-headers.tar.gz',
      'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
      'gyp ERR! stack is related to network connectivity. In most cases you are behind a proxy or have bad',
    ].join('\n');
    const gyp = fakeGyp({ code: 1, output });
    const failure = prepare({
      projectDir: dir,
      ...quiet,
      env: { ELECTRON_HEADERS_URL: 'https://mirror.example/headers' },
      run: gyp.run,
    });
    await expect(failure).rejects.toThrow(
      /Could not download the Electron 45\.5\.0 headers from https:\/\/mirror\.example\/headers/,
    );
    expect(gyp.calls[0].args).toContain('--dist-url=https://mirror.example/headers');
    expect(existsSync(join(dir, '.electron-native', scriptFileName('45.5.0', 'linux', 'x64')))).toBe(false);
    expect(existsSync(gyp.calls[0].cwd)).toBe(false);
  });

  it('tells a compiler failure apart from a download failure', async () => {
    const { dir } = project();
    const gyp = fakeGyp({ code: 1, output: 'gyp ERR! build error\nmake: g++: No such file or directory' });
    await expect(prepare({ projectDir: dir, ...quiet, run: gyp.run })).rejects.toThrow(/C\+\+20 compiler and Python 3/);
    expect(isDownloadFailure('getaddrinfo ENOTFOUND electronjs.org')).toBe(true);
    expect(isDownloadFailure('gyp ERR! stack Error: 404 status code downloading tarball')).toBe(true);
    expect(isDownloadFailure('error: expected ; before }')).toBe(false);
  });

  it('says to run npm install when Electron is not installed', async () => {
    const { dir, cleanup } = tempDir('prepare-electron-empty-');
    cleanups.push(cleanup);
    await expect(prepare({ projectDir: dir, ...quiet, run: fakeGyp().run })).rejects.toThrow(
      /Electron is not installed.*npm install/,
    );
  });

  it('packaged apps use the module electron-builder rebuilt, not the side build', () => {
    expect(
      resolveNativeBinding({
        isPackaged: true,
        appPath: '/x/app.asar',
        electronVersion: '45.5.0',
        platform: 'linux',
        arch: 'x64',
      }),
    ).toEqual({
      kind: 'default',
    });
    expect(nodeGypArgs({ electronVersion: '45.5.0', arch: 'arm64', headersUrl: 'https://h', devDir: '/d' })).toEqual([
      'rebuild',
      '--release',
      '--target=45.5.0',
      '--arch=arm64',
      '--dist-url=https://h',
      '--devdir=/d',
      '--jobs=max',
    ]);
  });

  it('packaging hooks put Node’s build aside and back around electron-builder’s in-place rebuild', () => {
    const { dir, nodeBuild } = project();
    expect(saveNodeBuild(dir)).toBe(true);
    writeFileSync(nodeBuild, 'ELECTRON BUILD from electron-builder'); // what npmRebuild does
    expect(saveNodeBuild(dir)).toBe(false); // a second arch must not save Electron's build as Node's
    expect(restoreNodeBuild(dir)).toBe(true);
    expect(readFileSync(nodeBuild, 'utf8')).toBe('NODE ABI BUILD');
    expect(restoreNodeBuild(dir)).toBe(false);
  });
});
