/**
 * Figure B1 — all four losses reach neural collapse on the UFM (paper B; docs/experiments.md#b1;
 * metrics as nc_loss computes them, docs/metrics.md#zhu): NC1, NC2 (centered W vs simplex ETF),
 * NC3 (centered W vs centered class means), "NC4" ‖Wμ_G + b‖ and f − f* vs iteration, for CE,
 * LS (α = 0.05), FL (β = 3) and MSE on one UFM with weight decay on W, H and b (paper B's
 * four-panel layout, one colour per loss).
 *
 *   npx deno task reproduce --only B1
 * @module
 */
import {
  clampForLog,
  type FigureRow,
  lineChart,
  powerOfTen,
  writeFigure,
} from "../../lib/plot/mod.ts";
import { lossDynamicsFinding, type LossRun } from "../../lib/experiments/findings_b.ts";
import { logSpacedIterations } from "../../lib/experiments/schedule.ts";
import { quantities } from "../../lib/experiments/vocabulary.ts";
import { ufmMetrics } from "../../lib/ufm/metrics.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { solveUfm, theoryFor } from "../../lib/ufm/solve.ts";
import { loss, lossFields, lossStyle, paperBLosses } from "../../lib/experiments/paper_b_losses.ts";

const K = 10, n = 100, d = 32, lambda = 5e-4;
const solver = {
  optimizer: "momentum" as const,
  lr: 0.5,
  momentum: 0.9,
  iters: 12000,
  tol: 1e-12,
  seed: 3,
  initStd: 0.1,
};
const metric = quantities("metric", "gap", "nc1", "nc2_w", "nc3_w", "nc4");
const observed = logSpacedIterations(solver.iters, 20);

const started = performance.now();
const rows: FigureRow[] = [];
const runs: LossRun[] = [];
for (const entry of paperBLosses) {
  const regularized = { lambdaW: lambda, lambdaH: lambda, lambdaB: lambda, bias: "reg" } as const;
  const problem: UfmProblem = { K, n, d, ...regularized, norm: "z", ...lossFields(entry) };
  const fStar = theoryFor(problem)!.objective;
  console.error(`B1: ${entry.label}`);
  const report = solveUfm(problem, solver, {
    observeAt: (t) => observed.has(t),
    observe: (info, model) => {
      const m = ufmMetrics(model);
      const values: [typeof metric.keys[number], number | null][] = [
        ["gap", Math.abs(info.objective - fStar)],
        ["nc1", m.nc1],
        ["nc2_w", m.nc2_w_etf_centered],
        ["nc3_w", m.nc3_centered_w],
        ["nc4", m.wmu_g_b_norm],
      ];
      const base = { ...loss.cell(entry.loss), iteration: Math.max(1, info.iteration) };
      for (const [key, value] of values) {
        rows.push({ ...base, ...metric.cell(key), value: clampForLog(value, 1e-16) });
      }
    },
  });
  const m = report.metrics;
  runs.push({
    loss: entry.loss,
    label: entry.label,
    gap: Math.abs(report.objective - fStar),
    nc1: m.nc1,
    nc2: m.nc2_w_etf_centered!,
    nc3: m.nc3_centered_w!,
    nc4: m.wmu_g_b_norm!,
    iterations: report.iterations,
  });
}

const finding = lossDynamicsFinding(runs, K);
await writeFigure({
  id: "B1",
  title: "B1 · Every loss collapses on the UFM: NC metrics vs iteration (paper B)",
  spec: lineChart({
    ...lossStyle,
    x: "iteration",
    y: "value",
    facet: metric,
    columns: 5,
    logX: true,
    logY: true,
    independentY: true,
    width: 170,
    height: 170,
    colorLegend: { orient: "bottom", direction: "horizontal", title: null },
    yTitle: null,
    subtitle: `UFM, K = ${K}, n = ${n}, d = ${d}, λ_W = λ_H = λ_b = ${lambda} (Z), heavy ball ` +
      `lr ${solver.lr}, μ ${solver.momentum}; values floored at ${powerOfTen(-16)}`,
  }),
  rows,
  meta: {
    paper: "B",
    claim:
      "With weight decay, CE, label smoothing, focal loss and MSE all have neural-collapse global " +
      "minimizers in the UFM: NC1, NC2 and NC3 go to zero for every loss; ‖Wμ_G + b‖ vanishes for " +
      "the CE family (b* = 0, h_G = 0), not for MSE with a regularized bias.",
    measured: finding.text,
    command: "npx deno task reproduce --only B1",
    theoryErrors: Object.fromEntries(runs.map((run) => [`objective ${run.label}`, run.gap])),
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, lambda, solver, losses: paperBLosses.map(({ color: _c, ...l }) => l) },
  },
});
