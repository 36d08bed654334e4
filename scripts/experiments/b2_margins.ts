/**
 * Figure B2 — the scale of the collapsed solution vs regularization, per loss (paper B;
 * docs/ufm-softmax.md#margin-reduction, docs/ufm-mse.md#mse-reg-bias): the logit margin m*, mean
 * ‖w_k‖² and mean ‖h̄_k‖² vs λ = λ_W = λ_H = λ_b (Z), theory curves (closed form for CE/LS/MSE,
 * global 1-D minimization for FL), solver points, and each loss's zero-solution threshold as a
 * vertical rule.
 *
 *   npx deno task reproduce --only B2
 * @module
 */
import { type FigureRow, powerOfTen, theoryOverlay, writeFigure } from "../../lib/plot/mod.ts";
import { agreementText } from "../../lib/experiments/findings_a.ts";
import { labelledValues } from "../../lib/experiments/findings_b.ts";
import { quantities } from "../../lib/experiments/vocabulary.ts";
import { predictedMargin, type Theory, zeroThreshold } from "../../lib/theory/mod.ts";
import { meanLogitMargin } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";
import {
  loss,
  lossFields,
  lossStyle,
  type PaperBLoss,
  paperBLosses,
} from "../../lib/experiments/paper_b_losses.ts";

const K = 4, n = 5, d = 8;
const solver = {
  optimizer: "momentum" as const,
  lr: 0.5,
  momentum: 0.9,
  iters: 200000,
  tol: 1e-12,
  seed: 4,
};
const lambdaTheory = Array.from({ length: 161 }, (_, i) => 10 ** (-4 + i * 0.02)); // 1e-4 … 1.6
const lambdaSolver = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 2e-2, 4e-2, 6e-2, 8e-2, 0.1, 0.13, 0.2];
const quantity = quantities("quantity", "margin", "w_row_sq", "h_mean_sq");

const problemAt = (entry: PaperBLoss, lambda: number): UfmProblem => {
  const lambdas = { lambdaW: lambda, lambdaH: lambda, lambdaB: lambda };
  return { K, n, d, ...lambdas, bias: "reg", norm: "z", ...lossFields(entry) };
};
/** Margin, mean ‖w_k‖², mean ‖h̄_k‖² of the predicted minimizer. */
const predicted = (t: Theory) => [predictedMargin(t), t.w_row_sq, t.h_mean_sq];

const started = performance.now();
const rows: FigureRow[] = [];
const push = (source: string, entry: PaperBLoss, i: number, lambda: number, value: number | null) =>
  rows.push({
    source,
    ...loss.cell(entry.loss),
    ...quantity.cell(quantity.keys[i]),
    lambda,
    value,
  });
let maxError = 0;
const thresholds: Record<string, number> = {};
for (const entry of paperBLosses) {
  for (const lambda of lambdaTheory) {
    predicted(theoryFor(problemAt(entry, lambda))!).forEach((value, i) =>
      push("theory", entry, i, lambda, value)
    );
  }
  // Smallest λ with the zero solution: where the predicted margin first vanishes.
  const isZero = (lambda: number) => predictedMargin(theoryFor(problemAt(entry, lambda))!) === 0;
  thresholds[entry.label] = zeroThreshold(isZero);
  quantity.keys.forEach((_, i) => push("threshold", entry, i, thresholds[entry.label], null));
  for (const lambda of lambdaSolver) {
    console.error(`B2: ${entry.label}, λ = ${lambda}`);
    const t = theoryFor(problemAt(entry, lambda))!;
    let margin = NaN;
    const report = solveUfm(problemAt(entry, lambda), solver, {
      observe: (_info, model) => (margin = meanLogitMargin(model)),
    });
    const expected = predicted(t);
    [margin, report.norms.w_row_sq, report.norms.h_mean_sq].forEach((value, i) => {
      maxError = Math.max(maxError, Math.abs(value - expected[i]));
      push("solver", entry, i, lambda, value);
    });
    maxError = Math.max(maxError, Math.abs(report.objective - t.objective));
  }
}

const margins = Object.fromEntries(
  paperBLosses.map((l) => [l.label, predictedMargin(theoryFor(problemAt(l, lambdaSolver[0]))!)]),
);
await writeFigure({
  id: "B2",
  title: "B2 · Margin and norms of the collapsed solution vs weight decay, per loss (paper B)",
  spec: theoryOverlay({
    ...lossStyle,
    x: "lambda",
    logX: true,
    xTitle: "λ = λ_W = λ_H = λ_b (Z)",
    yTitle: null,
    row: quantity,
    independentY: true,
    rule: "threshold",
    width: 420,
    height: 150,
    subtitle: `K = ${K}, n = ${n}, d = ${d}; lines: theory · points: solver · dashed rules: ` +
      "zero-solution thresholds",
  }),
  rows,
  meta: {
    paper: "B",
    claim:
      "At the global minimizer the scale of the simplex-ETF solution is set by a 1-D problem in " +
      "the logit margin m: CE and LS have closed forms, FL a (possibly non-convex) 1-D minimization; " +
      "each loss has a regularization threshold beyond which W = H = 0 (CE and MSE: K√(nλ_Wλ_H) = 1; " +
      "LS: α + K√(nλ_Wλ_H) = 1).",
    measured: agreementText({
      runs: `${paperBLosses.length * lambdaSolver.length} solver runs`,
      over: "margins, norms and objectives",
      maxError,
      tolerance: 1e-8,
    }) + ` Zero-solution thresholds in λ: ${labelledValues(thresholds, 4)}. Margins at ` +
      `λ = ${powerOfTen(-4)}: ${labelledValues(margins, 4)}.`,
    command: "npx deno task reproduce --only B2",
    theoryErrors: { max_abs: maxError },
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, solver, lambdaSolver, thresholds },
  },
});
