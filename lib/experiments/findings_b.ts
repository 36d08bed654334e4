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

/** One (loss, dimension) survey of figure B5. */
export interface CriticalPointCell {
  /** "CE, d = 5 > K". */
  label: string;
  /** The critical points found: height above f*, most negative curvature, verdict. */
  points: {
    gap: number;
    curvature: number;
    kind: "global_minimum" | "strict_saddle" | "local_minimum" | "other";
  }[];
  /** Starts whose ½‖∇f‖² minimization did not end at a critical point. */
  discarded: number;
}

/**
 * Figure B5: per survey, how many critical points of each kind were found and the curvature
 * range of the saddles; says so loudly if a non-global local minimum turned up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const saddle = { gap: 0.5, curvature: -0.1, kind: "strict_saddle" as const };
 * const text = criticalPointText([{ label: "LS", points: [saddle], discarded: 0 }]);
 * assert.match(text, /^Every non-global critical point found is a strict saddle/);
 * const local = { gap: 0.5, curvature: 0.01, kind: "local_minimum" as const };
 * assert.match(criticalPointText([{ label: "FL", points: [local], discarded: 0 }]), /^NOT every/);
 * ```
 */
export function criticalPointText(cells: readonly CriticalPointCell[]): string {
  const all = cells.flatMap((cell) => cell.points);
  const saddles = all.filter((p) => p.kind === "strict_saddle");
  const locals = cells.flatMap((cell) =>
    cell.points.filter((p) => p.kind === "local_minimum").map(() => cell.label)
  );
  const head = locals.length === 0
    ? "Every non-global critical point found is a strict saddle"
    : `NOT every non-global critical point is a strict saddle: local minima in ${
      [...new Set(locals)].join(", ")
    }`;
  const curvatures = saddles.map((p) => p.curvature);
  const range = curvatures.length === 0
    ? "no saddle found"
    : `negative curvature between ${Math.min(...curvatures).toPrecision(3)} and ${
      Math.max(...curvatures).toPrecision(3)
    }`;
  const counts = cells.map((cell) => {
    const count = (kind: string) => cell.points.filter((p) => p.kind === kind).length;
    return `${cell.label}: ${count("strict_saddle")} saddles, ${count("global_minimum")} global ` +
      `minima${count("local_minimum") ? `, ${count("local_minimum")} LOCAL MINIMA` : ""}` +
      (cell.discarded ? ` (${cell.discarded} starts not critical)` : "");
  });
  return `${head} (${saddles.length} saddles, ${range}). ${counts.join("; ")}.`;
}
