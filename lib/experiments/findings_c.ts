/**
 * The "measured" sentences of the label-structure figures C1 (minority collapse) and C3
 * (multi-label pick-all-label), written from the runs' numbers (tests/findings_c_test.ts checks
 * that each sentence changes when the data says otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trend } from "./findings_c.ts";
 * assert.equal(trend([0.1, 0.4, 0.9]), "rises");
 * assert.equal(trend([0.9, 0.4, 0.9]), "is not monotone");
 * ```
 * @module
 */
import { sci } from "./format.ts";

/** "rises", "falls", "stays flat" or "is not monotone" for a sequence (tolerance `tol`). */
export function trend(values: readonly number[], tol = 1e-9): string {
  const steps = values.slice(1).map((v, i) => v - values[i]);
  if (steps.every((s) => Math.abs(s) <= tol)) return "stays flat";
  if (steps.every((s) => s >= -tol)) return "rises";
  if (steps.every((s) => s <= tol)) return "falls";
  return "is not monotone";
}

/** One loss of figure C1: the minority classes' classifiers along the imbalance ratios. */
export interface MinorityRuns {
  /** Display label, e.g. "CE". */
  label: string;
  /** Mean ‖w_k‖² of the minority classes at each ratio. */
  norms: number[];
  /** Mean pairwise cosine of the minority classifiers at each ratio (NaN once they vanish). */
  cosines: number[];
  /** Closed-form ratio past which the minority classes vanish (undefined: no closed form). */
  threshold?: number | null;
}

/** What figure C1 measured. */
export interface MinorityCollapseData {
  /** Imbalance ratios R of the solver runs, ascending. */
  ratios: number[];
  /** The losses. */
  losses: MinorityRuns[];
  /** Largest |solver − closed form| (objective and per-class norms) where a closed form exists. */
  maxError: number;
}

/** Below this mean ‖w_k‖² the minority classifiers count as vanished (the solver's zero). */
const vanishedBelow = 1e-10;

/**
 * Figure C1: per loss, how the minority classifiers' cosine moves with R while they exist (towards
 * 1: they merge, Fang et al.'s minority collapse; near 0: they stay orthogonal) and from which R
 * they vanish, against the closed-form threshold where there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = minorityCollapseText({ ratios: [1, 10, 100], maxError: 1e-12, losses: [
 *   { label: "CE", norms: [20, 1, 0], cosines: [-0.1, 0.999, NaN] },
 *   { label: "MSE", norms: [1, 0.5, 0], cosines: [0, 0, NaN], threshold: 45 },
 * ] });
 * assert.match(text, /CE: .*rises from −0\.100 at R = 1 to 0\.999 at R = 10 \(the minority classifiers merge\); they vanish from R = 100/);
 * assert.match(text, /MSE: .*stay orthogonal.*vanish from R = 100 on \(closed form: R\* = 45\.0, consistent\)/);
 * ```
 */
export function minorityCollapseText(data: MinorityCollapseData): string {
  const { ratios } = data;
  const format = (x: number) => x.toFixed(3).replace("-", "−");
  const parts = data.losses.map((run) => {
    const alive = ratios.flatMap((_ratio, i) => run.norms[i] >= vanishedBelow ? [i] : []);
    const gone = ratios.find((_, i) => run.norms[i] < vanishedBelow);
    const cosines = alive.map((i) => run.cosines[i]).filter((c) => Number.isFinite(c));
    let shape = "no minority classifiers to compare";
    if (cosines.length > 0) {
      const last = alive.at(-1)!;
      const spread = Math.max(...cosines.map(Math.abs));
      shape = spread < 1e-6
        ? "the minority classifiers stay orthogonal (cosine 0)"
        : `the minority classifiers' mean cosine ${trend(cosines, 1e-6)} from ` +
          `${format(cosines[0])} at R = ${ratios[alive[0]]} to ${format(cosines.at(-1)!)} at ` +
          `R = ${ratios[last]}` +
          (cosines.at(-1)! > 0.99 ? " (the minority classifiers merge)" : "");
    }
    const vanish = gone === undefined
      ? `; they do not vanish up to R = ${ratios.at(-1)}`
      : `; they vanish from R = ${gone} on`;
    let threshold = "";
    if (run.threshold !== undefined) {
      const before = ratios.filter((r) => gone === undefined || r < gone).at(-1) ?? 0;
      const consistent = run.threshold === null
        ? gone === undefined
        : gone !== undefined && gone >= run.threshold && before <= run.threshold;
      threshold =
        ` (closed form: ${
          run.threshold === null ? "never" : `R* = ${run.threshold.toFixed(1)}`
        }, ` +
        `${consistent ? "consistent" : "INCONSISTENT"})`;
    }
    return `${run.label}: ${shape}${vanish}${threshold}`;
  });
  return `${parts.join(". ")}. Solver vs closed form within ${sci(data.maxError)}.`;
}

/** What figure C3 measured, one entry per solved λ. */
export interface PalData {
  /** λ of the runs (λ_W = λ_H = λ_b, Z convention). */
  lambdas: number[];
  /** Smallest tag-wise cosine over the pairs at each λ. */
  cosine: number[];
  /** Spread max − min of c_2 over the pairs at each λ. */
  spread: number[];
  /** Mean c_2 at each λ. */
  mean: number[];
  /** ETF distance (NC2) of the single-label class means at each λ. */
  etf: number[];
  /** Final NC1 of the multiplicity-1 features of the dynamics run. */
  finalNc1: number;
  /** Smallest λ whose minimizer is the zero solution (undefined: none in the grid). */
  zeroFrom?: number;
}

/**
 * Figure C3: whether the pair features are tag-wise averages (cosine 1, one c_2 per multiplicity)
 * and the single-label means a simplex ETF at every λ, and how c_2 moves with λ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ok = palText({ lambdas: [1e-3, 1e-2], cosine: [1, 1 - 1e-12], spread: [1e-12, 2e-12],
 *   mean: [1.5, 1.8], etf: [1e-12, 1e-11], finalNc1: 1e-20 });
 * assert.match(ok, /^At every λ/);
 * assert.match(ok, /single-label means are a simplex ETF/);
 * const bad = palText({ lambdas: [1e-3], cosine: [0.9], spread: [0], mean: [1.5], etf: [0.3],
 *   finalNc1: 1e-20 });
 * assert.match(bad, /^NOT at every λ/);
 * assert.match(bad, /single-label means are NOT a simplex ETF/);
 * ```
 */
export function palText(data: PalData): string {
  const worstCosine = Math.min(...data.cosine);
  const worstSpread = Math.max(...data.spread);
  const worstEtf = Math.max(...data.etf);
  const holds = 1 - worstCosine <= 1e-8 && worstSpread <= 1e-8;
  return `${holds ? "At every λ" : "NOT at every λ"} the pair means are tag-wise averages of ` +
    `their classes' means: smallest cosine ${worstCosine.toFixed(12)}, largest spread of c_2 ` +
    `over the pairs ${sci(worstSpread)}; the single-label means are ` +
    `${worstEtf <= 1e-6 ? "a simplex ETF" : "NOT a simplex ETF"} (largest ETF distance ` +
    `${sci(worstEtf)}). The common scale c_2 ${trend(data.mean, 1e-9)} ` +
    `from ${data.mean[0].toFixed(4)} to ${data.mean.at(-1)!.toFixed(4)} as λ grows ` +
    `from ${sci(data.lambdas[0])} to ${sci(data.lambdas.at(-1)!)}; the multiplicity-1 features ` +
    `collapse (final NC1 ${sci(data.finalNc1)}).` +
    (data.zeroFrom === undefined ? "" : ` From λ = ${sci(data.zeroFrom)} on the minimizer is 0.`);
}
