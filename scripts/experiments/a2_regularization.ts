/**
 * Figure A2 — structure of the MSE-UFM minimizer vs regularization (paper A §3; science.md
 * §3.1 and §3.3). Left: mean ‖h̄_k‖² and ‖w_k‖² vs c = √(λ_Wλ_H) (TB, bias-free): solver points
 * on the closed-form curves, and the zero solution beyond the threshold c = 1. Right: the
 * orthogonal-frame → simplex-ETF interpolation with a regularized bias (Z convention): the
 * cosine between uncentered class means vs λ_b, from −1/(K−1) (λ_b → 0) to 0 (λ_b → ∞).
 *
 *   npx deno task reproduce --only A2
 * @module
 */
import { writeFigure } from "../../lib/plot/mod.ts";
import { theoryVsSolver } from "../../lib/plot/charts.ts";
import type { FigureRow } from "../../lib/plot/csv.ts";
import type { FigureSpec } from "../../lib/plot/write_figure.ts";
import { meanClassMeanCosine } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";
import { expectTheory } from "../../lib/theory/mod.ts";

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
const started = performance.now();
const rows: FigureRow[] = [];
let maxError = 0;

function normsProblem(c: number): UfmProblem {
  return {
    K,
    n,
    d,
    lambdaW: c / Math.sqrt(ratio),
    lambdaH: c * Math.sqrt(ratio),
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
  };
}

function biasProblem(lambdaB: number): UfmProblem {
  return {
    K,
    n,
    d,
    lambdaW: 5e-3,
    lambdaH: 5e-3,
    lambdaB,
    bias: "reg",
    norm: "z",
    loss: "mse",
    targetScale: 1,
  };
}

// Left panel: theory curves on a fine grid, solver points on a coarse one.
const cTheory = Array.from({ length: 161 }, (_, i) => 0.01 * i);
const cSolver = [0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.05, 1.2, 1.4, 1.6];
for (const c of cTheory) {
  const t = theoryFor(normsProblem(Math.max(c, 1e-9)))!;
  rows.push({ panel: "norms", c, quantity: "mean ‖h̄_k‖²", theory: t.h_mean_sq, solver: null });
  rows.push({ panel: "norms", c, quantity: "mean ‖w_k‖²", theory: t.w_row_sq, solver: null });
}
for (const c of cSolver) {
  console.error(`A2: norms at c = ${c}`);
  const problem = normsProblem(c);
  const t = theoryFor(problem)!;
  const report = solveUfm(problem, solver);
  maxError = Math.max(
    maxError,
    Math.abs(report.norms.h_mean_sq - t.h_mean_sq),
    Math.abs(report.norms.w_row_sq - t.w_row_sq),
    Math.abs(report.objective - t.objective),
  );
  rows.push({
    panel: "norms",
    c,
    quantity: "mean ‖h̄_k‖²",
    theory: null,
    solver: report.norms.h_mean_sq,
  });
  rows.push({
    panel: "norms",
    c,
    quantity: "mean ‖w_k‖²",
    theory: null,
    solver: report.norms.w_row_sq,
  });
}

// Right panel: cosine between uncentered class means vs λ_b.
const lbTheory = Array.from({ length: 101 }, (_, i) => 10 ** (-3 + i * 0.05));
const lbSolver = Array.from({ length: 9 }, (_, i) => 10 ** (-3 + i * 0.5));
for (const lambdaB of lbTheory) {
  rows.push({
    panel: "bias",
    lambda_b: lambdaB,
    quantity: "cos(h̄_k, h̄_l)",
    theory: expectTheory(theoryFor(biasProblem(lambdaB)), "mse").cos_means,
    solver: null,
  });
}
for (const lambdaB of lbSolver) {
  console.error(`A2: cosine at λ_b = ${lambdaB.toExponential(1)}`);
  const problem = biasProblem(lambdaB);
  const t = expectTheory(theoryFor(problem), "mse");
  let cosine = NaN;
  // The bias block has curvature ≈ λ_b; Nesterov with μ = 0.9 needs lr·λ_b ≲ 1.3.
  const report = solveUfm(problem, { ...solver, lr: Math.min(solver.lr, 0.5 / lambdaB) }, {
    observeAt: () => false,
    observe: (_info, model) => (cosine = meanClassMeanCosine(model)),
  });
  maxError = Math.max(
    maxError,
    Math.abs(cosine - t.cos_means!),
    Math.abs(report.objective - t.objective),
  );
  rows.push({
    panel: "bias",
    lambda_b: lambdaB,
    quantity: "cos(h̄_k, h̄_l)",
    theory: null,
    solver: cosine,
  });
}

const left = theoryVsSolver({
  x: "c",
  theoryField: "theory",
  solverField: "solver",
  color: "quantity",
  xTitle: "c = √(λ_W λ_H)  (TB, bias-free; λ_H = 2λ_W)",
  yTitle: "mean over classes",
  title: "Norms vs regularization",
  width: 320,
  height: 240,
}) as Record<string, unknown>;
const right = theoryVsSolver({
  x: "lambda_b",
  theoryField: "theory",
  solverField: "solver",
  color: "quantity",
  logX: true,
  xTitle: "λ_b  (Z, λ_W = λ_H = 5e-3)",
  yTitle: "cosine between uncentered class means",
  title: "OF → ETF interpolation by the bias penalty",
  width: 320,
  height: 240,
}) as Record<string, unknown>;
const spec = {
  hconcat: [
    { ...left, transform: [{ filter: "datum.panel === 'norms'" }] },
    { ...right, transform: [{ filter: "datum.panel === 'bias'" }] },
  ],
  resolve: { scale: { color: "independent" } },
} as unknown as FigureSpec;

const seconds = (performance.now() - started) / 1000;
await writeFigure({
  id: "A2",
  title: "A2 · MSE-UFM minimizers across regularization: solver vs closed form",
  spec,
  rows,
  meta: {
    paper: "A",
    claim: "Below c = √(λ_Wλ_H) = 1 the minimizer has ‖h̄_k‖² = (1 − c)√(λ_W/λ_H) and " +
      "‖w_k‖² = (1 − c)√(λ_H/λ_W), and is zero beyond; a bias penalty λ_b interpolates the class " +
      "means from a simplex ETF (cos = −1/(K−1), λ_b → 0) to an orthogonal frame (cos = 0, λ_b → ∞).",
    measured:
      `${cSolver.length} + ${lbSolver.length} solver runs (K = ${K}, n = ${n}, d = ${d}); ` +
      `largest |solver − theory| over norms, cosines and objectives: ${maxError.toExponential(1)}.`,
    command: "npx deno task reproduce --only A2",
    theoryErrors: { max_abs: maxError },
    seconds,
    parameters: { K, n, d, ratio, solver, cSolver, lbSolver },
  },
});
