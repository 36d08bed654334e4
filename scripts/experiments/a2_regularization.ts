/**
 * Figure A2 — structure of the MSE-UFM minimizer vs regularization (paper A §3;
 * docs/ufm-mse.md#mse-bias-free, docs/ufm-mse.md#mse-reg-bias). Left: mean ‖h̄_k‖² and ‖w_k‖²
 * vs c = √(λ_Wλ_H) (TB, bias-free): solver points on the closed-form curves, and the zero
 * solution beyond the threshold c = 1. Right: the
 * orthogonal-frame → simplex-ETF interpolation with a regularized bias (Z convention): the
 * cosine between uncentered class means vs λ_b, from −1/(K−1) (λ_b → 0) to 0 (λ_b → ∞).
 *
 *   npx deno task reproduce --only A2
 * @module
 */
import {
  category,
  type FigureRow,
  hconcat,
  theoryOverlay,
  writeFigure,
} from "../../lib/plot/mod.ts";
import { agreementText } from "../../lib/experiments/findings_a.ts";
import { expectTheory } from "../../lib/theory/mod.ts";
import { meanClassMeanCosine } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";

const K = 4, n = 5, d = 8;
const ratio = 2; // λ_H = ratio·λ_W so that ‖h̄_k‖² and ‖w_k‖² differ (ρ_w/ρ_h = λ_H/λ_W).
const solver = {
  optimizer: "nesterov" as const,
  lr: 0.5,
  momentum: 0.9,
  iters: 100000,
  tol: 1e-12,
  seed: 2,
};
// Left panel: theory curves on a fine grid, solver points on a coarse one; right panel alike.
const cTheory = Array.from({ length: 161 }, (_, i) => 0.01 * i);
const cSolver = [0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.05, 1.2, 1.4, 1.6];
const lbTheory = Array.from({ length: 101 }, (_, i) => 10 ** (-3 + i * 0.05));
const lbSolver = Array.from({ length: 9 }, (_, i) => 10 ** (-3 + i * 0.5));
const quantity = category("quantity", {
  h_mean_sq: "mean ‖h̄_k‖²",
  w_row_sq: "mean ‖w_k‖²",
  cos_means: "cos(h̄_k, h̄_l)",
});

const base = { K, n, d, lambdaB: 0, loss: "mse", targetScale: 1 } as const;
const normsProblem = (c: number): UfmProblem => ({
  ...base,
  lambdaW: c / Math.sqrt(ratio),
  lambdaH: c * Math.sqrt(ratio),
  bias: "none",
  norm: "tb",
});
const biasProblem = (lambdaB: number): UfmProblem => ({
  ...base,
  lambdaW: 5e-3,
  lambdaH: 5e-3,
  lambdaB,
  bias: "reg",
  norm: "z",
});

const started = performance.now();
const rows: FigureRow[] = [];
const push = (x: FigureRow, key: typeof quantity.keys[number], source: string, value: number) =>
  rows.push({ ...x, ...quantity.cell(key), source, value });
let maxError = 0;
const track = (...pairs: [number, number][]) => {
  for (const [value, expected] of pairs) maxError = Math.max(maxError, Math.abs(value - expected));
};

for (const c of cTheory) {
  const t = theoryFor(normsProblem(Math.max(c, 1e-9)))!;
  push({ panel: "norms", c }, "h_mean_sq", "theory", t.h_mean_sq);
  push({ panel: "norms", c }, "w_row_sq", "theory", t.w_row_sq);
}
for (const c of cSolver) {
  console.error(`A2: norms at c = ${c}`);
  const t = theoryFor(normsProblem(c))!;
  const report = solveUfm(normsProblem(c), solver);
  track([report.norms.h_mean_sq, t.h_mean_sq], [report.norms.w_row_sq, t.w_row_sq]);
  track([report.objective, t.objective]);
  push({ panel: "norms", c }, "h_mean_sq", "solver", report.norms.h_mean_sq);
  push({ panel: "norms", c }, "w_row_sq", "solver", report.norms.w_row_sq);
}
for (const lambdaB of lbTheory) {
  const t = expectTheory(theoryFor(biasProblem(lambdaB)), "mse");
  push({ panel: "bias", lambda_b: lambdaB }, "cos_means", "theory", t.cos_means!);
}
for (const lambdaB of lbSolver) {
  console.error(`A2: cosine at λ_b = ${lambdaB.toExponential(1)}`);
  const t = expectTheory(theoryFor(biasProblem(lambdaB)), "mse");
  let cosine = NaN;
  // The bias block has curvature ≈ λ_b; Nesterov with μ = 0.9 needs lr·λ_b ≲ 1.3.
  const settings = { ...solver, lr: Math.min(solver.lr, 0.5 / lambdaB) };
  const report = solveUfm(biasProblem(lambdaB), settings, {
    observeAt: () => false,
    observe: (_info, model) => (cosine = meanClassMeanCosine(model)),
  });
  track([cosine, t.cos_means!], [report.objective, t.objective]);
  push({ panel: "bias", lambda_b: lambdaB }, "cos_means", "solver", cosine);
}

const panel = { color: quantity, colorTitle: null, width: 320, height: 240 } as const;
await writeFigure({
  id: "A2",
  title: "A2 · MSE-UFM minimizers across regularization: solver vs closed form",
  spec: hconcat([
    theoryOverlay({
      ...panel,
      filter: "datum.panel === 'norms'",
      x: "c",
      xTitle: "c = √(λ_W λ_H)  (TB, bias-free; λ_H = 2λ_W)",
      yTitle: "mean over classes",
      colorLegend: { orient: "top-right" },
      title: "Norms vs regularization",
    }),
    theoryOverlay({
      ...panel,
      filter: "datum.panel === 'bias'",
      x: "lambda_b",
      logX: true,
      xTitle: "λ_b  (Z, λ_W = λ_H = 5·10⁻³)",
      yTitle: "mean cos(h̄_k, h̄_l), k ≠ l",
      colorLegend: null,
      title: "OF → ETF interpolation by the bias penalty",
    }),
  ], { subtitle: `K = ${K}, n = ${n}, d = ${d} · lines: theory (closed form) · points: solver` }),
  rows,
  meta: {
    paper: "A",
    claim: "Below c = √(λ_Wλ_H) = 1 the minimizer has ‖h̄_k‖² = (1 − c)√(λ_W/λ_H) and " +
      "‖w_k‖² = (1 − c)√(λ_H/λ_W), and is zero beyond; a bias penalty λ_b interpolates the class " +
      "means from a simplex ETF (cos = −1/(K−1), λ_b → 0) to an orthogonal frame (cos = 0, λ_b → ∞).",
    measured: agreementText({
      runs: `${cSolver.length} + ${lbSolver.length} solver runs (K = ${K}, n = ${n}, d = ${d})`,
      over: "norms, cosines and objectives",
      maxError,
      tolerance: 1e-8,
    }),
    command: "npx deno task reproduce --only A2",
    theoryErrors: { max_abs: maxError },
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, ratio, solver, cSolver, lbSolver },
  },
});
