/**
 * Bar charts and heatmaps: {@link barChart} (counts, sums or means per category, grouped side by
 * side or stacked), {@link restartOutcomeBars} (where seeded restarts ended, in the outcome
 * colors every figure shares) and {@link heatmap} (a value per cell of a two-way grid, printed
 * in the cell).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restartOutcomeBars } from "./bars.ts";
 * // rows: one per restart { kappa, outcome: "global" | "f_0" | … | "other" | "failed" }
 * const spec = restartOutcomeBars({ x: "kappa", xType: "ordinal" });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.mark && typeof view.mark === "object" ? view.mark.type : null, "bar");
 * ```
 * @module
 */
import type { FigureSpec } from "./write_figure.ts";
import {
  type AxisOptions,
  type ChartLayout,
  colorEncoding,
  fieldName,
  type FieldRef,
  fieldSort,
  prune,
  scaleOf,
  type SeriesOptions,
  withLayout,
  xEncoding,
} from "./layout.ts";

/** Options of {@link barChart}. */
export interface BarChartOptions
  extends ChartLayout, Omit<AxisOptions, "logX" | "xDomain">, SeriesOptions {
  /** Category field on x. */
  x: FieldRef;
  /** Value field; omitted: the bar height is the number of rows (`aggregate: count`). */
  y?: string;
  /** How rows of one bar combine (default "sum" with `y`, "count" without). */
  aggregate?: "sum" | "mean" | "count";
  /** Field whose values stand side by side within each x category (Vega-Lite `xOffset`). */
  group?: FieldRef;
  /** Order of the `group` values. */
  groupSort?: readonly string[];
}

/** Options of {@link restartOutcomeBars}. */
export type RestartOutcomeBarsOptions = Omit<BarChartOptions, "y" | "aggregate" | "color"> & {
  /** Outcome field (default "outcome"; values as lib/ufm/restarts.ts `classifyOutcome`). */
  outcome?: string;
  /** Field with a count per row (rows already counted); omitted: one row per restart. */
  count?: string;
  /** Rank-deficient outcomes f_0 … f_(ranks−1) to list (default 10; the models' K). */
  ranks?: number;
};

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ChartLayout {
  /** Column field (ordinal). */
  x: string;
  /** Row field (ordinal). */
  y: string;
  /** Value field (color and printed text). */
  value: string;
  /** x axis title (default: the field name). */
  xTitle?: string | null;
  /** y axis title (default: the field name). */
  yTitle?: string | null;
  /** Order of the rows (default "ascending"). */
  ySort?: "ascending" | "descending" | readonly (string | number)[];
  /** Legend title of the value. */
  valueTitle?: string | null;
  /** Vega color scheme (default "blues"). */
  scheme?: string;
  /** Fixed color domain [min, max] (default: from 0 to the largest value). */
  domain?: [number, number];
  /** d3 format of the printed values (default ".2f"; null: no text). */
  format?: string | null;
}

/** The outcomes of seeded restarts in legend order: global, rank-deficient f_0…f_9, other. */
export const RESTART_OUTCOMES: readonly string[] = [
  "global",
  ...Array.from({ length: 10 }, (_, j) => `f_${j}`),
  "other",
  "failed",
];

/** Colors of {@link RESTART_OUTCOMES}: global green, f_j blue to brown, other grey, failed pink. */
export const RESTART_OUTCOME_COLORS: readonly string[] = [
  "#2ca02c",
  "#1f77b4",
  "#ff7f0e",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#17becf",
  "#bcbd22",
  "#aec7e8",
  "#ffbb78",
  "#98df8a",
  "#7f7f7f",
  "#e377c2",
];

/**
 * The outcome color scale with `ranks` rank-deficient values f_0 … f_(ranks−1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scale = restartOutcomeScale(2);
 * assert.deepEqual(scale.domain, ["global", "f_0", "f_1", "other", "failed"]);
 * assert.equal(scale.range[0], RESTART_OUTCOME_COLORS[0]);
 * ```
 */
export function restartOutcomeScale(ranks = 10): { domain: string[]; range: string[] } {
  if (!Number.isSafeInteger(ranks) || ranks < 0 || ranks > 10) {
    throw new RangeError(`restartOutcomeScale: ranks must be an integer in [0, 10], got ${ranks}`);
  }
  const keep = RESTART_OUTCOMES.map((outcome, i) => ({ outcome, color: RESTART_OUTCOME_COLORS[i] }))
    .filter(({ outcome }) => !/^f_\d+$/.test(outcome) || Number(outcome.slice(2)) < ranks);
  return { domain: keep.map((k) => k.outcome), range: keep.map((k) => k.color) };
}

/**
 * Bars of a value per category: `y` summed (or averaged) per x category, or the number of rows
 * without `y`. `group` puts the values of a second field side by side; `color` without `group`
 * stacks them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { loss, dim, reached: true | false } — fraction of restarts that reached f*.
 * const spec = barChart({
 *   x: "loss", group: "dim", color: "dim", calculate: { hit: "datum.reached ? 1 : 0" },
 *   y: "hit", aggregate: "mean", yTitle: "fraction", yDomain: [0, 1],
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.deepEqual(view.transform, [{ calculate: "datum.reached ? 1 : 0", as: "hit" }]);
 * ```
 */
export function barChart(options: BarChartOptions): FigureSpec {
  const field = options.y;
  const aggregate = options.aggregate ?? (field === undefined ? "count" : "sum");
  if (aggregate !== "count" && field === undefined) {
    throw new Error(`barChart: aggregate '${aggregate}' needs a y field or calculate`);
  }
  const y = prune({
    aggregate,
    field: aggregate === "count" ? undefined : field,
    type: "quantitative",
    title: options.yTitle ?? (aggregate === "count" ? "count" : undefined),
    scale: scaleOf(options.logY, options.yDomain, options.zeroY),
  });
  const encoding = prune({
    x: xEncoding(options.x, { ...options, xType: options.xType ?? "nominal" }),
    y,
    color: colorEncoding(options),
    xOffset: options.group === undefined ? undefined : prune({
      field: fieldName(options.group),
      type: "nominal",
      sort: fieldSort(options.group, options.groupSort),
    }),
  });
  return withLayout({ mark: { type: "bar" }, encoding }, options);
}

/**
 * Where seeded restarts ended: one bar per x category (e.g. κ), stacked by outcome in the shared
 * outcome colors ({@link RESTART_OUTCOMES}), or — with `group` — outcomes on x and the groups
 * side by side. Rows are one per restart, or pre-counted with `count`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { config, model, outcome, count } — pre-counted, models side by side.
 * const spec = restartOutcomeBars({ x: "outcome", group: "model", count: "count",
 *   column: "config" });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.spec?.encoding?.y?.aggregate, "sum");
 * ```
 */
export function restartOutcomeBars(options: RestartOutcomeBarsOptions): FigureSpec {
  const outcome = options.outcome ?? "outcome";
  const byOutcome = options.x === outcome;
  const scale = restartOutcomeScale(options.ranks);
  const byGroup = byOutcome && options.group !== undefined; // colored by group, not outcome
  return barChart({
    yTitle: "restarts",
    colorTitle: byGroup ? undefined : "restart outcome",
    ...options,
    y: options.count,
    aggregate: options.count === undefined ? "count" : "sum",
    xSort: options.xSort ?? (byOutcome ? scale.domain : undefined),
    color: byGroup ? options.group : outcome,
    colorScale: byGroup ? options.colorScale : scale,
  });
}

/**
 * A value per cell of an x × y grid, colored on a sequential scheme and printed in the cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { width, epochs, loss, gap } — |Acc_CE − Acc_X| per grid cell, one panel per loss.
 * const spec = heatmap({ x: "width", y: "epochs", value: "gap", facet: "loss",
 *   ySort: "descending", valueTitle: "|ΔAcc| (pp)" });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.spec?.layer?.length, 2); // cells and their printed values
 * ```
 */
export function heatmap(options: HeatmapOptions): FigureSpec {
  const x = prune({ field: options.x, type: "ordinal", title: options.xTitle });
  const ySort = Array.isArray(options.ySort) ? [...options.ySort] : options.ySort;
  const y = prune({ field: options.y, type: "ordinal", title: options.yTitle, sort: ySort });
  const cells = {
    mark: { type: "rect" },
    encoding: {
      x,
      y,
      color: prune({
        field: options.value,
        type: "quantitative",
        title: options.valueTitle,
        scale: prune({
          scheme: options.scheme ?? "blues",
          domain: options.domain,
          domainMin: options.domain === undefined ? 0 : undefined,
        }),
      }),
    },
  };
  const format = options.format === undefined ? ".2f" : options.format;
  if (format === null) return withLayout(cells, options);
  const text = {
    mark: { type: "text", fontSize: 10 },
    encoding: {
      x: { field: options.x, type: "ordinal" },
      y: prune({ field: options.y, type: "ordinal", sort: ySort }),
      text: { field: options.value, type: "quantitative", format },
    },
  };
  return withLayout({ layer: [cells, text] }, options);
}
