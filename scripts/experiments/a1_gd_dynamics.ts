/**
 * Figure A1 — gradient descent on the MSE UFM (paper A, experiment A-E1; docs/experiments.md#a1,
 * docs/ufm-mse.md#mse-bias-free, docs/ufm-mse.md#mse-free-bias): f − f*, within-class
 * variability NC1, the orthogonal-frame distance of the uncentered class means, the simplex-ETF
 * distance of the centered means and the self-duality distance vs iteration, bias-free and with
 * an unregularized bias, for λ below and above the zero threshold c = √(λ_Wλ_H) = 1, plain GD
 * against heavy-ball momentum.
 *
 *   npx deno task reproduce --only A1      (or: deno run -A scripts/experiments/a1_gd_dynamics.ts)
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { type DynamicsRun, gdDynamicsFinding } from "../../lib/experiments/findings_a.ts";
import { logSpacedIterations } from "../../lib/experiments/schedule.ts";
import { quantities } from "../../lib/experiments/vocabulary.ts";
import { solutionNorms, ufmMetrics } from "../../lib/ufm/metrics.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";

const K = 10, n = 20, d = 32;
const lambdas = [0.05, 0.5, 1.2]; // λ_W = λ_H = c (TB): two below the threshold, one above.
const optimizers = [
  { key: "gd", optimizer: "gd", lr: 1, momentum: 0 },
  { key: "heavy_ball", optimizer: "momentum", lr: 0.5, momentum: 0.9 },
] as const;
const iterations = 60000, seed = 1, initStd = 0.1, floor = 1e-16;
const observed = logSpacedIterations(iterations, 25);

const bias = plot.category("bias", { none: "bias-free", free: "unregularized bias" });
const optimizer = plot.category("optimizer", {
  gd: "GD (lr 1)",
  heavy_ball: "heavy ball (lr 0.5, μ 0.9)",
});
// Panel rows, top to bottom; the frame is the predicted one: OF of the uncentered means
// bias-free (docs/ufm-mse.md#mse-bias-free), simplex ETF of the centered means with a bias
// (docs/ufm-mse.md#mse-free-bias).
const metric = quantities("metric", "gap", "nc1", "nc2_means", "self_duality", "h_mean_sq");

const started = performance.now();
const rows: plot.FigureRow[] = [];
const runs: DynamicsRun[] = [];
for (const biasMode of bias.keys) {
  for (const c of lambdas) {
    const mse = { lambdaB: 0, norm: "tb", loss: "mse", targetScale: 1 } as const;
    const problem = { K, n, d, lambdaW: c, lambdaH: c, bias: biasMode, ...mse };
    const theory = theoryFor(problem)!;
    for (const run of optimizers) {
      console.error(`A1: bias ${biasMode}, c = ${c}, ${run.key}`);
      const nc1: number[] = [];
      const report = solveUfm(problem, { ...run, iters: iterations, tol: 1e-13, seed, initStd }, {
        observeAt: (t) => observed.has(t),
        observe: (info, model) => {
          const base = { ...bias.cell(biasMode), c, ...optimizer.cell(run.key) };
          const iteration = Math.max(info.iteration, 1);
          const push = (key: typeof metric.keys[number], value: number | null) =>
            rows.push({
              ...base,
              iteration,
              ...metric.cell(key),
              value: plot.clampForLog(value, floor),
            });
          push("gap", Math.abs(info.objective - theory.objective));
          // Past the threshold the minimizer is W = H = 0: NC geometry is undefined there,
          // so the figure shows the decay of the features instead.
          if (theory.zero_solution) return push("h_mean_sq", solutionNorms(model).h_mean_sq);
          const m = ufmMetrics(model);
          push("nc1", m.nc1);
          nc1.push(plot.clampForLog(m.nc1, floor));
          push("nc2_means", biasMode === "none" ? m.nc2_of : m.nc2_etf);
          push("self_duality", m.self_duality_uncentered);
        },
      });
      const m = report.metrics;
      runs.push({
        bias: biasMode,
        c,
        optimizer: run.key,
        error: Math.abs(report.objective - theory.objective),
        iterations: report.iterations,
        converged: report.converged,
        finalDistance: theory.zero_solution ? null : Math.max(
          m.nc1!,
          biasMode === "none" ? m.nc2_of! : m.nc2_etf!,
          m.self_duality_uncentered!,
        ),
        nc1,
      });
    }
  }
}

const finding = gdDynamicsFinding(runs, iterations);
const below = { orient: "bottom", direction: "horizontal" }; // legends under the grid
await plot.writeFigure({
  id: "A1",
  title: "A1 · Gradient descent on the MSE UFM: collapse dynamics vs the closed form",
  spec: plot.lineChart({
    x: "iteration",
    y: "value",
    row: metric,
    column: bias,
    color: "c",
    colorLegend: below,
    colorTitle: "c = λ_W = λ_H (TB)",
    strokeDash: optimizer,
    strokeDashLegend: below,
    logX: true,
    logY: true,
    independentY: true,
    width: 300,
    height: 130,
    yTitle: null,
    subtitle: [
      `K = ${K}, n = ${n}, d = ${d}, init N(0, ${initStd}²), seed ${seed}; c = 1.2 is past the zero ` +
      "threshold, where W = H = 0",
      `and the last row shows mean ‖h̄_k‖²; values floored at ${plot.powerOfTen(-16)}. ` +
      "NC1 = Tr(Σ_W Σ_B⁺)/K; NC2 distance: of the",
      "uncentered class means to an orthogonal frame (bias-free) or of the centered ones to a " +
      "simplex ETF",
      "(bias); self-duality ‖W/‖W‖ − H̄ᵀ/‖H̄‖‖.",
    ],
  }),
  rows,
  meta: {
    paper: "A",
    claim: "Gradient descent on the bias-free MSE UFM drives within-class variability to zero " +
      "monotonically and converges to the closed-form minimizer: uncentered class means form an " +
      "orthogonal frame (a simplex ETF after centering, or with a bias), W is self-dual to the " +
      "means, and past c = √(λ_Wλ_H) = 1 everything collapses to zero.",
    measured: finding.text,
    command: "npx deno task reproduce --only A1",
    theoryErrors: { objective: finding.maxError, final_nc_distance: finding.maxFinalDistance },
    maxTheoryError: finding.maxError,
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, lambdas, iterations, seed, initStd, convention: "tb", optimizers },
  },
});
