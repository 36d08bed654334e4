/**
 * Figure A4 — the nonlinear extended UFM W2·σ(W1·H1) (paper A §4;
 * docs/extended-deep.md#ext-relu-numerics) against its linear counterpart W2·W1·H1. Top: the best
 * run of each at log-spaced iterations: f − f*, NC1 of H1 and of H2 (before and after the ReLU),
 * the orthogonal-frame distances of H̄2 and H̄1, and H̄1's extreme pairwise cosines. Bottom: where
 * 40 seeded restarts of each model end, for two regularizations (f_j: the rank-deficient values,
 * docs/extended-deep.md#rank-deficient).
 *
 *   npx deno task reproduce --only A4
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { extendedReluFinding } from "../../lib/experiments/findings_a.ts";
import { logSpacedIterations } from "../../lib/experiments/schedule.ts";
import { layerQuantities } from "../../lib/experiments/observe.ts";
import { quantities } from "../../lib/experiments/vocabulary.ts";
import { expectTheory } from "../../lib/theory/mod.ts";
import { layerMetrics } from "../../lib/ufm/layer_metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { type RestartReport, solveWithRestarts } from "../../lib/ufm/restarts.ts";
import { solveUfm } from "../../lib/ufm/solve.ts";

const K = 4, n = 5, d1 = 8, d2 = 16;
const configs = [
  { key: "lambda_0.2_0.3_0.4", label: "λ = (0.2, 0.3, 0.4)", lambdas: [0.2, 0.3, 0.4] },
  { key: "lambda_0.05", label: "λ = 0.05 each", lambdas: [0.05, 0.05, 0.05] },
] as const;
const restarts = 40, tolerance = 1e-6;
// lr 0.008: from init std 1, lr 0.01 diverges in ~1 of 40 linear restarts.
const solver = { optimizer: "nesterov" as const, lr: 0.008, momentum: 0.9, tol: 1e-10 };
const start = { iters: 150000, initStd: 1, seed: 0 };
const observed = logSpacedIterations(start.iters, 20);

const config = plot.category("config", Object.fromEntries(configs.map((c) => [c.key, c.label])));
const models = { "ext-linear": "linear W2·W1·H1", "ext-relu": "ReLU W2·σ(W1·H1)" } as const;
const model = plot.category("model", models);
const dynamics = ["gap", "nc1_h1", "nc1_h2_pre", "nc1_h2", "of_h2", "of_h1"] as const;
const metric = quantities("metric", ...dynamics, "cosine_min", "cosine_max");
type ModelKey = typeof model.keys[number];

const mse = { lambdaW: 0, lambdaB: 0, bias: "none", norm: "tb", loss: "mse" } as const;
const problemFor = (key: ModelKey, [w2, w1, h]: readonly number[]): UfmProblem => {
  const layers = { model: key, lambdaWs: [w1, w2], hidden: [d2] };
  return { K, n, d: d1, ...mse, targetScale: 1, lambdaH: h, ...layers };
};

const started = performance.now();
const rows: plot.FigureRow[] = [];
const push = (panel: string, m: ModelKey, cells: plot.FigureRow, value: number) =>
  rows.push({ panel, ...model.cell(m), ...cells, value });
const reports: Record<string, Record<ModelKey, RestartReport>> = {};
const onProgress = (done: number, total: number) =>
  done % 10 === 0 && console.error(`A4:   ${done}/${total}`);
for (const { key, label, lambdas } of configs) {
  reports[key] = {} as Record<ModelKey, RestartReport>;
  for (const m of model.keys) {
    console.error(`A4: ${model.label(m)}, ${label}: ${restarts} restarts`);
    const settings = { ...solver, ...start };
    const options = { tolerance, onProgress };
    const report = await solveWithRestarts(problemFor(m, lambdas), settings, restarts, options);
    reports[key][m] = report;
    for (const [outcome, count] of Object.entries(report.restarts.outcome_counts)) {
      push("outcomes", m, { ...config.cell(key), outcome }, count);
    }
  }
}

// Dynamics: rerun the best seed of each model (first configuration) with observations.
const final: Record<string, number> = {}; // of the ReLU run, for the text
for (const m of model.keys) {
  const best = reports[configs[0].key][m];
  const fStar = expectTheory(best.theory, "deep-linear").objective;
  console.error(`A4: dynamics of ${model.label(m)}, seed ${best.restarts.best_seed}`);
  const settings = { ...solver, ...start, seed: best.restarts.best_seed };
  solveUfm(problemFor(m, configs[0].lambdas), settings, {
    observeAt: (t) => observed.has(t),
    observe: (info, state) => {
      const iteration = Math.max(info.iteration, 1);
      const gap = ["gap", Math.abs(info.objective - fStar)] as const;
      for (const [key, value] of [gap, ...layerQuantities(layerMetrics(state))]) {
        const cosine = key === "cosine_min" || key === "cosine_max";
        const cells = { ...metric.cell(key), iteration };
        push(cosine ? "cosine" : "dynamics", m, cells, cosine ? value : plot.clampForLog(value));
        if (m === "ext-relu") final[key] = value;
      }
    },
  });
}

const runs = configs.map(({ key, label }) => ({ label, reports: reports[key] }));
const setting = `K = ${K}, n = ${n}, d1 = ${d1}, d2 = ${d2}, TB, ${restarts} restarts per model ` +
  `(Nesterov, lr ${solver.lr}, init std ${start.initStd})`;
const finding = extendedReluFinding({ runs, final, setting });
const colors = model.colors({ "ext-linear": "#1f77b4", "ext-relu": "#d62728" });
const lines = { x: "iteration", y: "value", logX: true, height: 240 } as const;
const bars = { x: "outcome", group: model, colorScale: colors, count: "value", column: config };
await plot.writeFigure({
  id: "A4",
  title: "A4 · Nonlinear extended UFM W2·σ(W1·H1) vs linear: layer-wise collapse and landscape",
  spec: plot.vconcat([
    plot.hconcat([
      plot.lineChart({
        ...lines,
        filter: "datum.panel === 'dynamics'",
        title: `Best run of each model, ${configs[0].label}`,
        logY: true,
        yTitle: `value (floor ${plot.powerOfTen(-16)})`,
        color: metric,
        strokeDash: model,
        strokeDashSort: [models["ext-relu"], models["ext-linear"]],
        width: 400,
      }),
      plot.lineChart({
        ...lines,
        filter: "datum.panel === 'cosine'",
        title: "Cosines of the class means of H1: min (solid), max (dashed)",
        yTitle: "cos(h̄1_k, h̄1_l), k ≠ l",
        yDomain: [-1, 1],
        color: model,
        colorScale: colors,
        strokeDash: metric,
        strokeDashLegend: null,
        width: 260,
      }),
    ]),
    plot.restartOutcomeBars({
      ...bars,
      filter: "datum.panel === 'outcomes'",
      ranks: K + 1,
      xLabelAngle: 0,
      width: 360,
      height: 170,
      title: `Where ${restarts} restarts end (init std ${start.initStd}, seeds 0–${restarts - 1})`,
    }),
  ]),
  rows,
  meta: {
    paper: "A",
    claim: "In the ReLU extended UFM the global minimum has the value of the linear extended " +
      "UFM, H1 and H2 = σ(W1H1) collapse and the class means of H2 form a nonnegative " +
      "orthogonal frame; H̄1 is not an orthogonal frame (its cosines are ≤ 0) and the ReLU adds " +
      "spurious local minima (numerical; docs/extended-deep.md#ext-relu-numerics).",
    measured: finding.text,
    command: "npx deno task reproduce --only A4",
    theoryErrors: { objective: finding.objectiveError, h2_of_distance: finding.ofError },
    maxTheoryError: finding.objectiveError,
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d1, d2, configs, restarts, solver: { ...solver, ...start }, tolerance },
  },
});
