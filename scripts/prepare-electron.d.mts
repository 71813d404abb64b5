// Types of scripts/prepare-electron.mjs (plain JS so `npm start` runs it without a build step) for its tests.

export interface NativeTarget {
  electronVersion: string;
  platform: string;
  arch: string;
}
export interface BuildTarget extends NativeTarget {
  betterSqlite3Version: string;
}
export interface RunResult {
  code: number;
  output: string;
}

export const NATIVE_DIR: string;
export const DEFAULT_HEADERS_URL: string;
export function electronBindingFileName(electronVersion: string, platform: string, arch: string): string;
export function nativePaths(
  projectDir: string,
  target: NativeTarget,
): { dir: string; binary: string; stamp: string; workDir: string };
export function expectedStamp(target: BuildTarget): Record<string, string>;
export function needsBuild(input: { binaryExists: boolean; stampText?: string; expected: Record<string, string> }): {
  build: boolean;
  reason: string;
};
export function nodeGypArgs(input: {
  electronVersion: string;
  arch: string;
  headersUrl: string;
  devDir: string;
}): string[];
export function isDownloadFailure(output: string): boolean;
export function failureMessage(input: {
  electronVersion: string;
  headersUrl: string;
  output: string;
  devDir: string;
}): string;
export function prepare(options: {
  projectDir: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  log?: (line: string) => void;
  run?: (args: string[], cwd: string) => Promise<RunResult>;
}): Promise<{ action: 'skipped' | 'built'; binary: string }>;
export function saveNodeBuild(projectDir: string): boolean;
export function restoreNodeBuild(projectDir: string): boolean;
export function beforeBuild(): Promise<boolean>;
export function afterAllArtifactBuild(): Promise<string[]>;
