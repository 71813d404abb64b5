import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core must run in plain Node (web host, CLI, tests), so nothing under src/main/core may load electron; in
// the rest of main only the bootstrap does, everything else takes Electron's pieces as parameters.

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|m)?(t|j)sx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

// import … from 'electron', import('electron'), require('electron'), export … from 'electron' (also electron/main etc.)
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]electron(?:\/[\w/-]*)?['"]/m;

const importers = (dir: string) =>
  sources(join(root, dir))
    .filter((file) => ELECTRON_IMPORT.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file));

describe('electron stays at the edge', () => {
  it('the pattern catches every import form', () => {
    for (const line of [
      "import { app } from 'electron';",
      'import type { BrowserWindow } from "electron";',
      "const { app } = require('electron');",
      "const e = await import('electron');",
      "export { app } from 'electron/main';",
      "import 'electron';",
    ]) {
      expect(ELECTRON_IMPORT.test(line), line).toBe(true);
    }
    expect(ELECTRON_IMPORT.test("import { x } from './electron/desktop';")).toBe(false);
    expect(ELECTRON_IMPORT.test("import { rebuild } from '@electron/rebuild';")).toBe(false);
  });

  it('no file under src/main/core imports electron', () => {
    expect(sources(join(root, 'src/main/core')).length).toBeGreaterThan(10);
    expect(importers('src/main/core')).toEqual([]);
  });

  it('in main only the bootstrap imports electron; in the preload only its entry', () => {
    expect(importers('src/main')).toEqual(['src/main/index.ts']);
    expect(importers('src/preload')).toEqual(['src/preload/index.ts']);
    expect(importers('src/shared')).toEqual([]);
  });
});

/** Every module the file loads at run time, following relative and `@shared` imports (type-only imports are erased). */
function runtimeImports(entry: string, seen = new Set<string>(), bare = new Set<string>()): Set<string> {
  if (seen.has(entry)) return bare;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const [, typeOnly, spec] of text.matchAll(
    /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm,
  )) {
    if (typeOnly) continue;
    // `@shared/…` is the alias of src/shared (tsconfig paths), so it is followed like a relative import.
    const path = spec.startsWith('@shared') ? join(root, 'src/shared', spec.slice('@shared'.length)) : spec;
    const base = path.startsWith('.') ? resolve(dirname(entry), path) : path;
    if (path.startsWith('.') || path !== spec)
      runtimeImports(existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts'), seen, bare);
    else bare.add(spec);
  }
  return bare;
}

describe('sandboxed preload', () => {
  it('loads nothing but electron at run time (no zod, no Node modules)', () => {
    expect([...runtimeImports(join(root, 'src/preload/index.ts'))]).toEqual(['electron']);
  });
});
