/**
 * Figure C1 — minority collapse on the UFM (Fang et al. 2021; docs/imbalanced.md): 5 majority
 * classes of 200 samples and 5 minority classes of 200/R, R from 1 to 200. Left: the bias-free
 * MSE UFM, whose closed form per class predicts ‖w_k‖² = √(λ_H/λ_W)(√n_k − t)_+ with
 * t = N√(λ_Wλ_H): the minority classes vanish past the threshold R* (dashed); solver points on
 * the curves. Middle: the same norms for CE (no closed form: solver). Right: the mean pairwise
 * cosine of the minority classifiers while they exist — orthogonal for MSE, rising to 1 for CE.
 *
 *   npx deno task reproduce --only C1
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { minorityCollapseText } from "../../lib/experiments/findings_c.ts";
import { minorityRun, stepTheoryNorms } from "../../lib/experiments/imbalance.ts";
import { mseMinorityThreshold, stepCounts } from "../../lib/theory/imbalanced.ts";

const majority = 5, minority = 5, nMajority = 200, d = 12;
const lambdas = { mse: 2e-3, ce: 5e-3 }; // Z convention, λ_W = λ_H
const ratios = [1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200]; // n_B = 200/R is an integer
const theoryRatios = Array.from({ length: 81 }, (_, i) => 200 ** (i / 80));
const group = plot.category("group", {
  majority: "majority classes",
  minority: "minority classes",
});
const loss = plot.category("loss", { mse: "MSE (bias-free)", ce: "CE" });

const started = performance.now();
const K = majority + minority, layout = { majority, minority, nMajority };
const minorityClasses = Array.from({ length: minority }, (_, i) => majority + i);
const rows: plot.FigureRow[] = [];
const push = (panel: string, ratio: number, cell: plot.FigureRow, source: string, value: number) =>
  rows.push({ panel, ratio, ...cell, source, value });

// Closed form (continuous n_B = 200/R) and its threshold.
for (const ratio of theoryRatios) {
  const theory = stepTheoryNorms({ ...layout, ratio }, lambdas.mse, d);
  push("mse", ratio, group.cell("majority"), "theory", theory.majority);
  push("mse", ratio, group.cell("minority"), "theory", theory.minority);
}
const threshold = mseMinorityThreshold({ ...layout, lambdaW: lambdas.mse, lambdaH: lambdas.mse });
if (threshold !== null) push("mse", threshold, group.cell("minority"), "threshold", 0);

let maxError = 0;
const runs = {
  mse: { norms: [] as number[], cosines: [] as number[] },
  ce: { norms: [] as number[], cosines: [] as number[] },
};
for (const ratio of ratios) {
  console.error(`C1: R = ${ratio}`);
  for (const name of ["mse", "ce"] as const) {
    const run = minorityRun({
      K,
      counts: stepCounts({ ...layout, ratio }),
      d,
      lambdaW: lambdas[name],
      lambdaH: lambdas[name],
      lambdaB: 0,
      bias: "none",
      norm: "z",
      loss: name,
      targetScale: 1,
    }, minorityClasses);
    const { report } = run;
    if (report.theory !== null) {
      const perClass = report.theory.per_class!.w_row_sq;
      const errors = report.norms.w_class_sq.map((w, k) => Math.abs(w - perClass[k]));
      maxError = Math.max(
        maxError,
        Math.abs(report.objective - report.theory.objective),
        ...errors,
      );
    }
    const alive = run.minorityNorm >= 1e-10;
    runs[name].norms.push(run.minorityNorm);
    runs[name].cosines.push(alive ? run.cosine : NaN);
    push(name, ratio, group.cell("majority"), "solver", run.majorityNorm);
    push(name, ratio, group.cell("minority"), "solver", run.minorityNorm);
    if (alive) push("cosine", ratio, loss.cell(name), "solver", run.cosine);
  }
}

const panel = {
  width: 250,
  height: 220,
  x: "ratio",
  logX: true,
  xTitle: "imbalance ratio R = n_A/n_B",
} as const;
const norms = { ...panel, color: group, colorTitle: null, yTitle: "mean ‖w_k‖²" } as const;
await plot.writeFigure({
  id: "C1",
  title:
    "C1 · Minority collapse on the UFM: classifier norms and minority classifiers' cosine vs imbalance",
  spec: plot.hconcat([
    plot.theoryOverlay({
      ...norms,
      filter: "datum.panel === 'mse'",
      rule: "threshold",
      title: `MSE, λ = ${lambdas.mse}: closed form, solver, R*`,
    }),
    plot.lineChart({
      ...norms,
      filter: "datum.panel === 'ce'",
      y: "value",
      points: 30,
      title: `CE, λ = ${lambdas.ce}: solver`,
    }),
    plot.lineChart({
      ...panel,
      filter: "datum.panel === 'cosine'",
      y: "value",
      color: loss,
      colorTitle: null,
      points: 30,
      yDomain: [-0.3, 1],
      yTitle: "mean cos(w_k, w_l), minority k ≠ l",
      title: "Minority classifiers while nonzero",
    }),
  ], {
    subtitle:
      `K = ${K} (${majority} × ${nMajority} and ${minority} × ${nMajority}/R samples), d = ${d}, bias-free, Z convention`,
  }),
  rows,
  meta: {
    paper: "C",
    claim: "With imbalanced classes the minority classifiers collapse: for CE they merge as the " +
      "imbalance grows (Fang et al. 2021); for bias-free MSE every class with √n_k ≤ N√(λ_Wλ_H) " +
      "has exactly zero classifier and class mean (docs/imbalanced.md#mse-bias-free).",
    measured: minorityCollapseText({
      ratios,
      maxError,
      losses: [
        { label: "CE", ...runs.ce },
        { label: "MSE (bias-free)", ...runs.mse, threshold },
      ],
    }),
    command: "npx deno task reproduce --only C1",
    theoryErrors: { max_abs: maxError },
    seconds: (performance.now() - started) / 1000,
    parameters: { majority, minority, nMajority, d, lambdas, ratios, threshold },
  },
});
