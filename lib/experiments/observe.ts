/**
 * What the dynamics figures read off a model at an observed iteration, as (quantity key, value)
 * pairs of the shared vocabulary (vocabulary.ts), so that a script's observer is one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DenseUfm } from "../ufm/dense.ts";
 * import { layerMetrics } from "../ufm/layer_metrics.ts";
 * import { resolveProblem } from "../ufm/problem.ts";
 * import { layerQuantities } from "./observe.ts";
 * const model = new DenseUfm(resolveProblem({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1,
 *   lambdaB: 0, bias: "none", norm: "tb", loss: "mse", targetScale: 1, model: "ext-relu" }),
 *   { seed: 1, initStd: 1 });
 * const values = layerQuantities(layerMetrics(model));
 * assert.deepEqual(values.map(([key]) => key), ["nc1_h1", "nc1_h2", "of_h2", "of_h1",
 *   "nc1_h2_pre", "cosine_min", "cosine_max"]);
 * model.free();
 * ```
 * @module
 */
import type { IterationInfo } from "../optim/minimize.ts";
import { type Category, clampForLog, type FigureRow } from "../plot/mod.ts";
import type { LayerMetricsReport } from "../ufm/layer_metrics.ts";
import type { UfmObjective } from "../ufm/models/types.ts";
import type { UfmProblem } from "../ufm/problem.ts";
import { type SolveReport, type SolverSettings, solveUfm } from "../ufm/solve.ts";

/** The keys {@link layerQuantities} reports (lib/experiments/vocabulary.ts). */
export type LayerQuantity =
  | "nc1_h1"
  | "nc1_h2"
  | "of_h2"
  | "of_h1"
  | "nc1_h2_pre"
  | "cosine_min"
  | "cosine_max";

/**
 * Figure A4's per-layer quantities of an extended model: NC1 of H1 and of the penultimate
 * features H2, the orthogonal-frame distances of their class means, NC1 of H2 before the ReLU
 * (ReLU models only) and the smallest and largest pairwise cosine of H̄1.
 */
export function layerQuantities(report: LayerMetricsReport): [LayerQuantity, number][] {
  const { features } = report;
  const [h1, h2] = [features[0], features[features.length - 1]];
  const values: [LayerQuantity, number][] = [
    ["nc1_h1", h1.nc1],
    ["nc1_h2", h2.nc1],
    ["of_h2", h2.nc2_of],
    ["of_h1", h1.nc2_of],
  ];
  const preRelu = features.find((layer) => layer.stage === "pre-relu");
  if (preRelu !== undefined) values.push(["nc1_h2_pre", preRelu.nc1]);
  values.push(["cosine_min", h1.cosine_min], ["cosine_max", h1.cosine_max]);
  return values;
}

/**
 * Solves `problem` observing the iterations in `observed` and returns the tidy rows
 * `{ ...extra, iteration, <metric>, <metric>_label, value }` of the quantities `read` reports at
 * each (values clamped to `floor` for log axes; iteration 0 drawn at 1), with the solve report:
 * the dynamics panels of the UFM figures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { category } from "../plot/mod.ts";
 * const metric = category("metric", { f: "objective" });
 * const { rows } = observeDynamics({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 },
 *   { optimizer: "gd", lr: 0.5, iters: 20 }, new Set([0, 10]), metric, (info) => ({ f: info.objective }));
 * assert.deepEqual(rows.map((row) => row.iteration), [1, 10, 20]);
 * ```
 */
export function observeDynamics<K extends string>(
  problem: UfmProblem,
  settings: Partial<SolverSettings>,
  observed: ReadonlySet<number>,
  metric: Category<K>,
  read: (info: IterationInfo, model: UfmObjective) => Partial<Record<K, number | null>>,
  extra: FigureRow = {},
  floor = 1e-16,
): { rows: FigureRow[]; report: SolveReport } {
  const rows: FigureRow[] = [];
  const report = solveUfm(problem, settings, {
    observeAt: (t) => observed.has(t),
    observe: (info, model) => {
      for (const [key, value] of Object.entries(read(info, model)) as [K, number | null][]) {
        const at = { ...extra, iteration: Math.max(1, info.iteration), ...metric.cell(key) };
        rows.push({ ...at, value: clampForLog(value, floor) });
      }
    },
  });
  return { rows, report };
}
