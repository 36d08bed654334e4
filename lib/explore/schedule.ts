/**
 * Which iterations the explorer records: all of the first ten, then a fixed number per decade,
 * evenly spaced on a log axis — the iterations a log–log plot of the dynamics needs, and a few
 * hundred observations even for long runs (each costs one evaluation of the NC metrics).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { observationSchedule } from "./schedule.ts";
 * const schedule = observationSchedule(1000, 4);
 * assert.deepEqual([...schedule], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 32, 56, 100, 178, 316,
 *   562]);
 * ```
 * @module
 */

/**
 * Iterations 0 … 10 and `perDecade` log-spaced iterations per decade below `iters` (the final
 * state is observed anyway), ascending.
 */
export function observationSchedule(iters: number, perDecade = 24): Set<number> {
  if (!Number.isSafeInteger(iters) || iters < 0) {
    throw new RangeError(`observationSchedule: iters must be an integer ≥ 0, got ${iters}`);
  }
  if (!Number.isSafeInteger(perDecade) || perDecade < 1) {
    throw new RangeError(`observationSchedule: perDecade must be an integer ≥ 1, got ${perDecade}`);
  }
  const schedule = new Set<number>();
  for (let t = 0; t <= Math.min(10, iters - 1); t++) schedule.add(t);
  for (let step = perDecade + 1;; step++) {
    const t = Math.round(10 ** (step / perDecade));
    if (t >= iters) break;
    schedule.add(t);
  }
  return schedule;
}
