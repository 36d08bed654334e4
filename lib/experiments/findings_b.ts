/**
 * The "measured" sentences of paper B's UFM figures (B1–B3), written from the runs' numbers, so
 * that a sentence says what the data says (tests/findings_ufm_test.ts checks that each changes
 * when the data contradicts the paper).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelledValues } from "./findings_b.ts";
 * assert.equal(labelledValues({ CE: 0.11180339, MSE: 0.1 }, 4), "CE 0.1118, MSE 0.1000");
 * ```
 * @module
 */
import { percentRange, sci } from "./format.ts";

/**
 * "label value, label value" with `digits` significant digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(labelledValues({ a: 8.40495 }, 3), "a 8.40");
 * ```
 */
export function labelledValues(values: Readonly<Record<string, number>>, digits: number): string {
  return Object.entries(values).map(([label, value]) => `${label} ${value.toPrecision(digits)}`)
    .join(", ");
}

/** The final state of one loss's run in figure B1. */
export interface LossRun {
  /** Loss key ("ce", "ls", "fl", "mse"). */
  loss: string;
  /** Display label. */
  label: string;
  /** Final |f − f*|. */
  gap: number;
  /** Final NC1. */
  nc1: number;
  /** Final NC2 (centered W vs simplex ETF). */
  nc2: number;
  /** Final NC3 (centered W vs centered class means). */
  nc3: number;
  /** Final ‖Wμ_G + b‖. */
  nc4: number;
  /** Iterations run. */
  iterations: number;
}

/** What {@link lossDynamicsFinding} read off the runs. */
export interface LossDynamicsFinding {
  /** The measured text. */
  text: string;
  /** Largest final |f − f*|. */
  maxGap: number;
}

/**
 * Figure B1: whether every loss reached its f*, how far NC1–NC3 fell, and where ‖Wμ_G + b‖
 * ended for the CE family (→ 0) and for MSE (≈ 1/√K shrunk by the bias penalty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const run = { gap: 1e-15, nc1: 1e-16, nc2: 1e-10, nc3: 1e-9, nc4: 1e-14, iterations: 9000 };
 * const runs = [{ ...run, loss: "ce", label: "CE" }, { ...run, loss: "mse", label: "MSE",
 *   nc4: 0.31 }];
 * assert.match(lossDynamicsFinding(runs, 10).text, /every loss reached its predicted f[*]/);
 * const stuck = [{ ...runs[0], gap: 0.2 }, runs[1]];
 * assert.match(lossDynamicsFinding(stuck, 10).text, /CE did NOT reach/);
 * ```
 */
export function lossDynamicsFinding(runs: readonly LossRun[], K: number): LossDynamicsFinding {
  const maxGap = Math.max(...runs.map((run) => run.gap));
  const max = (pick: (run: LossRun) => number, subset = runs) => sci(Math.max(...subset.map(pick)));
  const missed = runs.filter((run) => run.gap > 1e-8).map((run) => run.label);
  const softmax = runs.filter((run) => run.loss !== "mse");
  const mse = runs.find((run) => run.loss === "mse");
  const reached = missed.length === 0
    ? `every loss reached its predicted f* (largest |f − f*| ${sci(maxGap)})`
    : `${missed.join(", ")} did NOT reach the predicted f* (largest |f − f*| ${sci(maxGap)})`;
  const text = `After at most ${Math.max(...runs.map((run) => run.iterations))} iterations ` +
    `${reached}; final NC1 ≤ ${max((run) => run.nc1)}, NC2 ≤ ${max((run) => run.nc2)}, ` +
    `NC3 ≤ ${max((run) => run.nc3)} over all ${runs.length} losses. ‖Wμ_G + b‖ ends at ≤ ` +
    `${softmax.length === 0 ? "-" : max((run) => run.nc4, softmax)} for ` +
    `${softmax.map((run) => run.label.split(" ")[0]).join("/")}` +
    (mse === undefined
      ? "."
      : ` and at ${mse.nc4.toFixed(4)} for MSE (≈ 1/√K = ${(1 / Math.sqrt(K)).toFixed(4)} ` +
        "shrunk by the bias penalty, docs/ufm-mse.md#mse-reg-bias).");
  return { text, maxGap };
}

/** The restarts of one loss and dimension in figure B3. */
export interface LandscapeCell {
  /** "loss, d = …". */
  label: string;
  /** Restart statistics (lib/ufm/restarts.ts). */
  stats: {
    fraction_at_theory: number | null;
    gaps: readonly (number | null)[];
    failures: readonly unknown[];
  };
}

/**
 * Figure B3: per loss and dimension, the fraction of restarts that reached f*, the worst gap and
 * the failed runs, and whether every run of every loss reached the global minimum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const all = { fraction_at_theory: 1, gaps: [1e-16, 0], failures: [] };
 * assert.match(landscapeFinding([{ label: "CE, d = 8", stats: all }]).text,
 *   /CE, d = 8: 100% \(worst gap 1\.0e-16\)\. Every run of every loss reached/);
 * const some = { fraction_at_theory: 0.5, gaps: [1e-16, 0.3], failures: [] };
 * assert.match(landscapeFinding([{ label: "FL, d = 3", stats: some }]).text,
 *   /50% .*Not every run reached f[*]/);
 * ```
 */
export function landscapeFinding(cells: readonly LandscapeCell[]): { text: string } {
  const parts = cells.map(({ label, stats }) => {
    const gaps = stats.gaps.filter((gap): gap is number => gap !== null);
    const worst = gaps.length === 0 ? "no finished run" : `worst gap ${sci(Math.max(...gaps))}`;
    const fraction = stats.fraction_at_theory === null
      ? "no closed form"
      : percentRange([stats.fraction_at_theory]);
    const failed = stats.failures.length === 0 ? "" : `, ${stats.failures.length} failed`;
    return `${label}: ${fraction} (${worst}${failed})`;
  });
  const all = cells.every(({ stats }) => stats.fraction_at_theory === 1);
  return {
    text: `${parts.join("; ")}. ` +
      (all
        ? "Every run of every loss reached the global minimum, also with d = K − 1."
        : "Not every run reached f*: see the outcomes and gaps above."),
  };
}
