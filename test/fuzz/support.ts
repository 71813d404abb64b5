import type { Parameters as FcParameters } from 'fast-check';

// Fixed seeds and few runs in `npm test`, so a failure replays exactly; FUZZ_RUNS=2000 (and FUZZ_SEED) for a long run.

const runs = Number(process.env.FUZZ_RUNS ?? '');
const seed = Number(process.env.FUZZ_SEED ?? '');

/** fast-check parameters: `defaultRuns` unless FUZZ_RUNS says otherwise, and a fixed seed per property. */
export function fuzzParameters<T>(defaultRuns: number, propertySeed: number): FcParameters<T> {
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) && process.env.FUZZ_SEED ? seed : propertySeed,
    endOnFailure: true,
  };
}

/** Test timeout that grows with FUZZ_RUNS (the default runs stay well inside it). */
export const fuzzTimeoutMs = (defaultRuns: number, perRunMs: number): number =>
  Math.max(30_000, (Number.isInteger(runs) && runs > 0 ? runs : defaultRuns) * perRunMs);
