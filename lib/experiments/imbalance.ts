/**
 * Runs of the minority-collapse figure (C1): a UFM instance per imbalance ratio, solved on the
 * class-reduced path, with the minority classes' mean classifier norm and mean pairwise cosine
 * read off the final state (docs/imbalanced.md#minority-collapse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minorityRun } from "./imbalance.ts";
 * const run = minorityRun({ K: 4, counts: [8, 8, 2, 2], d: 6, lambdaW: 1e-2, lambdaH: 1e-2,
 *   lambdaB: 0, bias: "none", norm: "z", loss: "mse", targetScale: 1 }, [2, 3]);
 * assert.ok(run.report.converged);
 * assert.ok(Math.abs(run.cosine) < 1e-8); // bias-free MSE: orthogonal minority classifiers
 * ```
 * @module
 */
import { deepLinearTheory } from "../theory/deep_linear.ts";
import type { StepImbalance } from "../theory/imbalanced.ts";
import { classifierCosine } from "../ufm/metrics.ts";
import type { UfmProblem } from "../ufm/problem.ts";
import { type SolveReport, type SolverSettings, solveUfm } from "../ufm/solve.ts";

/** One solved instance with its minority statistics. */
export interface MinorityRun {
  /** The solve report. */
  report: SolveReport;
  /** Mean ‖w_k‖² over the majority classes (those not in `minority`). */
  majorityNorm: number;
  /** Mean ‖w_k‖² over the minority classes. */
  minorityNorm: number;
  /** Mean pairwise cosine of the minority classifiers (NaN if fewer than two are nonzero). */
  cosine: number;
}

/** Solves `problem` (class-reduced where exact) and reads the minority classes off the result. */
export function minorityRun(
  problem: UfmProblem,
  minority: readonly number[],
  settings: Partial<SolverSettings> = { path: "auto", tol: 1e-11, seed: 1 },
): MinorityRun {
  let cosine = NaN;
  const report = solveUfm(problem, settings, {
    observe: (_info, model) => (cosine = classifierCosine(model.classifier, minority)),
  });
  const norms = report.norms.w_class_sq;
  const mean = (classes: number[]) =>
    classes.reduce((sum, k) => sum + norms[k], 0) / classes.length;
  const majority = norms.map((_, k) => k).filter((k) => !minority.includes(k));
  return { report, majorityNorm: mean(majority), minorityNorm: mean([...minority]), cosine };
}

/**
 * Closed-form ‖w_k‖² of a majority and of a minority class of the bias-free MSE UFM with a step
 * imbalance, for a continuous ratio R (n_B = n_A/R need not be an integer): the curves of C1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const balanced = stepTheoryNorms({ majority: 2, minority: 2, nMajority: 50, ratio: 1 }, 1e-3, 8);
 * assert.ok(Math.abs(balanced.majority - balanced.minority) < 1e-15);
 * ```
 */
export function stepTheoryNorms(
  layout: StepImbalance,
  lambda: number,
  d: number,
): { majority: number; minority: number } {
  const counts = [
    ...new Array<number>(layout.majority).fill(layout.nMajority),
    ...new Array<number>(layout.minority).fill(layout.nMajority / layout.ratio),
  ];
  const theory = deepLinearTheory({
    counts,
    widths: [d],
    lambdaWs: [lambda],
    lambdaH: lambda,
    bias: "none",
    targetScale: 1,
  })!;
  return { majority: theory.per_class.w_row_sq[0], minority: theory.per_class.w_row_sq.at(-1)! };
}
