/**
 * Rows and charts of paper B's loss grid (docs/experiments.md#b4) on real networks, shared by
 * figures B4 (MNIST) and B6 (Fashion-MNIST): a grid of runs over losses × widths × epoch budgets ×
 * seeds,
 *
 *   a) NC dynamics at the widest network and longest budget (mean over seeds): NC1, NC2 (centered
 *      W vs simplex ETF), NC3, "NC4" ‖Wμ_G + b‖, train and test accuracy vs epoch, one colour per
 *      loss (nc_loss plot.py layout);
 *   b) test accuracy vs epoch budget per width;
 *   c) heatmaps of |Acc_CE − Acc_X| (test, mean over seeds, pp) over width × epochs for X = MSE,
 *      FL, LS (nc_loss plot_heatmap.py);
 *
 * and optionally d) another architecture's test accuracy per loss beside the grid's.
 *
 * Rows are tidy: every row carries the caller's `blank` template (all fields null, in the
 * figure's column order) plus `kind` ("nc", "acc", "budget", "heat", "arch") and its values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridCells, type LossGrid } from "./loss_grid_figure.ts";
 * import type { TrainResult } from "./train.ts";
 * const run = (acc: number) => ({ test_acc: acc }) as TrainResult;
 * const grid: LossGrid = {
 *   losses: [{ loss: "ce", label: "CE" }], widths: [8], budgets: [5], seeds: [1, 2],
 *   runsOf: () => [run(0.5), run(0.7)],
 * };
 * assert.deepEqual(gridCells(grid), [{ loss: "ce", width: 8, epochs: 5, accuracies: [0.5, 0.7] }]);
 * ```
 * @module
 */
import type { FigureRow } from "../plot/csv.ts";
import {
  lineChart,
  type LineChartOptions,
  scatterChart,
  type SeriesOptions,
} from "../plot/charts.ts";
import type { FigureSpec } from "../plot/write_figure.ts";
import { meanHistory } from "./experiment.ts";
import { cellKey, type GridCell } from "./findings.ts";
import type { EvalRecord, TrainResult } from "./train.ts";

/** A loss of the grid and its legend label. */
export interface LossLabel {
  /** Loss name (ce, ls, fl, mse). */
  loss: string;
  /** Legend label. */
  label: string;
}

/** The grid's axes and its finished runs. */
export interface LossGrid {
  /** Losses, the reference (CE) first. */
  losses: readonly LossLabel[];
  /** Widths, ascending. */
  widths: readonly number[];
  /** Epoch budgets, ascending. */
  budgets: readonly number[];
  /** Seeds of every cell. */
  seeds: readonly number[];
  /** The runs (one per seed) of a cell. */
  runsOf: (loss: string, width: number, epochs: number) => TrainResult[];
}

/** The NC panels of chart a: title and value of an evaluation. */
export const ncPanels: readonly { panel: string; pick: (e: EvalRecord) => number | null }[] = [
  { panel: "NC1", pick: (e) => e.nc1 },
  { panel: "NC2: centered W vs ETF", pick: (e) => e.nc2 },
  { panel: "NC3: W vs centered means", pick: (e) => e.nc3 },
  { panel: "NC4: ‖Wμ_G + b‖", pick: (e) => e.nc4 },
];

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Mean test accuracy over the seeds of a cell. */
export function meanTestAcc(grid: LossGrid, loss: string, width: number, epochs: number): number {
  return mean(grid.runsOf(loss, width, epochs).map((r) => r.test_acc));
}

/** The grid's cells (loss, width, budget order) with each seed's test accuracy. */
export function gridCells(grid: LossGrid): GridCell[] {
  return grid.losses.flatMap(({ loss }) =>
    grid.widths.flatMap((width) =>
      grid.budgets.map((epochs) => ({
        loss,
        width,
        epochs,
        accuracies: grid.runsOf(loss, width, epochs).map((r) => r.test_acc),
      }))
    )
  );
}

/** Summary of the dynamics of one loss's runs (one per seed). */
export interface DynamicsSummary {
  train_acc: number[];
  test_acc_mean: number;
  first_epoch_at_100: (number | null)[];
  nc1_peak: number;
  nc1_final: number;
  nc1_drop_from_peak: number;
  nc1_drop_per_seed: (number | null)[];
  nc1_drop_after_100_per_seed: (number | null)[];
  nc2_final: number;
  nc3_final: number;
  nc4_final: number;
}

/** NC1 peak and fall of the seed-mean curve, final NC2–NC4 and accuracies of a loss's runs. */
export function dynamicsSummary(runs: readonly TrainResult[]): DynamicsSummary {
  const nc1 = meanHistory(runs, (e) => e.nc1).map((p) => p.value!);
  const final = runs.map((r) => r.evals.at(-1)!);
  return {
    train_acc: runs.map((r) => r.train_acc),
    test_acc_mean: mean(runs.map((r) => r.test_acc)),
    first_epoch_at_100: runs.map((r) => r.terminal.first_epoch_at_100),
    nc1_peak: Math.max(...nc1),
    nc1_final: nc1.at(-1)!,
    nc1_drop_from_peak: Math.max(...nc1) / nc1.at(-1)!,
    nc1_drop_per_seed: runs.map((r) => r.terminal.nc1_drop),
    nc1_drop_after_100_per_seed: runs.map((r) => r.terminal.nc1_drop_in_tpt),
    nc2_final: mean(final.map((e) => e.nc2 ?? NaN)),
    nc3_final: mean(final.map((e) => e.nc3 ?? NaN)),
    nc4_final: mean(final.map((e) => e.nc4 ?? NaN)),
  };
}

/**
 * Rows of chart a for one loss (NC metrics and accuracies vs epoch, seed means of `runs`); NC
 * values ≤ 0 become null (log axis), epoch 0 is left out of the accuracies (chance level).
 */
export function dynamicsRows(
  runs: readonly TrainResult[],
  label: string,
  blank: FigureRow,
): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const { panel, pick } of ncPanels) {
    for (const point of meanHistory(runs, pick)) {
      const value = point.value !== null && point.value > 0 ? point.value : null;
      rows.push({ ...blank, kind: "nc", panel, loss: label, epoch: point.epoch, value });
    }
  }
  for (
    const [panel, pick] of [
      ["train accuracy", (e: EvalRecord) => e.train_acc],
      ["test accuracy", (e: EvalRecord) => e.test_acc],
    ] as const
  ) {
    for (const point of meanHistory(runs, pick).filter((p) => p.epoch > 0)) {
      rows.push({
        ...blank,
        kind: "acc",
        panel,
        loss: label,
        epoch: point.epoch,
        accuracy: point.value,
      });
    }
  }
  return rows;
}

/** Rows of chart b: mean test accuracy per loss, width and budget. */
export function budgetRows(grid: LossGrid, blank: FigureRow): FigureRow[] {
  return grid.losses.flatMap(({ loss, label }) =>
    grid.widths.flatMap((width) =>
      grid.budgets.map((epochs) => ({
        ...blank,
        kind: "budget",
        loss: label,
        width,
        epochs,
        accuracy: meanTestAcc(grid, loss, width, epochs),
      }))
    )
  );
}

/** Rows of chart c from the gaps of findings.ts (keyed by loss name, then cell). */
export function heatRows(
  grid: LossGrid,
  gaps: Record<string, Record<string, number>>,
  blank: FigureRow,
): FigureRow[] {
  return grid.losses.filter(({ loss }) => loss in gaps).flatMap(({ loss, label }) =>
    grid.widths.flatMap((width) =>
      grid.budgets.map((epochs) => ({
        ...blank,
        kind: "heat",
        loss_x: label,
        width,
        epochs,
        gap: gaps[loss][cellKey(width, epochs)],
      }))
    )
  );
}

/** Options shared by the line charts: epoch on x, one panel per `panel`, one colour per loss. */
export function epochPanelAxes(series: SeriesOptions): Partial<LineChartOptions> & SeriesOptions {
  return {
    ...series,
    x: "epoch",
    xTitle: "epoch",
    facet: "panel",
    facetTitle: null,
    independentY: true,
    height: 150,
  };
}

/** Charts a (two parts), b and c of the grid (see module notes). */
export function lossGridCharts(
  grid: LossGrid,
  series: SeriesOptions,
  color: Record<string, unknown>,
  heatOrder: readonly string[],
): { nc: FigureSpec; accuracy: FigureSpec; budget: FigureSpec; heat: FigureSpec } {
  const widest = grid.widths.at(-1)!, longest = grid.budgets.at(-1)!;
  const axes = epochPanelAxes(series);
  return {
    nc: lineChart({
      title: `a · NC dynamics, width ${widest}, ${longest} epochs (mean of ${grid.seeds.length} ` +
        `seeds)`,
      filter: "datum.kind === 'nc'",
      ...axes,
      x: "epoch",
      y: "value",
      yTitle: "value (log)",
      logY: true,
      facetSort: ncPanels.map((p) => p.panel),
      columns: 4,
      width: 190,
      points: 14,
    }),
    accuracy: lineChart({
      filter: "datum.kind === 'acc'",
      ...axes,
      x: "epoch",
      y: "accuracy",
      yTitle: "accuracy",
      zeroY: false,
      facetSort: ["train accuracy", "test accuracy"],
      columns: 2,
      width: 250,
    }),
    budget: {
      title: "b · test accuracy vs epoch budget (mean over seeds), per width",
      transform: [{ filter: "datum.kind === 'budget'" }],
      facet: { field: "width", type: "ordinal", title: "width" },
      columns: 4,
      spec: {
        width: 150,
        height: 130,
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "epochs",
            type: "quantitative",
            title: "epochs",
            scale: { type: "log", base: 2 },
            axis: { values: [...grid.budgets] },
          },
          y: {
            field: "accuracy",
            type: "quantitative",
            title: "test accuracy",
            scale: { zero: false },
          },
          color,
        },
      },
    },
    heat: {
      title: "c · |Acc_CE − Acc_X| on the test set, percentage points (mean over seeds)",
      transform: [{ filter: "datum.kind === 'heat'" }],
      facet: { field: "loss_x", type: "nominal", title: null, sort: [...heatOrder] },
      columns: 3,
      spec: {
        width: 170,
        height: 130,
        layer: [
          {
            mark: { type: "rect" },
            encoding: {
              x: { field: "width", type: "ordinal", title: "width" },
              y: { field: "epochs", type: "ordinal", title: "epochs", sort: "descending" },
              color: {
                field: "gap",
                type: "quantitative",
                title: "|ΔAcc| (pp)",
                scale: { scheme: "blues", domainMin: 0 },
              },
            },
          },
          {
            mark: { type: "text", fontSize: 10 },
            encoding: {
              x: { field: "width", type: "ordinal" },
              y: { field: "epochs", type: "ordinal", sort: "descending" },
              text: { field: "gap", type: "quantitative", format: ".2f" },
            },
          },
        ],
      },
    },
  };
}

/**
 * The collapse of each loss in words, from {@link dynamicsSummary} per legend label: the fall
 * of NC1 from its peak (seed-mean curve), the mean fall after 100% training accuracy over the
 * seeds that reached it, and the final NC2 and NC3 ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collapseText, type DynamicsSummary } from "./loss_grid_figure.ts";
 * const ce = { nc1_drop_from_peak: 60, nc1_drop_after_100_per_seed: [3, 5, null],
 *   nc2_final: 0.1, nc3_final: 0.2 } as DynamicsSummary;
 * assert.equal(collapseText({ CE: ce }),
 *   "NC1 falls from its peak ×60 (CE); after 100% training accuracy ×4.0 (CE); " +
 *   "final NC2 0.10–0.10, NC3 0.20–0.20");
 * ```
 */
export function collapseText(dynamics: Record<string, DynamicsSummary>): string {
  const entries = Object.entries(dynamics);
  const factor = (x: number) => `×${x.toFixed(x < 10 ? 1 : 0)}`;
  const afterFit = entries.map(([label, d]) => {
    const drops = d.nc1_drop_after_100_per_seed.filter((x): x is number => x !== null);
    return `${drops.length === 0 ? "never at 100%" : factor(mean(drops))} (${label})`;
  });
  const range = (pick: (d: DynamicsSummary) => number) => {
    const values = entries.map(([, d]) => pick(d));
    return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  };
  return `NC1 falls from its peak ${
    entries.map(([label, d]) => `${factor(d.nc1_drop_from_peak)} (${label})`).join(", ")
  }; after 100% training accuracy ${afterFit.join(", ")}; final NC2 ${
    range((d) => d.nc2_final)
  }, NC3 ${range((d) => d.nc3_final)}`;
}

/**
 * Every row of charts a–c in one list (a: each loss's runs at the widest width and longest
 * budget; b; c from `gaps`), and each loss's {@link dynamicsSummary} keyed by legend label.
 * `afterDynamics` (rows of another panel, e.g. B4's protocol comparison) go between a's rows
 * and b's.
 */
export function lossGridRows(
  grid: LossGrid,
  gaps: Record<string, Record<string, number>>,
  blank: FigureRow,
  afterDynamics: readonly FigureRow[] = [],
): { rows: FigureRow[]; dynamics: Record<string, DynamicsSummary> } {
  const rows: FigureRow[] = [];
  const dynamics: Record<string, DynamicsSummary> = {};
  for (const { loss, label } of grid.losses) {
    const runs = grid.runsOf(loss, grid.widths.at(-1)!, grid.budgets.at(-1)!);
    rows.push(...dynamicsRows(runs, label, blank));
    dynamics[label] = dynamicsSummary(runs);
  }
  rows.push(...afterDynamics, ...budgetRows(grid, blank), ...heatRows(grid, gaps, blank));
  return { rows, dynamics };
}

/**
 * Chart of a second architecture against the grid's (rows `{ kind: "arch", loss, arch,
 * accuracy }`): test accuracy per loss, one point shape per architecture.
 */
export function architectureChart(title: string, series: SeriesOptions): FigureSpec {
  return scatterChart({
    title,
    filter: "datum.kind === 'arch'",
    x: "loss",
    xType: "nominal",
    y: "accuracy",
    yTitle: "test accuracy",
    zeroY: false,
    shape: "arch",
    ...series,
    width: 220,
    height: 150,
    size: 80,
  });
}
