#!/usr/bin/env node
// Builds better-sqlite3 for the installed Electron into .electron-native/ (run by `npm start` before `electron .`).
//
// Node and Electron need different builds of the addon. This script compiles a private copy of the module's
// sources against Electron's headers and keeps only the resulting .node file, named by Electron version, platform
// and arch; node_modules/better-sqlite3/build stays Node's, so `npm test` and `npm run web` keep working. The main
// process passes the file to better-sqlite3 as `nativeBinding` (src/main/electron/native-binding.ts uses the same
// name rule). Nothing is rebuilt when the file exists and was built from the same versions.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NATIVE_DIR = '.electron-native';
export const DEFAULT_HEADERS_URL = 'https://electronjs.org/headers';

/** Same rule as electronBindingFileName in src/main/electron/native-binding.ts (a test checks they agree). */
export function electronBindingFileName(electronVersion, platform, arch) {
  return `better_sqlite3-electron-${electronVersion}-${platform}-${arch}.node`;
}

export function nativePaths(projectDir, target) {
  const dir = join(projectDir, NATIVE_DIR);
  const binary = join(dir, electronBindingFileName(target.electronVersion, target.platform, target.arch));
  return {
    dir,
    binary,
    stamp: `${binary}.json`,
    workDir: join(dir, `build-${target.electronVersion}-${target.platform}-${target.arch}`),
  };
}

export function expectedStamp(target) {
  return {
    electronVersion: target.electronVersion,
    betterSqlite3Version: target.betterSqlite3Version,
    platform: target.platform,
    arch: target.arch,
  };
}

/** Whether to build, and why (printed, so a user sees why npm start takes a minute). */
export function needsBuild({ binaryExists, stampText, expected }) {
  if (!binaryExists) return { build: true, reason: 'no Electron build of better-sqlite3 yet' };
  let stamp;
  try {
    stamp = JSON.parse(stampText ?? '');
  } catch {
    return { build: true, reason: 'the build record is missing or unreadable' };
  }
  for (const key of Object.keys(expected)) {
    if (stamp?.[key] !== expected[key]) {
      return { build: true, reason: `${key} changed (${String(stamp?.[key])} → ${expected[key]})` };
    }
  }
  return { build: false, reason: 'up to date' };
}

export function nodeGypArgs({ electronVersion, arch, headersUrl, devDir }) {
  return [
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    `--arch=${arch}`,
    `--dist-url=${headersUrl}`,
    `--devdir=${devDir}`,
    '--jobs=max',
  ];
}

const DOWNLOAD_FAILURE =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|\d{3} status code downloading|unable to get local issuer|self[- ]signed certificate|network/i;

export function isDownloadFailure(output) {
  return DOWNLOAD_FAILURE.test(output);
}

export function failureMessage({ electronVersion, headersUrl, output, devDir }) {
  if (isDownloadFailure(output)) {
    return [
      `Could not download the Electron ${electronVersion} headers from ${headersUrl}.`,
      'They are needed once, to build the database driver (better-sqlite3) for Electron.',
      'Check the network or proxy (HTTPS_PROXY), or point ELECTRON_HEADERS_URL at a mirror of',
      `${DEFAULT_HEADERS_URL}, then run "npm start" again. Downloaded headers are kept in ${devDir}.`,
      '"npm run web" runs the same console in a browser without Electron.',
    ].join('\n');
  }
  return [
    `Building better-sqlite3 for Electron ${electronVersion} failed (output above).`,
    'It needs a C++20 compiler and Python 3 (Linux: build-essential python3; macOS: Xcode command line tools;',
    'Windows: Visual Studio Build Tools with "Desktop development with C++").',
  ].join('\n');
}

function readVersion(packageJson, what) {
  if (!existsSync(packageJson))
    throw new Error(`${what} is not installed (${packageJson} is missing). Run "npm install" first.`);
  return JSON.parse(readFileSync(packageJson, 'utf8')).version;
}

function findNodeGyp(projectDir) {
  try {
    return createRequire(join(projectDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // npm ships its own copy next to itself
    const npmBundled = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
    if (existsSync(npmBundled)) return npmBundled;
    throw new Error('node-gyp was not found; run "npm install" (it comes with @electron/rebuild).');
  }
}

/** Runs node-gyp, echoing its output and keeping it for the diagnosis. */
function runNodeGyp(args, cwd, projectDir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [findNodeGyp(projectDir), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (stream, echo) =>
      stream.on('data', (chunk) => {
        output = (output + chunk.toString()).slice(-20_000);
        echo.write(chunk);
      });
    keep(child.stdout, process.stdout);
    keep(child.stderr, process.stderr);
    child.on('error', (err) => resolve({ code: 1, output: `${output}\n${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Ensures .electron-native holds better-sqlite3 built for the installed Electron. `run` is node-gyp (tests pass a
 * fake that writes the addon). Returns what it did; throws with a user-facing message when the build fails.
 */
export async function prepare({
  projectDir,
  env = process.env,
  platform = process.platform,
  arch = process.arch,
  log = (line) => console.log(line),
  run = (args, cwd) => runNodeGyp(args, cwd, projectDir),
}) {
  const modules = join(projectDir, 'node_modules');
  const target = {
    electronVersion: readVersion(join(modules, 'electron/package.json'), 'Electron'),
    betterSqlite3Version: readVersion(join(modules, 'better-sqlite3/package.json'), 'better-sqlite3'),
    platform,
    arch,
  };
  const paths = nativePaths(projectDir, target);
  const expected = expectedStamp(target);
  const decision = needsBuild({
    binaryExists: existsSync(paths.binary),
    stampText: existsSync(paths.stamp) ? readFileSync(paths.stamp, 'utf8') : undefined,
    expected,
  });
  const shown = relative(projectDir, paths.binary);
  if (!decision.build) {
    log(`better-sqlite3 for Electron ${target.electronVersion}: ${shown} is up to date.`);
    return { action: 'skipped', binary: paths.binary };
  }
  log(
    `Building better-sqlite3 ${target.betterSqlite3Version} for Electron ${target.electronVersion} (${decision.reason}); this takes a minute or two, once.`,
  );

  // A private copy of the sources: compiling in node_modules would overwrite Node's build.
  rmSync(paths.workDir, { recursive: true, force: true });
  const source = join(modules, 'better-sqlite3');
  cpSync(source, paths.workDir, {
    recursive: true,
    filter: (from) => {
      const rel = relative(source, from);
      return (
        rel !== 'build' &&
        !rel.startsWith(`build${sep}`) &&
        rel !== 'node_modules' &&
        !rel.startsWith(`node_modules${sep}`)
      );
    },
  });
  const headersUrl = env.ELECTRON_HEADERS_URL || DEFAULT_HEADERS_URL;
  const devDir = env.ELECTRON_GYP_DIR || join(homedir(), '.electron-gyp');
  try {
    const result = await run(
      nodeGypArgs({ electronVersion: target.electronVersion, arch, headersUrl, devDir }),
      paths.workDir,
    );
    const built = join(paths.workDir, 'build/Release/better_sqlite3.node');
    if (result.code !== 0 || !existsSync(built)) {
      throw new Error(
        failureMessage({ electronVersion: target.electronVersion, headersUrl, output: result.output, devDir }),
      );
    }
    const tmp = `${paths.binary}.tmp`;
    cpSync(built, tmp);
    renameSync(tmp, paths.binary);
    writeFileSync(paths.stamp, JSON.stringify({ ...expected, builtAt: new Date().toISOString() }, null, 2));
  } finally {
    rmSync(paths.workDir, { recursive: true, force: true });
  }
  log(`Built ${shown}.`);
  return { action: 'built', binary: paths.binary };
}

// Packaging: electron-builder rebuilds node_modules/better-sqlite3 for Electron in place (npmRebuild) before copying
// it into the app. These hooks (electron-builder.yml beforeBuild / afterAllArtifactBuild) put Node's build aside
// first and back afterwards, so tests and the web host still work after `npm run dist`.

const nodeBuildFile = (projectDir) => join(projectDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const nodeBuildBackup = (projectDir) => join(projectDir, NATIVE_DIR, 'node-build/better_sqlite3.node');

/** Keeps a copy of Node's build; an existing copy wins (a second arch in the same run finds Electron's build). */
export function saveNodeBuild(projectDir) {
  const backup = nodeBuildBackup(projectDir);
  if (existsSync(backup) || !existsSync(nodeBuildFile(projectDir))) return false;
  mkdirSync(dirname(backup), { recursive: true });
  cpSync(nodeBuildFile(projectDir), backup);
  return true;
}

export function restoreNodeBuild(projectDir) {
  const backup = nodeBuildBackup(projectDir);
  if (!existsSync(backup)) return false;
  mkdirSync(dirname(nodeBuildFile(projectDir)), { recursive: true });
  cpSync(backup, nodeBuildFile(projectDir));
  rmSync(dirname(backup), { recursive: true, force: true });
  return true;
}

const scriptProjectDir = () => join(dirname(fileURLToPath(import.meta.url)), '..');

export async function beforeBuild() {
  saveNodeBuild(scriptProjectDir());
  return true; // let electron-builder go on and rebuild for Electron
}

export async function afterAllArtifactBuild() {
  if (restoreNodeBuild(scriptProjectDir())) console.log('Restored the Node build of better-sqlite3 in node_modules.');
  return [];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const projectDir = scriptProjectDir();
  if (process.argv.includes('--restore-node-build')) {
    // after a packaging run that failed half-way
    console.log(restoreNodeBuild(projectDir) ? 'Restored the Node build of better-sqlite3.' : 'Nothing to restore.');
  } else {
    prepare({ projectDir }).catch((err) => {
      console.error(`\n${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
  }
}
