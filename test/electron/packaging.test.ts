import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// electron-builder.yml cannot be exercised here (packaging downloads Electron), so its release-critical settings
// are read with electron-builder's own YAML parser and checked.

const root = join(import.meta.dirname, '../..');
const { load } = createRequire(join(root, 'node_modules/electron-builder/package.json'))('js-yaml') as {
  load(text: string): unknown;
};

const Config = z.object({
  appId: z.string(),
  productName: z.string(),
  files: z.array(z.string()),
  asarUnpack: z.array(z.string()),
  npmRebuild: z.boolean(),
  buildDependenciesFromSource: z.boolean(),
  beforeBuild: z.string(),
  afterAllArtifactBuild: z.string(),
  electronFuses: z.record(z.string(), z.boolean()),
  linux: z.object({ target: z.array(z.string()), icon: z.string(), maintainer: z.string() }),
  win: z.object({ target: z.array(z.string()), icon: z.string() }),
  mac: z.object({ target: z.array(z.string()), icon: z.string() }),
});

const config = Config.parse(load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')));

describe('electron-builder.yml', () => {
  it('sets the release fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds every target, ships the built app and unpacks better-sqlite3 rebuilt for Electron', () => {
    expect(config.linux.target.sort()).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.files).toContain('out/**');
    expect(config.files).toContain('package.json');
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.beforeBuild).toBe('./scripts/prepare-electron.mjs');
    expect(config.afterAllArtifactBuild).toBe('./scripts/prepare-electron.mjs');
  });

  it('uses a 512×512 PNG icon from resources/', () => {
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon]) expect(icon).toBe('resources/icon.png');
    const png = readFileSync(join(root, 'resources/icon.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    expect(png.length).toBeLessThan(64 * 1024);
  });

  it('the main entry electron starts is the one electron-vite builds', () => {
    const pkg = z
      .object({ main: z.string(), scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
    expect(pkg.main).toBe('./out/main/index.js');
    expect(pkg.scripts.start).toBe('electron-vite build && node scripts/prepare-electron.mjs && electron .');
  });
});
