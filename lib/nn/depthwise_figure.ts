/**
 * Rows and charts of figure A6 (depthwise collapse of an MLP with an extra FC + ReLU head,
 * docs/experiments.md#a6): per data set one row of line panels (a · NC1 of H1 and H2; b · the
 * class means of H2 against an orthogonal frame and a simplex ETF; c · the classifier W₂), one
 * dash per classifier variant, then d · train/test accuracy per data set and e · the final NC1
 * of every hidden layer. Statistics and text are in depthwise.ts.
 *
 * Rows are tidy, every row with the columns kind ("metric", "accuracy", "depth"), dataset,
 * panel, series, variant, epoch, value, accuracy, layer (null where not used).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { depthwiseFigure, depthwiseSeries } from "./depthwise_figure.ts";
 * assert.equal(depthwiseSeries.length, 6);
 * const spec = depthwiseFigure({ title: "A6", subtitle: "MLP", datasets: ["MNIST"] });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.vconcat.length, 2); // one line row per data set, then panels d and e
 * assert.deepEqual(view.resolve, { scale: { color: "independent" } });
 * ```
 * @module
 */
import { lineChart } from "../plot/charts.ts";
import { hconcat, vconcat } from "../plot/compose.ts";
import type { FigureRow } from "../plot/csv.ts";
import type { FigureSpec } from "../plot/write_figure.ts";
import { mean, meanHistory } from "./experiment.ts";
import type { EvalRecord, TrainResult } from "./train.ts";

/** A series of the line panels: its panel, legend label and value per evaluation. */
export interface DepthwiseSeries {
  /** Panel title. */
  panel: string;
  /** Legend label. */
  name: string;
  /** Value of an evaluation (null: undefined). */
  pick: (e: EvalRecord) => number | null;
}

/** The series of panels a–c (H1: the second-to-last hidden layer, H2: the last). */
export const depthwiseSeries: readonly DepthwiseSeries[] = [
  { panel: "a · NC1", name: "NC1(H1), 64-d", pick: (e) => e.layers.at(-2)!.nc1 },
  { panel: "a · NC1", name: "NC1(H2), 32-d penultimate", pick: (e) => e.layers.at(-1)!.nc1 },
  {
    panel: "b · class means of H2",
    name: "OF dist. of uncentered H̄2",
    pick: (e) => e.layers.at(-1)!.nc2_of,
  },
  {
    panel: "b · class means of H2",
    name: "ETF dist. of centered H̄2",
    pick: (e) => e.layers.at(-1)!.nc2_etf,
  },
  { panel: "c · classifier W₂", name: "dist(W₂W₂ᵀ, I/√K)", pick: (e) => e.nc2_w_of },
  {
    panel: "c · classifier W₂",
    name: "self-duality ‖W₂/‖W₂‖ − H̄2ᵀ/‖H̄2‖‖",
    pick: (e) => e.self_duality_uncentered,
  },
];

/** A positive value, or null (a gap on the log axis). */
const positive = (value: number | null) => value !== null && value > 0 ? value : null;

/**
 * Rows of one data set and classifier variant from its runs (one per seed): the seed-mean
 * curves of {@link depthwiseSeries}, train and test accuracy, and the final NC1 by layer.
 */
export function depthwiseRows(
  dataset: string,
  variant: string,
  runs: readonly Pick<TrainResult, "evals">[],
): FigureRow[] {
  const rows: FigureRow[] = [];
  const blank = { accuracy: null, layer: null };
  for (const s of depthwiseSeries) {
    for (const { epoch, value } of meanHistory(runs, s.pick)) {
      const cell = { dataset, panel: s.panel, series: s.name, variant, epoch };
      rows.push({ kind: "metric", ...cell, value: positive(value), ...blank });
    }
  }
  for (const name of ["train", "test"] as const) {
    for (const { epoch, value } of meanHistory(runs, (e) => e[`${name}_acc`])) {
      const cell = { dataset, panel: "d · accuracy", series: `${name} accuracy`, variant, epoch };
      rows.push({ kind: "accuracy", ...cell, value: null, accuracy: value, layer: null });
    }
  }
  runs[0].evals.at(-1)!.layers.forEach((layer, l) => {
    const nc1 = mean(runs.map((r) => r.evals.at(-1)!.layers[l].nc1 ?? NaN));
    const cell = { dataset, panel: "e · final NC1 by layer", series: "final NC1", variant };
    const value = Number.isFinite(nc1) ? positive(nc1) : null;
    rows.push({
      kind: "depth",
      ...cell,
      epoch: null,
      value,
      accuracy: null,
      layer: `${l + 1} (${layer.width})`,
    });
  });
  return rows;
}

/** What {@link depthwiseFigure} draws. */
export interface DepthwiseFigureOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (network and protocol). */
  subtitle: string;
  /** Data set titles (the rows' `dataset`), in display order. */
  datasets: readonly string[];
}

/** The figure: a line row (panels a–c) per data set, then accuracy (d) and NC1 by layer (e). */
export function depthwiseFigure(options: DepthwiseFigureOptions): FigureSpec {
  const size = { width: 250, height: 170 };
  const variants = { strokeDash: "variant", strokeDashTitle: "classifier" };
  const lines = (dataset: string) =>
    lineChart({
      title: dataset,
      filter: `datum.kind === 'metric' && datum.dataset === '${dataset}'`,
      ...{ x: "epoch", xTitle: "epoch", y: "value", yTitle: "value (log)", logY: true },
      ...{ facet: "panel", facetTitle: null, columns: 3, ...size, independentY: true },
      ...{ color: "series", colorTitle: "quantity", colorLegend: { labelLimit: 320 } },
      ...variants,
    });
  const accuracy = lineChart({
    title: "d · accuracy",
    filter: "datum.kind === 'accuracy'",
    ...{ facet: "dataset", facetTitle: null, facetSort: options.datasets, columns: 2, ...size },
    ...{ x: "epoch", xTitle: "epoch", y: "accuracy", yTitle: "accuracy", zeroY: false },
    ...{ color: "series", colorTitle: "accuracy", ...variants },
  });
  const byLayer = lineChart({
    title: "e · final NC1 by layer",
    filter: "datum.kind === 'depth'",
    ...{ ...size, x: "layer", xType: "ordinal", xTitle: "hidden layer (width)", points: true },
    ...{ y: "value", yTitle: "NC1 (log)", logY: true, ...variants },
    ...{ color: "dataset", colorTitle: "data", colorSort: options.datasets },
  });
  return vconcat([
    ...options.datasets.map(lines),
    hconcat([accuracy, byLayer], { shared: ["shape", "size", "opacity"] }),
  ], {
    title: options.title,
    subtitle: options.subtitle,
    // One dash legend (the classifier) for every panel; colors differ from panel to panel.
    shared: ["shape", "strokeDash", "size", "opacity"],
  });
}
