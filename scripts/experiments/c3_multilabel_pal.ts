/**
 * Figure C3 — multi-label learning with the pick-all-label loss on the UFM (Li et al. ICML 2024;
 * docs/multilabel.md): K = 4 classes, 6 single-label samples per class and 3 samples for every
 * pair of classes. Left: the common scale c_2 of the pair means (h̄_S = c_2·(h̄_k + h̄_l)/2) vs the
 * regularization λ, with its spread over the six pairs. Middle: how far the pair means are from
 * tag-wise averages, 1 − min cos(h̄_S, (h̄_k + h̄_l)/2). Right: NC of the multiplicity-1 features
 * and the tag-wise cosine deficit vs iteration of heavy-ball descent at λ = 5·10⁻³.
 *
 *   npx deno task reproduce --only C3
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { palText } from "../../lib/experiments/findings_c.ts";
import { logSpacedIterations } from "../../lib/experiments/schedule.ts";
import { ufmMultiLabelMetrics } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm } from "../../lib/ufm/solve.ts";

const K = 4, n = 6, nMulti = 3, d = 6;
// 1e-4 … 1e-1; past the zero threshold (≈ 0.1 here) every feature is 0: c_2 undefined, not drawn.
const lambdas = Array.from({ length: 13 }, (_, i) => 10 ** (-4 + i * 0.25));
const dynamicsLambda = 5e-3;
const dynamics = { optimizer: "momentum", lr: 0.2, momentum: 0.9, iters: 20000 } as const;
const observed = logSpacedIterations(dynamics.iters, 15);
const quantity = plot.category("quantity", {
  c2: "c_2 (mean over pairs)",
  c2_min: "c_2 (smallest pair)",
  c2_max: "c_2 (largest pair)",
  cosine_deficit: "1 − min tag-wise cosine",
  nc1_m1: "NC1 (multiplicity 1)",
  nc2_m1: "NC2: dist(centred m1 means, ETF)",
  nc2_w: "NC2: dist(WWᵀ, ETF)",
});

const started = performance.now();
const problem = (lambda: number): UfmProblem => ({
  ...{ K, n, nMulti, d, lambdaW: lambda, lambdaH: lambda, lambdaB: lambda },
  ...{ bias: "reg", norm: "z", loss: "pal", targetScale: 1 },
});
const rows: plot.FigureRow[] = [];
const floor = 1e-16;
const series = (): number[] => [];
const scales = { mean: series(), spread: series(), cosine: series(), etf: series() };
const solved: number[] = [];
for (const lambda of lambdas) {
  console.error(`C3: λ = ${lambda.toExponential(1)}`);
  const ml = solveUfm(problem(lambda), { path: "auto", tol: 1e-12, seed: 1 }).multilabel;
  if (ml === undefined) continue; // the zero solution
  const { mean, min, max } = ml.scale_by_multiplicity["2"];
  solved.push(lambda);
  scales.mean.push(mean);
  scales.spread.push(max - min);
  scales.cosine.push(ml.tagwise_cosine_min);
  scales.etf.push(ml.nc2_m1_etf);
  const deficit = plot.clampForLog(1 - ml.tagwise_cosine_min, floor);
  for (
    const [key, value] of [["c2", mean], ["c2_min", min], ["c2_max", max], [
      "cosine_deficit",
      deficit,
    ]] as const
  ) {
    rows.push({ panel: "lambda", lambda, ...quantity.cell(key), value });
  }
}

let finalNc1 = NaN;
solveUfm(problem(dynamicsLambda), { ...dynamics, tol: 1e-12, seed: 1, initStd: 0.1 }, {
  observeAt: (t) => observed.has(t),
  observe: (info, model) => {
    const ml = ufmMultiLabelMetrics(model)!;
    const at = { panel: "dynamics", iteration: Math.max(1, info.iteration) };
    const values = {
      nc1_m1: ml.nc1_m1,
      nc2_m1: ml.nc2_m1_etf,
      nc2_w: ml.nc2_w_etf,
      cosine_deficit: 1 - ml.tagwise_cosine_min,
    };
    for (const [key, value] of Object.entries(values)) {
      const cell = quantity.cell(key as keyof typeof values);
      rows.push({ ...at, ...cell, value: plot.clampForLog(value, floor) });
    }
    finalNc1 = ml.nc1_m1;
  },
});

const perLambda = { width: 240, height: 220, x: "lambda", logX: true } as const;
await plot.writeFigure({
  id: "C3",
  title: "C3 · Multi-label PAL on the UFM: pair features are tag-wise averages with one scale c_2",
  spec: plot.hconcat([
    plot.lineChart({
      ...perLambda,
      filter: "datum.panel === 'lambda' && datum.quantity !== 'cosine_deficit'",
      y: "value",
      color: quantity,
      colorTitle: null,
      points: 20,
      xTitle: "λ = λ_W = λ_H = λ_b (Z)",
      zeroY: false,
      yTitle: "‖h̄_S‖ / ‖(h̄_k + h̄_l)/2‖",
      title: "Scale of the pair means",
    }),
    plot.lineChart({
      ...perLambda,
      filter: "datum.panel === 'lambda' && datum.quantity === 'cosine_deficit'",
      y: "value",
      logY: true,
      yDomain: [floor, 1],
      points: 20,
      xTitle: "λ = λ_W = λ_H = λ_b (Z)",
      yTitle: `1 − min cos (${plot.powerOfTen(-16)} = exact)`,
      title: "Direction of the pair means",
    }),
    plot.lineChart({
      width: 300,
      height: 220,
      filter: "datum.panel === 'dynamics'",
      x: "iteration",
      y: "value",
      logX: true,
      logY: true,
      color: quantity,
      colorTitle: null,
      xTitle: "iteration (heavy ball)",
      yTitle: "metric",
      title: `Dynamics at λ = ${dynamicsLambda}`,
    }),
  ], {
    subtitle:
      `K = ${K}, ${n} single-label samples per class, ${nMulti} per pair of classes, d = ${d}, regularized bias`,
  }),
  rows,
  meta: {
    paper: "C",
    claim: "With the pick-all-label loss the features of a sample with labels {k, l} collapse to " +
      "a scaled average c_2·(h̄_k + h̄_l)/2 of its classes' means, with one scale c_2 for every " +
      "pair, while the single-label features form a simplex ETF (docs/multilabel.md#pal-numerics).",
    measured: palText({
      lambdas: solved,
      ...scales,
      finalNc1,
      zeroFrom: lambdas.find((lambda) => !solved.includes(lambda)),
    }),
    command: "npx deno task reproduce --only C3",
    maxTheoryError: null,
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, nMulti, d, lambdas, dynamicsLambda, dynamics },
  },
});
