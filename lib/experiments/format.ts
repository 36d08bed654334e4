/**
 * How numbers read in the "measured" text of a figure: errors in one-digit scientific notation,
 * ranges as "low–high" (one value when both ends agree), fractions as whole percentages and
 * outcome counts as "global 7, f_3 1" — the same way in every figure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countsText, percentRange, sci, textRange } from "./format.ts";
 * assert.equal(sci(0.000123), "1.2e-4");
 * assert.equal(textRange([2.04, 5.31], (x) => x.toFixed(1)), "2.0–5.3");
 * assert.equal(percentRange([1, 1]), "100%");
 * assert.equal(countsText({ other: 1, global: 7 }), "global 7, other 1");
 * ```
 * @module
 */

/**
 * `x` in scientific notation with `digits` decimals (default 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sci(5.27e-16), "5.3e-16");
 * assert.equal(sci(0), "0.0e+0");
 * ```
 */
export function sci(x: number, digits = 1): string {
  return x.toExponential(digits);
}

/**
 * "min–max" of `values` formatted by `format`, or a single value when both ends read the same.
 *
 * @throws {RangeError} for no values.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(textRange([3, 1, 2], String), "1–3");
 * assert.equal(textRange([0.501, 0.499], (x) => x.toFixed(1)), "0.5");
 * ```
 */
export function textRange(values: readonly number[], format: (x: number) => string): string {
  if (values.length === 0) throw new RangeError("textRange: no values");
  const low = format(Math.min(...values));
  const high = format(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
}

/**
 * The range of fractions in whole percent: "100%", "42–58%".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(percentRange([0.42, 0.58, 0.5]), "42–58%");
 * ```
 */
export function percentRange(fractions: readonly number[]): string {
  return `${textRange(fractions, (x) => (100 * x).toFixed(0))}%`;
}

/**
 * Counts per outcome as "a 1, b 2", sorted by outcome name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(countsText({ f_3: 1, global: 11 }), "f_3 1, global 11");
 * assert.equal(countsText({}), "none");
 * ```
 */
export function countsText(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "none" : entries.map(([name, count]) => `${name} ${count}`)
    .join(", ");
}
