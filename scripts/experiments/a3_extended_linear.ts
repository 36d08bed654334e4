/**
 * Figure A3 — the extended linear UFM W2·W1·H1 (paper A §4; docs/extended-deep.md#l-factor). Top
 * left: f* vs κ = (λ_W2 λ_W1 λ_H1)^{1/3} (TB) with the threshold κ*_3 = 2^(−4/3) past which the
 * origin is the global minimum, the nonzero branch up to the local-minimum bound (3/4)·4^(−1/3),
 * the rank-deficient values f_j and the best of seeded restarts. Top right: the best run's norms vs
 * the closed form. Bottom: where every restart ended, per κ and init scale.
 *
 *   npx deno task reproduce --only A3
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { extendedLinearFinding, type KappaRestarts } from "../../lib/experiments/findings_a.ts";
import { restartRows } from "../../lib/experiments/outcomes.ts";
import { solvePortfolio } from "../../lib/experiments/portfolio.ts";
import { quantities } from "../../lib/experiments/vocabulary.ts";
import { kappaStar, localMinimumBound } from "../../lib/theory/deep_linear.ts";
import { expectTheory } from "../../lib/theory/mod.ts";
import type { UfmProblem } from "../../lib/ufm/problem.ts";
import { theoryFor } from "../../lib/ufm/solve.ts";

const K = 4, n = 5, d = 8;
/** λ_W2 : λ_W1 : λ_H1 = 1/2 : 1 : 2 (product 1, so κ = the common scale), all norms differ. */
const ratios = { w2: 0.5, w1: 1, h: 2 };
const solver = { optimizer: "nesterov" as const, lr: 0.01, momentum: 0.9, iters: 1e5, tol: 1e-10 };
/** Init std 1 reaches the nonzero minimum, 0.1 the origin (docs/extended-deep.md#init-scale). */
const portfolio = [
  { key: "std_1", initStd: 1, restarts: 12, firstSeed: 0 },
  { key: "std_0.1", initStd: 0.1, restarts: 4, firstSeed: 1000 },
] as const;
const kappaSolver = [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.38, 0.42, 0.45, 0.5];
const tolerance = 1e-6;

const init = plot.category("init", { "std_1": "init std 1", "std_0.1": "init std 0.1" });
const curves = ["f_star", "f_full_rank", "f_1", "f_2", "f_3"] as const;
const norms = ["h1_mean_sq", "h2_mean_sq", "w2_row_sq"] as const;
const thresholds = ["kappa_star", "local_min_bound"] as const;
const quantity = quantities("quantity", ...curves, "f_best", "f_restart", ...norms, ...thresholds);
type Quantity = typeof quantity.keys[number];

const mse = { lambdaB: 0, bias: "none", norm: "tb", loss: "mse", targetScale: 1 } as const;
const base = { K, n, d, ...mse, lambdaW: 0, model: "ext-linear" as const, hidden: [d] };
const problemAt = (kappa: number): UfmProblem => {
  const lambdaWs = [ratios.w1 * kappa, ratios.w2 * kappa];
  return { ...base, lambdaH: ratios.h * kappa, lambdaWs };
};
const theoryAt = (kappa: number) => expectTheory(theoryFor(problemAt(kappa)), "deep-linear");

const started = performance.now();
const rows: plot.FigureRow[] = [];
const push = (panel: string, kappa: number, key: Quantity, source: string, value: number | null) =>
  rows.push({ panel, kappa, ...quantity.cell(key), source, value });
for (let i = 1; i <= 275; i++) {
  const kappa = 0.002 * i, t = theoryAt(kappa);
  const ranks = [1, 2, 3].map((j) => t.root === null ? null : t.rank_values[j]);
  const values = [t.objective, t.nonzero_objective, ...ranks];
  curves.forEach((key, k) => push("objective", kappa, key, "theory", values[k]));
  const expected = [...t.layer_h_mean_sq, t.w_row_sq];
  norms.forEach((key, k) => push("norms", kappa, key, "theory", expected[k]));
}

const results: KappaRestarts[] = [];
for (const kappa of kappaSolver) {
  const t = theoryAt(kappa);
  const { best, reports, counts } = await solvePortfolio(problemAt(kappa), solver, portfolio, {
    tolerance,
    progress: `A3: κ = ${kappa}`,
  });
  for (const { key } of portfolio) {
    const extra = { panel: "objective", kappa, ...quantity.cell("f_restart"), source: "restart" };
    rows.push(...restartRows(reports[key].restarts, { ...extra, ...init.cell(key) }));
  }
  const values = [...best.layers!.features.map((layer) => layer.mean_sq), best.norms.w_row_sq];
  const expected = [...t.layer_h_mean_sq, t.w_row_sq];
  norms.forEach((key, k) => push("norms", kappa, key, "solver", values[k]));
  push("objective", kappa, "f_best", "solver", best.objective);
  const normError = Math.max(...values.map((value, k) => Math.abs(value - expected[k])));
  results.push({ kappa, fStar: t.objective, best: best.objective, normError, counts });
}
const kStar = kappaStar(3), bound = localMinimumBound(3);
[kStar, bound].forEach((kappa, k) => push("rule", kappa, thresholds[k], "threshold", null));

const setting = `K = ${K}, n = ${n}, d1 = d2 = ${d}, λ_W2:λ_W1:λ_H1 = 1/2:1:2`;
const finding = extendedLinearFinding({ results, threshold: kStar, bound, portfolio, setting });
const label = quantity.label;
const look = (k: Quantity, color: string, dash?: number[]) => ({ value: label(k), color, dash });
const styles = [look("f_star", "#000"), look("f_full_rank", "#555", [5, 3])]
  .concat((["f_1", "f_2", "f_3"] as const).map((key) => look(key, "#aaa", [2, 2])))
  .concat([look("f_best", "#d62728")]);
const overlay = { x: "kappa", color: quantity, colorTitle: null, height: 250 };
const rules = { rule: "threshold", ruleColor: "#555" };
await plot.writeFigure({
  id: "A3",
  title: "A3 · Extended linear UFM W2·W1·H1: optimal value, threshold 2^(−4/3) and norms vs κ",
  spec: plot.vconcat([
    plot.hconcat([
      plot.theoryOverlay({
        ...overlay,
        ...rules,
        filter: "datum.panel !== 'norms'",
        title: "Objective vs κ",
        xTitle: "κ = (λ_W2 λ_W1 λ_H1)^(1/3)  (TB)",
        yTitle: "objective f",
        yDomain: [0, 0.6],
        styles,
        colorLegend: { orient: "top-left" },
        filledPoints: 45,
        width: 380,
      }),
      plot.theoryOverlay({
        ...overlay,
        ...rules,
        filter: "datum.panel !== 'objective'",
        title: "Norms of the best run",
        xTitle: "κ",
        yTitle: "mean over classes",
        width: 300,
      }),
    ]),
    plot.restartOutcomeBars({
      filter: "datum.source === 'restart'",
      x: "kappa",
      xType: "ordinal",
      xTitle: "κ",
      xLabelAngle: 0,
      column: init,
      ranks: K + 1,
      width: 330,
      height: 140,
      title: "Where every restart ended (f_j: rank-deficient critical values)",
    }),
  ], {
    subtitle: "lines: closed form · points: best of all restarts · dashed rules: κ*₃ = " +
      "2^(−4/3) and the local-minimum bound (3/4)·4^(−1/3)",
  }),
  rows,
  meta: {
    paper: "A",
    claim: "The extended linear UFM collapses to orthogonal frames with closed-form norms " +
      "while κ = (λ_W2 λ_W1 λ_H1)^(1/3) < κ*₃ = 2^(−4/3) and to zero beyond; the origin and the " +
      "rank-deficient points f_j = (j/K)f* + (K−j)/(2K) are local minima, so the init scale " +
      "decides where gradient methods end (docs/extended-deep.md#rank-deficient).",
    measured: finding.text,
    command: "npx deno task reproduce --only A3",
    theoryErrors: { objective: finding.objectiveError, norms: finding.normError },
    seconds: (performance.now() - started) / 1000,
    parameters: { K, n, d, ratios, solver, portfolio, kappaSolver, tolerance },
  },
});
