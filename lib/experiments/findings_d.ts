/**
 * The "measured" sentences of the normalized-feature figures D1 (spherical UFM) and D2
 * (softmax codes), written from the runs' numbers (tests/findings_d_test.ts checks that each
 * sentence changes when the data says otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sphereFinding } from "./findings_d.ts";
 * const { text } = sphereFinding([{ label: "CE", tau: 1, fraction: 1, gap: 1e-15 }], 1e-9);
 * assert.match(text, /^CE: every random start reached f\* at every τ/);
 * ```
 * @module
 */
import { sci } from "./format.ts";

/** One (loss, τ) cell of D1: restarts reaching f* and the best run's distance to it. */
export interface SphereCell {
  /** Loss label. */
  label: string;
  /** Temperature. */
  tau: number;
  /** Fraction of the random starts within the tolerance of f* (NaN without a closed form). */
  fraction: number;
  /** |best f − f*| (NaN without a closed form). */
  gap: number;
}

/**
 * Figure D1: per loss, whether every random start reached the closed form at every τ, and the
 * largest distance of the best start from it.
 */
export function sphereFinding(
  cells: readonly SphereCell[],
  tolerance: number,
): { text: string; maxGap: number } {
  const labels = [...new Set(cells.map((cell) => cell.label))];
  let maxGap = 0;
  const parts = labels.map((label) => {
    const own = cells.filter((cell) => cell.label === label && Number.isFinite(cell.fraction));
    if (own.length === 0) return `${label}: no closed form to compare`;
    const gap = Math.max(...own.map((cell) => cell.gap));
    maxGap = Math.max(maxGap, gap);
    const missed = own.filter((cell) => cell.fraction < 1);
    const best = gap <= tolerance
      ? `best start within ${sci(gap)} of f*`
      : `best start ${sci(gap)} AWAY from f*`;
    return missed.length === 0
      ? `${label}: every random start reached f* at every τ (${best})`
      : `${label}: not every start reached f* — ${
        missed.map((cell) => `${(100 * cell.fraction).toFixed(0)}% at τ = ${cell.tau}`).join(", ")
      } (${best})`;
  });
  return { text: parts.join("; ") + ".", maxGap };
}

/** One (d, K) code of D2: the margin found and the best known one, if any. */
export interface CodeCell {
  /** Dimension. */
  d: number;
  /** Number of vectors. */
  K: number;
  /** Margin ρ of the code found. */
  margin: number;
  /** Margin of the known optimal configuration (null where none is known). */
  known: number | null;
}

/**
 * Figure D2: whether the softmax-code search reproduces every known optimal margin, to what
 * accuracy, and what it finds where no optimum is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = codeFinding([{ d: 2, K: 5, margin: 0.690983, known: 0.690983 },
 *   { d: 3, K: 7, margin: 0.7899, known: null }], 1e-6);
 * assert.match(text, /^Every known optimal margin reproduced/);
 * assert.match(text, /\(3, 7\) 0\.7899/);
 * ```
 */
export function codeFinding(cells: readonly CodeCell[], tolerance: number): string {
  const known = cells.filter((cell) => cell.known !== null);
  const worst = Math.max(0, ...known.map((cell) => Math.abs(cell.margin - cell.known!)));
  const misses = known.filter((cell) => Math.abs(cell.margin - cell.known!) > tolerance);
  const unknown = cells.filter((cell) => cell.known === null)
    .map((cell) => `(${cell.d}, ${cell.K}) ${cell.margin.toFixed(4)}`);
  const head = misses.length === 0
    ? `Every known optimal margin reproduced (${known.length} codes, worst |Δρ| ${sci(worst)})`
    : `Known margins MISSED at ${misses.map((c) => `(d, K) = (${c.d}, ${c.K})`).join(", ")} ` +
      `(worst |Δρ| ${sci(worst)})`;
  return `${head}. Without a known optimum the search finds: ${unknown.join(", ") || "none"}.`;
}
