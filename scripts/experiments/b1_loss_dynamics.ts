/**
 * Figure B1 — all four losses reach neural collapse on the UFM (paper B; science.md §3.3, §3.6,
 * metrics as nc_loss computes them, §4.1): NC1, NC2 (centered W vs simplex ETF), NC3 (centered W
 * vs centered class means), "NC4" ‖Wμ_G + b‖ and f − f* vs iteration, for CE, LS (α = 0.05),
 * FL (β = 3) and MSE on one UFM with weight decay on W, H and b (paper B's four-panel layout,
 * one colour per loss).
 *
 *   npx deno task reproduce --only B1
 * @module
 */
import { writeFigure } from "../../lib/plot/mod.ts";
import { clampForLog, lineChart } from "../../lib/plot/charts.ts";
import type { FigureRow } from "../../lib/plot/csv.ts";
import type { FigureSpec } from "../../lib/plot/write_figure.ts";
import { ufmMetrics } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";
import { lossColor, lossFields, paperBLosses } from "./paper_b_losses.ts";

const K = 10, n = 100, d = 32, lambda = 5e-4;
const losses = paperBLosses;
const solver = {
  optimizer: "momentum" as const,
  lr: 0.5,
  momentum: 0.9,
  iters: 12000,
  tol: 1e-12,
  seed: 3,
  initStd: 0.1,
};
const metricNames = {
  gap: "f − f*",
  nc1: "NC1",
  nc2: "NC2: W (centered) vs ETF",
  nc3: "NC3: W vs class means",
  nc4: "NC4: ‖Wμ_G + b‖",
};

// About 20 observation points per decade, plus the first iterations.
const observed = new Set<number>();
for (let i = 0; i <= 20 * Math.log10(solver.iters); i++) observed.add(Math.round(10 ** (i / 20)));
for (let t = 0; t < 10; t++) observed.add(t);

const started = performance.now();
const rows: FigureRow[] = [];
const finals: {
  label: string;
  gap: number;
  nc1: number;
  nc2: number;
  nc3: number;
  nc4: number;
  iterations: number;
}[] = [];

for (const spec of losses) {
  const problem: UfmProblem = {
    K,
    n,
    d,
    lambdaW: lambda,
    lambdaH: lambda,
    lambdaB: lambda,
    bias: "reg",
    norm: "z",
    ...lossFields(spec),
  };
  const fStar = theoryFor(problem)!.objective;
  console.error(`B1: ${spec.label}`);
  const report = solveUfm(problem, solver, {
    observeAt: (t) => observed.has(t),
    observe: (info, model) => {
      const m = ufmMetrics(model);
      const base = { loss: spec.label, iteration: Math.max(1, info.iteration) };
      const values: [string, number | null][] = [
        [metricNames.gap, Math.abs(info.objective - fStar)],
        [metricNames.nc1, m.nc1],
        [metricNames.nc2, m.nc2_w_etf_centered],
        [metricNames.nc3, m.nc3_centered_w],
        [metricNames.nc4, m.wmu_g_b_norm],
      ];
      for (const [metric, value] of values) {
        rows.push({ ...base, metric, value: clampForLog(value, 1e-16) });
      }
    },
  });
  const m = report.metrics;
  finals.push({
    label: spec.label,
    gap: Math.abs(report.objective - fStar),
    nc1: m.nc1,
    nc2: m.nc2_w_etf_centered!,
    nc3: m.nc3_centered_w!,
    nc4: m.wmu_g_b_norm!,
    iterations: report.iterations,
  });
}

const spec = lineChart({
  x: "iteration",
  y: "value",
  facet: "metric",
  columns: 3,
  color: "loss",
  colorTitle: "loss",
  logX: true,
  logY: true,
  independentY: true,
  width: 260,
  height: 180,
  yTitle: "value (floor 1e-16)",
  subtitle:
    `UFM, K = ${K}, n = ${n}, d = ${d}, λ_W = λ_H = λ_b = ${lambda} (Z), heavy ball lr ${solver.lr}, μ ${solver.momentum}`,
}) as unknown as {
  facet: Record<string, unknown>;
  spec: { encoding: { color: Record<string, unknown> } };
};
spec.facet.sort = Object.values(metricNames);
spec.spec.encoding.color = lossColor();

const fmt = (x: number) => x.toExponential(1);
const maxGap = Math.max(...finals.map((f) => f.gap));
const softmaxFinals = finals.filter((f) => f.label !== "MSE");
const mse = finals.find((f) => f.label === "MSE")!;
await writeFigure({
  id: "B1",
  title: "B1 · Every loss collapses on the UFM: NC metrics vs iteration (paper B)",
  spec: spec as unknown as FigureSpec,
  rows,
  meta: {
    paper: "B",
    claim:
      "With weight decay, CE, label smoothing, focal loss and MSE all have neural-collapse global " +
      "minimizers in the UFM: NC1, NC2 and NC3 go to zero for every loss; ‖Wμ_G + b‖ vanishes for " +
      "the CE family (b* = 0, h_G = 0), not for MSE with a regularized bias.",
    measured: `After at most ${
      Math.max(...finals.map((f) => f.iterations))
    } iterations every loss ` +
      `reached its predicted f* (largest |f − f*| ${fmt(maxGap)}); final NC1 ≤ ${
        fmt(Math.max(...finals.map((f) => f.nc1)))
      }, ` +
      `NC2 ≤ ${fmt(Math.max(...finals.map((f) => f.nc2)))}, NC3 ≤ ${
        fmt(Math.max(...finals.map((f) => f.nc3)))
      } ` +
      `over all four losses. ‖Wμ_G + b‖ ends at ≤ ${
        fmt(Math.max(...softmaxFinals.map((f) => f.nc4)))
      } ` +
      `for CE/LS/FL and at ${mse.nc4.toFixed(4)} for MSE (≈ 1/√K = ${
        (1 / Math.sqrt(K)).toFixed(4)
      } ` +
      "shrunk by the bias penalty, science.md §3.3).",
    command: "npx deno task reproduce --only B1",
    theoryErrors: Object.fromEntries(finals.map((f) => [`objective ${f.label}`, f.gap])),
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, lambda, solver, losses: losses.map(({ color: _c, ...l }) => l) },
  },
});
