/**
 * When to look at a long optimizer run: every one of the first iterations, then a fixed number
 * of log-spaced iterations per decade up to the last, so that a log-x plot of the dynamics has
 * evenly spaced points from the first step to convergence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logSpacedIterations } from "./schedule.ts";
 * const observed = logSpacedIterations(1000, 5);
 * assert.ok(observed.has(0) && observed.has(9) && observed.has(16) && observed.has(1000));
 * assert.ok(!observed.has(11));
 * ```
 * @module
 */

/**
 * The iterations 0 … `linearUntil − 1` and round(10^(i/perDecade)) for i = 0, 1, … up to
 * `last` (included when it is a grid point).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const grid = [...logSpacedIterations(100, 2, 3)].sort((a, b) => a - b);
 * assert.deepEqual(grid, [0, 1, 2, 3, 10, 32, 100]);
 * assert.throws(() => logSpacedIterations(100, 0), /perDecade/);
 * ```
 */
export function logSpacedIterations(
  last: number,
  perDecade: number,
  linearUntil = 10,
): ReadonlySet<number> {
  if (!Number.isSafeInteger(last) || last < 1) {
    throw new RangeError(`logSpacedIterations: last must be an integer ≥ 1, got ${last}`);
  }
  if (!Number.isSafeInteger(perDecade) || perDecade < 1) {
    throw new RangeError(`logSpacedIterations: perDecade must be an integer ≥ 1, got ${perDecade}`);
  }
  const observed = new Set<number>();
  for (let i = 0; i <= perDecade * Math.log10(last); i++) {
    observed.add(Math.round(10 ** (i / perDecade)));
  }
  for (let t = 0; t < linearUntil; t++) observed.add(t);
  return observed;
}
