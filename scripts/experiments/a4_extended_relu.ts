/**
 * Figure A4 — the nonlinear extended UFM W2·σ(W1·H1) (paper A §4; science.md §2.8, §3.5) against
 * its linear counterpart W2·W1·H1. Top: one gradient run of each (the best of the restarts below)
 * observed at log-spaced iterations: f − f*, NC1 of H1, of H2 before and after the ReLU, the
 * orthogonal-frame distance of the uncentered class means H̄2 and H̄1, and the smallest pairwise
 * cosine of H̄1. Bottom: where 40 seeded restarts of each model end (global minimum, the
 * rank-deficient values f_j of science.md §3.4, elsewhere), for two regularizations.
 *
 *   npx deno task reproduce --only A4
 * @module
 */
import { clampForLog, writeFigure } from "../../lib/plot/mod.ts";
import type { FigureRow } from "../../lib/plot/csv.ts";
import type { FigureSpec } from "../../lib/plot/write_figure.ts";
import { expectTheory } from "../../lib/theory/mod.ts";
import { layerMetrics } from "../../lib/ufm/layer_metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { type RestartReport, solveWithRestarts } from "../../lib/ufm/restarts.ts";
import { solveUfm } from "../../lib/ufm/solve.ts";

const K = 4, n = 5, d1 = 8, d2 = 16;
const configs: { label: string; lambdas: [number, number, number] }[] = [
  { label: "λ = (0.2, 0.3, 0.4)", lambdas: [0.2, 0.3, 0.4] },
  { label: "λ = 0.05 each", lambdas: [0.05, 0.05, 0.05] },
];
const models = [
  { model: "ext-linear" as const, label: "linear W2·W1·H1" },
  { model: "ext-relu" as const, label: "ReLU W2·σ(W1·H1)" },
];
const restarts = 40;
const solver = {
  optimizer: "nesterov" as const,
  lr: 0.008, // from init std 1, lr 0.01 diverges in ~1 of 40 linear restarts
  momentum: 0.9,
  iters: 150000,
  tol: 1e-10,
  initStd: 1,
  seed: 0,
};
const tolerance = 1e-6;

function problemFor(model: "ext-linear" | "ext-relu", [w2, w1, h]: number[]): UfmProblem {
  return {
    K,
    n,
    d: d1,
    lambdaW: 0,
    lambdaH: h,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
    model,
    lambdaWs: [w1, w2],
    hidden: [d2],
  };
}

const started = performance.now();
const rows: FigureRow[] = [];
const reports = new Map<string, RestartReport>();
for (const config of configs) {
  for (const { model, label } of models) {
    console.error(`A4: ${label}, ${config.label}: ${restarts} restarts`);
    const report = await solveWithRestarts(problemFor(model, config.lambdas), solver, restarts, {
      tolerance,
      onProgress: (done, total) => {
        if (done % 10 === 0) console.error(`A4:   ${done}/${total}`);
      },
    });
    reports.set(`${model}|${config.label}`, report);
    for (const [outcome, count] of Object.entries(report.restarts.outcome_counts)) {
      rows.push({ panel: "outcomes", config: config.label, model: label, outcome, count });
    }
  }
}

// Dynamics: rerun the best seed of each model (first configuration) with observations.
const observed = new Set<number>();
for (let i = 0; i <= 20 * Math.log10(solver.iters); i++) observed.add(Math.round(10 ** (i / 20)));
for (let t = 0; t < 10; t++) observed.add(t);
const metricNames = {
  gap: "f − f*",
  nc1H1: "NC1(H1)",
  nc1Pre: "NC1(H2) pre-ReLU",
  nc1H2: "NC1(H2)",
  ofH2: "OF distance of H̄2",
  ofH1: "OF distance of H̄1",
};
const finals: Record<string, Record<string, number>> = {};
const first = configs[0];
for (const { model, label } of models) {
  const best = reports.get(`${model}|${first.label}`)!;
  const fStar = expectTheory(best.theory, "deep-linear").objective;
  console.error(`A4: dynamics of ${label}, seed ${best.restarts.best_seed}`);
  const final: Record<string, number> = {};
  solveUfm(problemFor(model, first.lambdas), { ...solver, seed: best.restarts.best_seed }, {
    observeAt: (t) => observed.has(t),
    observe: (info, state) => {
      const layers = layerMetrics(state);
      const h1 = layers.features[0];
      const h2 = layers.features[layers.features.length - 1];
      const values: [string, number][] = [
        [metricNames.gap, Math.abs(info.objective - fStar)],
        [metricNames.nc1H1, h1.nc1],
        [metricNames.nc1H2, h2.nc1],
        [metricNames.ofH2, h2.nc2_of],
        [metricNames.ofH1, h1.nc2_of],
      ];
      if (state.problem.relu) values.push([metricNames.nc1Pre, layers.features[1].nc1]);
      const iteration = Math.max(info.iteration, 1);
      for (const [metric, value] of values) {
        rows.push({
          panel: "dynamics",
          model: label,
          metric,
          iteration,
          value: clampForLog(value),
        });
        final[metric] = value;
      }
      rows.push({
        panel: "cosine",
        model: label,
        iteration,
        cosine_min: h1.cosine_min,
        cosine_max: h1.cosine_max,
      });
      final.cosine_min = h1.cosine_min;
      final.cosine_max = h1.cosine_max;
    },
  });
  finals[model] = final;
}

// Numbers for the caption, all read from the runs.
const summaries = configs.map((config) => {
  const relu = reports.get(`ext-relu|${config.label}`)!;
  const linear = reports.get(`ext-linear|${config.label}`)!;
  const fStar = expectTheory(linear.theory, "deep-linear").objective;
  const counts = (r: RestartReport) =>
    Object.entries(r.restarts.outcome_counts).sort(([a], [b]) => a.localeCompare(b))
      .map(([o, c]) => `${o} ${c}`).join(", ");
  const lowest = Math.min(...relu.restarts.objectives.filter((f) => !Number.isNaN(f)));
  // The values of the ReLU restarts that ended neither at f* nor at a linear f_j.
  const others = new Map<string, number>();
  relu.restarts.objectives.forEach((f, i) => {
    if (relu.restarts.outcomes[i] !== "other") return;
    const key = f.toFixed(4);
    others.set(key, (others.get(key) ?? 0) + 1);
  });
  const otherText = [...others.entries()].sort(([a], [b]) => Number(a) - Number(b))
    .map(([f, count]) => (count > 1 ? `${f} (×${count})` : f)).join(", ");
  return {
    label: config.label,
    reluGap: relu.objective - fStar,
    linearGap: linear.objective - fStar,
    belowLinear: lowest < fStar - 1e-10,
    of: relu.layers!.penultimate_of,
    minEntry: relu.layers!.features.at(-1)!.min_mean_entry,
    h1Cosines: relu.layers!.h1_cosines,
    text: `${config.label}: linear ${counts(linear)}; ReLU ${counts(relu)}` +
      (otherText === "" ? "" : ` (other at f = ${otherText}; f* = ${fStar.toFixed(4)})`),
  };
});
const objectiveError = Math.max(
  ...summaries.map((s) => Math.max(Math.abs(s.reluGap), Math.abs(s.linearGap))),
);
const ofError = Math.max(...summaries.map((s) => s.of));
const fmt = (x: number) => x.toExponential(1);
const reluFinal = finals["ext-relu"];
const seconds = (performance.now() - started) / 1000;

const outcomeOrder = ["global", "f_4", "f_3", "f_2", "f_1", "f_0", "other", "failed"];
const modelColor = {
  field: "model",
  type: "nominal",
  title: null,
  scale: { domain: models.map((m) => m.label), range: ["#1f77b4", "#d62728"] },
};
const spec = {
  vconcat: [
    {
      hconcat: [
        {
          title: `Best run of each model, ${first.label} (log scale, floor 1e-16)`,
          transform: [{ filter: "datum.panel === 'dynamics'" }],
          width: 420,
          height: 260,
          mark: { type: "line" },
          encoding: {
            x: { field: "iteration", type: "quantitative", scale: { type: "log" } },
            y: { field: "value", type: "quantitative", scale: { type: "log" }, title: "value" },
            color: {
              field: "metric",
              type: "nominal",
              title: "metric",
              scale: { domain: Object.values(metricNames) },
            },
            strokeDash: {
              field: "model",
              type: "nominal",
              title: "model",
              scale: { domain: models.map((m) => m.label), range: [[5, 3], [1, 0]] },
            },
          },
        },
        {
          title: "Pairwise cosines of the class means of H1",
          transform: [{ filter: "datum.panel === 'cosine'" }],
          width: 260,
          height: 260,
          layer: [
            {
              mark: { type: "line" },
              encoding: {
                x: { field: "iteration", type: "quantitative", scale: { type: "log" } },
                y: {
                  field: "cosine_min",
                  type: "quantitative",
                  title: "cos(h̄1_k, h̄1_l): min, max (dotted)",
                  scale: { domain: [-1, 1] },
                },
                color: modelColor,
              },
            },
            {
              mark: { type: "line", strokeDash: [2, 2] },
              encoding: {
                x: { field: "iteration", type: "quantitative", scale: { type: "log" } },
                y: { field: "cosine_max", type: "quantitative" },
                color: modelColor,
              },
            },
          ],
        },
      ],
      resolve: { scale: { color: "independent", strokeDash: "independent" } },
    },
    {
      title: `Where ${restarts} restarts end (init std ${solver.initStd}, seeds 0–${restarts - 1})`,
      transform: [{ filter: "datum.panel === 'outcomes'" }],
      facet: { column: { field: "config", type: "nominal", title: null } },
      spec: {
        width: 300,
        height: 180,
        mark: { type: "bar" },
        encoding: {
          x: { field: "outcome", type: "nominal", sort: outcomeOrder, title: "outcome" },
          xOffset: { field: "model", type: "nominal", sort: models.map((m) => m.label) },
          y: { field: "count", type: "quantitative", title: "restarts" },
          color: modelColor,
        },
      },
    },
  ],
  resolve: { scale: { color: "independent" } },
  config: { legend: { labelLimit: 260 } },
} as unknown as FigureSpec;

await writeFigure({
  id: "A4",
  title: "A4 · Nonlinear extended UFM W2·σ(W1·H1) vs linear: layer-wise collapse and landscape",
  spec,
  rows,
  meta: {
    paper: "A",
    claim: "In the ReLU extended UFM the global minimum has the value of the linear extended " +
      "UFM, H1 and H2 = σ(W1H1) collapse and the class means of H2 form a nonnegative " +
      "orthogonal frame; H̄1 is not an orthogonal frame (its cosines are ≤ 0) and the ReLU adds " +
      "spurious local minima (science.md §3.5, numerical).",
    measured: `K = ${K}, n = ${n}, d1 = ${d1}, d2 = ${d2}, TB, ${restarts} restarts per model ` +
      `(Nesterov, lr ${solver.lr}, init std ${solver.initStd}). Best ReLU f − linear f*: ${
        summaries.map((s) => `${fmt(s.reluGap)} (${s.label})`).join(", ")
      }; ${
        summaries.some((s) => s.belowLinear)
          ? "some ReLU restart ended BELOW the linear f*"
          : "no ReLU restart ended below the linear f*"
      }. At the best ReLU runs the OF distance of H̄2 is ${
        summaries.map((s) => fmt(s.of)).join(" and ")
      } with smallest mean entry ${
        summaries.map((s) => s.minEntry.toPrecision(2)).join(" and ")
      }; pairwise cosines of H̄1 lie in [${
        summaries.map((s) =>
          `${Math.min(...s.h1Cosines).toFixed(3)}, ${Math.max(...s.h1Cosines).toExponential(1)}`
        ).join("] and [")
      }]. Final state of the ReLU run shown: NC1(H1) ${fmt(reluFinal[metricNames.nc1H1])}, ` +
      `NC1(H2) ${fmt(reluFinal[metricNames.nc1H2])}, OF distance of H̄1 ` +
      `${reluFinal[metricNames.ofH1].toFixed(3)}. Outcomes — ${
        summaries.map((s) => s.text).join("; ")
      } (f_j: rank-deficient values of science.md §3.4; other: none of these).`,
    command: "npx deno task reproduce --only A4",
    theoryErrors: { objective: objectiveError, h2_of_distance: ofError },
    maxTheoryError: objectiveError,
    seconds,
    parameters: { K, n, d1, d2, configs, restarts, solver, tolerance },
  },
});
