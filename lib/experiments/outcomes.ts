/**
 * Summaries of seeded restarts (lib/ufm/restarts.ts): tidy rows with one row per finished
 * restart, the fraction that reached an outcome, where a threshold lies on a grid, and which
 * values the "other" restarts ended at — the statistics behind the landscape claims of the
 * figures, computed from the runs and tested here rather than inline in a script.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fractionOf, thresholdBracket } from "./outcomes.ts";
 * assert.equal(fractionOf({ global: 3, f_0: 1 }), 0.75);
 * assert.deepEqual(thresholdBracket([0.1, 0.2, 0.3], [false, false, true]), [0.2, 0.3]);
 * ```
 * @module
 */
import type { FigureRow } from "../plot/csv.ts";
import type { RestartStats } from "../ufm/restarts.ts";

/**
 * One row per finished restart (failed ones are left out): `extra`, then `seed`, `outcome`
 * (lib/ufm/restarts.ts `classifyOutcome`) and `value` — the final objective, or with
 * `value: "gap"` its distance f − f* to the closed form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const stats = { seeds: [0, 1], objectives: [0.5, NaN], gaps: [0.1, null],
 *   outcomes: ["f_0", "failed"] };
 * assert.deepEqual(restartRows(stats, { kappa: 0.4 }), [
 *   { kappa: 0.4, seed: 0, outcome: "f_0", value: 0.5 },
 * ]);
 * assert.equal(restartRows(stats, {}, "gap")[0].value, 0.1);
 * ```
 */
export function restartRows(
  stats: Pick<RestartStats, "seeds" | "objectives" | "gaps" | "outcomes">,
  extra: FigureRow,
  value: "objective" | "gap" = "objective",
): FigureRow[] {
  const rows: FigureRow[] = [];
  stats.seeds.forEach((seed, i) => {
    const measured = value === "gap" ? stats.gaps[i] : stats.objectives[i];
    if (measured === null || Number.isNaN(measured)) return;
    rows.push({ ...extra, seed, outcome: stats.outcomes[i], value: measured });
  });
  return rows;
}

/**
 * The fraction of restarts whose outcome is `outcome` (default "global").
 *
 * @throws {RangeError} for no restarts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(fractionOf({ global: 1, other: 3 }, "other"), 0.75);
 * assert.equal(fractionOf({ f_0: 4 }), 0);
 * ```
 */
export function fractionOf(counts: Readonly<Record<string, number>>, outcome = "global"): number {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new RangeError("fractionOf: no restarts");
  return (counts[outcome] ?? 0) / total;
}

/**
 * The number of restarts whose outcome matches `pattern` (e.g. /^f_/ for the rank-deficient
 * critical values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(countMatching({ global: 9, f_1: 2, f_3: 1 }, /^f_/), 3);
 * ```
 */
export function countMatching(counts: Readonly<Record<string, number>>, pattern: RegExp): number {
  return Object.entries(counts).filter(([outcome]) => pattern.test(outcome))
    .reduce((sum, [, count]) => sum + count, 0);
}

/**
 * Where a grid measurement switches on: `[xs[i − 1], xs[i]]` for the first index i with
 * `switched[i]`, provided the series switches exactly once (false … false, true … true) and
 * starts off; null otherwise (no switch, several, or on from the start).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(thresholdBracket([1, 2, 3, 4], [false, true, true, true]), [1, 2]);
 * assert.equal(thresholdBracket([1, 2, 3], [false, true, false]), null);
 * assert.equal(thresholdBracket([1, 2], [true, true]), null);
 * ```
 */
export function thresholdBracket(
  xs: readonly number[],
  switched: readonly boolean[],
): [number, number] | null {
  if (xs.length !== switched.length) {
    throw new RangeError(`thresholdBracket: ${xs.length} grid points, ${switched.length} flags`);
  }
  const switches = switched.filter((on, i) => i > 0 && on !== switched[i - 1]).length;
  const first = switched.indexOf(true);
  if (switches !== 1 || first < 1) return null;
  return [xs[first - 1], xs[first]];
}

/**
 * Distinct values (rounded to `digits` decimals) with their multiplicity, ascending:
 * "0.4821 (×3), 0.5000" — e.g. the objectives at which restarts ended outside every known
 * critical value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(valueClusters([0.5, 0.48213, 0.48209, 0.4821]), "0.4821 (×3), 0.5000");
 * assert.equal(valueClusters([]), "");
 * ```
 */
export function valueClusters(values: readonly number[], digits = 4): string {
  const counts = new Map<string, number>();
  for (const value of values) {
    const key = value.toFixed(digits);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => Number(a) - Number(b))
    .map(([value, count]) => (count > 1 ? `${value} (×${count})` : value)).join(", ");
}
