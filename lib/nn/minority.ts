/**
 * Minority collapse on a real network (figure C2; Fang et al., PNAS 2021, docs/imbalanced.md
 * #minority-collapse): statistics of step-imbalanced runs over the imbalance ratio R — the mean
 * pairwise cosine of the minority classes' classifier rows and the mean test accuracy of the
 * majority and of the minority classes — and the finding text read off them, so that the figure
 * says what its data say.
 *
 * Readings (all over the runs' final evaluations):
 * - the cosine at the smallest R is compared with the simplex-ETF value −1/(K−1) of a balanced
 *   collapsed network;
 * - the cosine **rises** with R if its seed mean at the largest R exceeds the one at the smallest
 *   R by more than 2·(σ_a² + σ_b²)^{1/2}/√S (σ: seed standard deviations, S seeds; with one seed,
 *   by more than 0.05); it **collapses** if in addition it reaches {@link COLLAPSED_COSINE} — the
 *   minority classifiers then point (nearly) the same way, Fang et al.'s minority collapse;
 * - minority and majority accuracy: their change from the smallest to the largest R, in
 *   percentage points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minorityCollapseFinding, type MinorityRun, summarizeByRatio } from "./minority.ts";
 * const run = (ratio: number, seed: number, cosine: number, minority: number): MinorityRun => ({
 *   ratio, seed, minorityCosine: cosine, majorityAcc: 0.98, minorityAcc: minority, trainAcc: 1,
 * });
 * const runs = [
 *   run(1, 1, -0.11, 0.97), run(1, 2, -0.1, 0.96),
 *   run(100, 1, 0.95, 0.3), run(100, 2, 0.97, 0.35),
 * ];
 * const finding = minorityCollapseFinding(summarizeByRatio(runs), 10);
 * assert.equal(finding.cosine, "collapses");
 * assert.match(finding.text, /collapse towards each other/);
 * ```
 * @module
 */

/** Cosine from which the minority classifiers count as collapsed onto each other. */
export const COLLAPSED_COSINE = 0.9;

/** The final state of one step-imbalanced run. */
export interface MinorityRun {
  /** Imbalance ratio R = n_majority / n_minority. */
  ratio: number;
  /** Seed of the run. */
  seed: number;
  /** Mean pairwise cosine of the minority classifier rows (null: undefined, e.g. zero rows). */
  minorityCosine: number | null;
  /** Mean test accuracy over the majority classes. */
  majorityAcc: number;
  /** Mean test accuracy over the minority classes. */
  minorityAcc: number;
  /** Final training accuracy (whole training set). */
  trainAcc: number;
}

/** Seed statistics of the runs at one ratio. */
export interface RatioSummary {
  /** Imbalance ratio R. */
  ratio: number;
  /** Number of runs (seeds). */
  seeds: number;
  /** Mean and sample standard deviation (n − 1) of the minority cosine over the seeds. */
  cosineMean: number;
  /** See `cosineMean`. */
  cosineStd: number;
  /** Mean majority-class test accuracy over the seeds. */
  majorityAcc: number;
  /** Mean minority-class test accuracy over the seeds. */
  minorityAcc: number;
  /** Lowest final training accuracy of the seeds. */
  minTrainAcc: number;
}

/** What {@link minorityCollapseFinding} read off the summaries. */
export interface MinorityFinding {
  /** How the minority cosine behaves from the smallest to the largest ratio. */
  cosine: "collapses" | "rises" | "no resolvable rise";
  /** Minority accuracy change (pp), smallest → largest R. */
  minorityAccChange: number;
  /** Majority accuracy change (pp), smallest → largest R. */
  majorityAccChange: number;
  /** The measured text. */
  text: string;
}

/**
 * Mean test accuracy over the `minority` classes and over the others, from per-class
 * accuracies (class 0 first). NaN for an empty group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(groupAccuracy([1, 0.9, 0.5, 0.3], [2, 3]), { majority: 0.95, minority: 0.4 });
 * ```
 */
export function groupAccuracy(
  perClass: readonly number[],
  minority: readonly number[],
): { majority: number; minority: number } {
  const isMinority = (k: number) => minority.includes(k);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    majority: mean(perClass.filter((_, k) => !isMinority(k))),
    minority: mean(perClass.filter((_, k) => isMinority(k))),
  };
}

/** What {@link minorityRun} reads of a run's final evaluation (lib/nn/train.ts `EvalRecord`). */
export interface FinalRecord {
  /** Per-class test accuracy (required here). */
  test_acc_per_class?: readonly number[];
  /** Minority classifier cosine. */
  minority_cosine?: number | null;
  /** Training accuracy. */
  train_acc: number;
}

/**
 * The {@link MinorityRun} of a final evaluation at ratio R with the given minority classes.
 * Throws for a record without per-class accuracies (a run saved before they were recorded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const record = { test_acc_per_class: [1, 0.8, 0.6, 0.2], minority_cosine: 0.5, train_acc: 1 };
 * assert.deepEqual(minorityRun(10, 1, record, [2, 3]), {
 *   ratio: 10, seed: 1, minorityCosine: 0.5, majorityAcc: 0.9, minorityAcc: 0.4, trainAcc: 1,
 * });
 * ```
 */
export function minorityRun(
  ratio: number,
  seed: number,
  record: FinalRecord,
  minority: readonly number[],
): MinorityRun {
  if (record.test_acc_per_class === undefined) {
    throw new RangeError("minority run: the record has no per-class test accuracy");
  }
  const accuracy = groupAccuracy(record.test_acc_per_class, minority);
  return {
    ratio,
    seed,
    minorityCosine: record.minority_cosine ?? null,
    majorityAcc: accuracy.majority,
    minorityAcc: accuracy.minority,
    trainAcc: record.train_acc,
  };
}

/**
 * Element-wise mean of equally long vectors (e.g. per-class accuracies over seeds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(meanVector([[1, 0.5], [0, 0.5]]), [0.5, 0.5]);
 * ```
 */
export function meanVector(vectors: readonly (readonly number[])[]): number[] {
  if (vectors.length === 0) return [];
  return vectors[0].map((_, k) => vectors.reduce((sum, v) => sum + v[k], 0) / vectors.length);
}

function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * One {@link RatioSummary} per ratio, ascending. Runs with an undefined cosine are left out of
 * the cosine statistics (NaN if all are).
 */
export function summarizeByRatio(runs: readonly MinorityRun[]): RatioSummary[] {
  const ratios = [...new Set(runs.map((r) => r.ratio))].sort((a, b) => a - b);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return ratios.map((ratio) => {
    const at = runs.filter((r) => r.ratio === ratio);
    const cosines = at.flatMap((r) => (r.minorityCosine === null ? [] : [r.minorityCosine]));
    return {
      ratio,
      seeds: at.length,
      cosineMean: cosines.length === 0 ? NaN : mean(cosines),
      cosineStd: sampleStd(cosines),
      majorityAcc: mean(at.map((r) => r.majorityAcc)),
      minorityAcc: mean(at.map((r) => r.minorityAcc)),
      minTrainAcc: Math.min(...at.map((r) => r.trainAcc)),
    };
  });
}

/**
 * The finding of figure C2 (see the module notes); `classes` K gives the ETF reference −1/(K−1).
 * Needs at least two ratios.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const flat = (ratio: number) => ({ ratio, seeds: 3, cosineMean: -0.1, cosineStd: 0.02,
 *   majorityAcc: 0.98, minorityAcc: 0.95, minTrainAcc: 1 });
 * const finding = minorityCollapseFinding([flat(1), flat(50)], 10);
 * assert.equal(finding.cosine, "no resolvable rise");
 * assert.match(finding.text, /do NOT collapse/);
 * ```
 */
export function minorityCollapseFinding(
  summaries: readonly RatioSummary[],
  classes: number,
): MinorityFinding {
  if (summaries.length < 2) throw new RangeError("minority finding: needs at least two ratios");
  const first = summaries[0], last = summaries[summaries.length - 1];
  const resolution = first.seeds > 1 && last.seeds > 1
    ? 2 * Math.sqrt(first.cosineStd ** 2 / first.seeds + last.cosineStd ** 2 / last.seeds)
    : 0.05;
  const rise = last.cosineMean - first.cosineMean;
  const cosine: MinorityFinding["cosine"] = !(rise > resolution)
    ? "no resolvable rise"
    : last.cosineMean >= COLLAPSED_COSINE
    ? "collapses"
    : "rises";
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const pp = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(1)} pp`;
  const cos = (x: number) => x.toFixed(3);
  const etf = -1 / (classes - 1);
  const path = summaries.map((s) => `${cos(s.cosineMean)} at R = ${s.ratio}`).join(", ");
  const steps = summaries.slice(1).filter((s, i) => s.cosineMean > summaries[i].cosineMean).length;
  const largestStd = Math.max(...summaries.map((s) => s.cosineStd));
  const verdict = cosine === "collapses"
    ? `the minority classifiers collapse towards each other (cosine ≥ ${COLLAPSED_COSINE} at ` +
      `R = ${last.ratio}): Fang et al.'s minority collapse`
    : cosine === "rises"
    ? `the minority classifiers move towards each other (the cosine rises by ${cos(rise)}, more ` +
      `than the ${cos(resolution)} seed noise allows) but do not collapse (below ` +
      `${COLLAPSED_COSINE} at R = ${last.ratio})`
    : `the minority classifiers do NOT collapse: the cosine changes by ${cos(rise)}, within ` +
      `the ${cos(resolution)} resolution of seed noise`;
  const minorityAccChange = 100 * (last.minorityAcc - first.minorityAcc);
  const majorityAccChange = 100 * (last.majorityAcc - first.majorityAcc);
  const fit = Math.min(...summaries.map((s) => s.minTrainAcc));
  const text = `Mean pairwise cosine of the minority classifiers (seed means): ${path} ` +
    `(rising in ${steps} of ${summaries.length - 1} steps; seed sd ≤ ${cos(largestStd)}; a ` +
    `balanced collapsed network has the simplex-ETF value ${cos(etf)}, measured ` +
    `${cos(first.cosineMean)} at R = ${first.ratio}) — ${verdict}. Minority-class test accuracy ` +
    `${pct(first.minorityAcc)} at R = ${first.ratio} → ${pct(last.minorityAcc)} at R = ` +
    `${last.ratio} (${pp(minorityAccChange)}); majority classes ${pct(first.majorityAcc)} → ` +
    `${pct(last.majorityAcc)} (${pp(majorityAccChange)}). Lowest final training accuracy ` +
    `${pct(fit)}.`;
  return { cosine, minorityAccChange, majorityAccChange, text };
}
