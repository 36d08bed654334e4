/**
 * Combining the rounds of a benchmark. On a shared machine the speed of a core drifts by up to
 * 2× within seconds (measured on the project machine: a 512³ product at 13 to 36 GFLOP/s in one
 * process over 10 s), so a ratio of two timings taken a minute apart says more about the drift
 * than about the code. `deno task bench` therefore alternates ufmlab and its NumPy / PyTorch
 * anchors in rounds, takes each ratio within a round, and reports the median over rounds
 * (docs/performance.md#rounds): drift that is slow against one round cancels in each ratio.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median, medianOfRounds } from "./rounds.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * assert.equal(median([4, 1, 2, 3]), 2.5);
 * // Round 2 ran while the machine was twice as slow: its times double, its ratio does not.
 * const rounds = [{ ours: 10, peer: 20, ratio: 0.5 }, { ours: 20, peer: 40, ratio: 0.5 }, {
 *   ours: 11,
 *   peer: 20,
 *   ratio: 0.55,
 * }];
 * assert.deepEqual(medianOfRounds(rounds), { ours: 11, peer: 20, ratio: 0.5 });
 * assert.deepEqual(medianOfRounds([{ a: 1, b: null }, { a: 3, b: 2 }]), { a: 2, b: null });
 * ```
 * @module
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Key-wise median of the same record measured in several rounds. A key that is null (skipped)
 * in any round is null in the result; keys missing from the first round are ignored.
 */
export function medianOfRounds<K extends string>(
  rounds: readonly Readonly<Record<K, number | null>>[],
): Record<K, number | null> {
  if (rounds.length === 0) throw new RangeError("medianOfRounds: no rounds");
  const out = {} as Record<K, number | null>;
  for (const key of Object.keys(rounds[0]) as K[]) {
    const values = rounds.map((round) => round[key]);
    out[key] = values.some((v) => v === null || v === undefined)
      ? null
      : median(values as number[]);
  }
  return out;
}
