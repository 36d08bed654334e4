/**
 * Small chart builders so that each experiment script stays short. Each returns a
 * {@link FigureSpec} (a Vega-Lite spec without data) to pass to `writeFigure` together with
 * tidy rows, or to combine with `hconcat`, `vconcat` and `layer` (compose.ts). Bars, restart
 * outcomes and heatmaps are in bars.ts.
 *
 * Shared options ({@link ChartLayout}): `title`/`subtitle`, per-panel `width`/`height`, and
 * faceting by `column`, `row` or a wrapped `facet` (with `columns` per line). Faceted panels share
 * their y scale unless `independentY: true` (Vega-Lite `resolve.scale.y = "independent"`).
 *
 * Log scales (`logX`/`logY`) are labelled with powers of ten, 10⁻⁴ style (axes.ts). log(0) is
 * −∞, which Vega would draw off the chart; `writeFigure` therefore rejects values ≤ 0 on a
 * log-scaled field. Clamp them when building the rows, e.g. `clampForLog(fMinusFStar, 1e-16)`
 * (a converged error of exactly 0 becomes the floor), or use null to leave a gap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart, theoryOverlay } from "./charts.ts";
 * // rows: { step, nc1, lambda, K } — one line per λ, one panel per K, each with its own y range.
 * const spec = lineChart({
 *   x: "step", y: "nc1", color: "lambda", column: "K", independentY: true, logY: true,
 *   xTitle: "iteration", yTitle: "NC1",
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.deepEqual(view.resolve, { scale: { y: "independent" } });
 * // rows: { lambda, source: "theory" | "solver", value } — lines = theory, points = solver.
 * const check = JSON.parse(JSON.stringify(theoryOverlay({ x: "lambda", logX: true })));
 * assert.equal(check.layer.length, 2);
 * ```
 * @module
 */
import { EXPONENT_LABEL } from "./axes.ts";
import type { FigureSpec } from "./write_figure.ts";
import {
  type AxisOptions,
  type ChartLayout,
  colorEncoding,
  fieldName,
  type FieldRef,
  fieldSort,
  fieldTitle,
  type FieldType,
  type Json,
  prune,
  scaleOf,
  type SeriesOptions,
  withLayout,
  xEncoding,
  yEncoding,
} from "./layout.ts";

export type {
  AxisOptions,
  CategoryField,
  ChartLayout,
  FieldRef,
  FieldType,
  SeriesOptions,
  SeriesStyle,
} from "./layout.ts";

/** Options of {@link lineChart}. */
export interface LineChartOptions extends ChartLayout, AxisOptions, SeriesOptions {
  /** x field. */
  x: string;
  /** y field. */
  y: string;
  /** Field giving one dash pattern per value (e.g. "bias": true/false). */
  strokeDash?: FieldRef;
  /** Legend title of the dash field (default: the field name; null: none). */
  strokeDashTitle?: string | null;
  /** Order of the dash field's values (the first one is drawn solid). */
  strokeDashSort?: readonly string[];
  /** Fixed dash patterns: `range[i]` (e.g. `[4, 3]`; `[1, 0]` is solid) for `domain[i]`. */
  strokeDashScale?: { domain: readonly string[]; range: readonly (readonly number[])[] };
  /** Vega-Lite legend properties of the dash field (null: no legend). */
  strokeDashLegend?: Record<string, unknown> | null;
  /** Field whose values each get their own line without a legend (e.g. a seed). */
  detail?: string;
  /** One color for every line (instead of `color`). */
  lineColor?: string;
  /** Line width in pixels (default: Vega's 2). */
  strokeWidth?: number;
  /** Draw a point at every observation as well (a number: the point area in square pixels). */
  points?: boolean | number;
}

/** Options of {@link scatterChart}. */
export interface ScatterChartOptions extends ChartLayout, AxisOptions, SeriesOptions {
  /** x field. */
  x: string;
  /** y field. */
  y: string;
  /** Field giving one point shape per value. */
  shape?: FieldRef;
  /** Legend title of the shape field (default: the field name; null: none). */
  shapeTitle?: string | null;
  /** Fixed shapes (Vega symbol names such as "circle", "triangle-up"): `range[i]` for `domain[i]`. */
  shapeScale?: { domain: readonly string[]; range: readonly string[] };
  /** Point area in square pixels (default 30). */
  size?: number;
  /** Vega symbol of every point, e.g. "diamond" or "stroke" (a horizontal tick; use `hollow`). */
  symbol?: string;
  /** Outlined instead of filled points. */
  hollow?: boolean;
  /** One color for every point (instead of `color`). */
  pointColor?: string;
  /** Point opacity (default: Vega's). */
  opacity?: number;
}

/** Options of {@link theoryVsSolver}. */
export interface TheoryVsSolverOptions extends ChartLayout, AxisOptions, SeriesOptions {
  /** x field (shared by both layers). */
  x: string;
  /** Field with the closed-form value, drawn as a line. */
  theoryField: string;
  /** Field with the solver's value, drawn as points. Null entries are skipped. */
  solverField: string;
}

/** Options of {@link theoryOverlay}. */
export interface TheoryOverlayOptions extends
  ChartLayout,
  AxisOptions,
  SeriesOptions,
  Pick<
    LineChartOptions,
    "strokeDash" | "strokeDashTitle" | "strokeDashSort" | "strokeDashScale" | "strokeDashLegend"
  > {
  /** x field. */
  x: string;
  /** Value field (default "value"). */
  y?: string;
  /** Field saying where a row comes from (default "source"). */
  source?: string;
  /** `source` value of the closed-form rows, drawn as lines (default "theory"). */
  theory?: string;
  /** `source` value of the measured rows, drawn as points (default "solver"). */
  measured?: string;
  /** `source` value of rows drawn as vertical dashed rules at their x (e.g. thresholds). */
  rule?: string;
  /** Color of the rules (default: by `color`, else grey). */
  ruleColor?: string;
  /** Filled points of this area instead of hollow circles of area 40. */
  filledPoints?: number;
}

/** Options of {@link ruleChart}. */
export interface RuleChartOptions
  extends ChartLayout, Pick<AxisOptions, "xTitle" | "xType" | "logX" | "xDomain">, SeriesOptions {
  /** x field: one vertical rule at the x of every row. */
  x: string;
  /** One color for every rule (default: by `color`, else grey). */
  ruleColor?: string;
  /** Dash pattern (default [4, 3]; [1, 0] is solid). */
  dash?: readonly number[];
}

/** Options of {@link histogram}. */
export interface HistogramOptions extends ChartLayout, Omit<AxisOptions, "xType" | "logX"> {
  /** Field to bin. */
  field: string;
  /** Maximum number of bins (default 40). */
  maxbins?: number;
  /** Bin width (overrides `maxbins`). */
  step?: number;
  /** Binned range [min, max] (default: the data range). */
  extent?: [number, number];
  /** Field giving one histogram per value (overlaid and semi-transparent unless `stack`). */
  color?: FieldRef;
  /** Type of the color field (default "nominal"). */
  colorType?: FieldType;
  /** Legend title for the color field. */
  colorTitle?: string | null;
  /** Fixed colors of the color field's values. */
  colorScale?: SeriesOptions["colorScale"];
  /** Draw a vertical rule at this x value (e.g. the theoretical cosine −1/(K−1)). */
  reference?: number;
  /** Stack the histograms of the `color` values instead of overlaying them. */
  stack?: boolean;
  /** The binned field holds exponents: label the x axis 10ⁿ (lib/plot/axes.ts). */
  exponentAxis?: boolean;
}

/**
 * `max(value, floor)` for plotting on a log axis: exact zeros (a fully converged error) and
 * tiny negatives from rounding become `floor`. Null stays null. Record the floor in the axis
 * title or caption when it matters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(clampForLog(0, 1e-16), 1e-16);
 * assert.equal(clampForLog(3e-5, 1e-16), 3e-5);
 * assert.equal(clampForLog(null), null);
 * ```
 */
export function clampForLog(value: number, floor?: number): number;
export function clampForLog(value: number | null, floor?: number): number | null;
export function clampForLog(value: number | null, floor = 1e-16): number | null {
  if (!(floor > 0)) throw new RangeError(`clampForLog: floor must be > 0, got ${floor}`);
  return value === null ? null : Math.max(value, floor);
}

/** The strokeDash encoding of the line options, or undefined. */
function dashEncoding(options: LineChartOptions): Json | undefined {
  if (options.styles !== undefined && options.color !== undefined) {
    // The dash follows the color field; the color legend (drawn as line samples) names them.
    return {
      field: fieldName(options.color),
      type: options.colorType ?? "nominal",
      scale: {
        domain: options.styles.map((style) => style.value),
        range: options.styles.map((style) => [...(style.dash ?? [1, 0])]),
      },
      legend: null,
    };
  }
  if (options.strokeDash === undefined) return undefined;
  const scale = options.strokeDashScale === undefined ? undefined : {
    domain: [...options.strokeDashScale.domain],
    range: options.strokeDashScale.range.map((dash) => [...dash]),
  };
  return prune({
    field: fieldName(options.strokeDash),
    type: "nominal",
    title: fieldTitle(options.strokeDash, options.strokeDashTitle),
    sort: fieldSort(options.strokeDash, options.strokeDashSort),
    scale,
    legend: options.strokeDashLegend,
  });
}

/** The line mark and encoding of {@link lineChart}, without layout. */
function lineLayer(options: LineChartOptions): Json {
  const encoding = prune({
    x: xEncoding(options.x, options),
    y: yEncoding(options.y, options),
    color: colorEncoding(options),
    strokeDash: dashEncoding(options),
    detail: options.detail === undefined ? undefined : { field: options.detail },
  });
  const point = typeof options.points === "number" ? { size: options.points } : options.points;
  const mark = prune({
    type: "line",
    point: point || undefined,
    color: options.lineColor,
    strokeWidth: options.strokeWidth,
  });
  return { mark, encoding };
}

/**
 * Lines of `y` against `x`, one per value of `color` (and `strokeDash`), optionally faceted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logAxis } from "./axes.ts";
 * // rows: { iteration, value, metric: "NC1" | "NC2", K }
 * const spec = lineChart({
 *   x: "iteration", y: "value", color: "metric", facet: "K", columns: 2,
 *   logY: true, independentY: true, yTitle: "metric value",
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.columns, 2);
 * assert.deepEqual(view.spec?.encoding?.y, {
 *   field: "value", type: "quantitative", title: "metric value", scale: { type: "log" },
 *   axis: logAxis(),
 * });
 * ```
 */
export function lineChart(options: LineChartOptions): FigureSpec {
  return withLayout(lineLayer(options), options);
}

/** The point mark and encoding of {@link scatterChart}, without layout. */
function pointLayer(options: ScatterChartOptions): Json {
  const encoding = prune({
    x: xEncoding(options.x, options),
    y: yEncoding(options.y, options),
    color: colorEncoding(options),
    shape: options.shape === undefined ? undefined : prune({
      field: fieldName(options.shape),
      type: "nominal",
      title: fieldTitle(options.shape, options.shapeTitle),
      scale: options.shapeScale === undefined
        ? undefined
        : { domain: [...options.shapeScale.domain], range: [...options.shapeScale.range] },
    }),
  });
  const mark = prune({
    type: "point",
    shape: options.symbol,
    filled: !options.hollow,
    size: options.size ?? 30,
    color: options.pointColor,
    opacity: options.opacity,
    strokeWidth: options.hollow ? 1.5 : undefined,
  });
  return { mark, encoding };
}

/**
 * Points of `y` against `x`, colored/shaped by series, optionally faceted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = scatterChart({ x: "x", y: "y", color: "class", hollow: true, size: 40 });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.deepEqual(view.mark, { type: "point", filled: false, size: 40, strokeWidth: 1.5 });
 * ```
 */
export function scatterChart(options: ScatterChartOptions): FigureSpec {
  return withLayout(pointLayer(options), options);
}

/**
 * Theory as a line and the solver as points on the same axes (two layers sharing x, y, color),
 * so that agreement shows as points sitting on the line. Rows are wide in the two value fields:
 * `{ [x], [theoryField], [solverField], [color]? }`; a null in either leaves that mark out.
 * For tidy rows with one value column use {@link theoryOverlay}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { lambdaW, fStar, fSolver, K }
 * const spec = theoryVsSolver({
 *   x: "lambdaW", theoryField: "fStar", solverField: "fSolver", color: "K",
 *   logX: true, yTitle: "objective at convergence",
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.layer?.length, 2);
 * ```
 */
export function theoryVsSolver(options: TheoryVsSolverOptions): FigureSpec {
  const x = xEncoding(options.x, options);
  const yTitle = options.yTitle ?? `${options.solverField} / ${options.theoryField}`;
  const axes = { ...options, yTitle };
  const color = colorEncoding(options);
  const layer = [
    {
      // Rows that carry only a solver value must not break the theory line into pieces.
      transform: [{ filter: { field: options.theoryField, valid: true } }],
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: prune({ x, y: yEncoding(options.theoryField, axes), color }),
    },
    {
      transform: [{ filter: { field: options.solverField, valid: true } }],
      mark: { type: "point", filled: false, size: 40, strokeWidth: 1.5 },
      encoding: prune({ x, y: yEncoding(options.solverField, axes), color }),
    },
  ];
  const subtitle = options.subtitle ?? "lines: theory (closed form) · points: solver";
  return withLayout({ layer }, { ...options, subtitle });
}

/**
 * Closed form against measurement on tidy rows with one value column: rows whose `source` is
 * `theory` are drawn as lines, `measured` rows as points on the same axes and colors, and —
 * with `rule` — rows of that source as vertical dashed rules at their x (thresholds). Faceting,
 * log axes and series work as in {@link lineChart}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { lambda, loss, quantity, source: "theory" | "solver" | "threshold", value }
 * const spec = theoryOverlay({
 *   x: "lambda", logX: true, color: "loss", row: "quantity", independentY: true,
 *   rule: "threshold",
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.spec?.layer?.length, 3);
 * assert.deepEqual(view.spec?.layer?.[0].transform, [
 *   { filter: { field: "source", equal: "theory" } },
 * ]);
 * ```
 */
export function theoryOverlay(options: TheoryOverlayOptions): FigureSpec {
  const y = options.y ?? "value";
  const source = options.source ?? "source";
  const only = (value: string) => [{ filter: { field: source, equal: value } }];
  const lines = lineLayer({ ...options, y, strokeWidth: 1.5 });
  const points = pointLayer({
    ...options,
    y,
    hollow: options.filledPoints === undefined,
    size: options.filledPoints ?? 40,
  });
  const layer: Json[] = [
    { transform: only(options.theory ?? "theory"), ...lines },
    { transform: only(options.measured ?? "solver"), ...points },
  ];
  if (options.rule !== undefined) {
    layer.push({ transform: only(options.rule), ...ruleLayer(options) });
  }
  return withLayout({ layer }, options);
}

/** The rule mark and encoding of {@link ruleChart}, without layout. */
function ruleLayer(options: RuleChartOptions): Json {
  const color = options.ruleColor === undefined ? colorEncoding(options) : undefined;
  return {
    mark: prune({
      type: "rule",
      strokeDash: [...(options.dash ?? [4, 3])],
      color: options.ruleColor ?? (color === undefined ? "#555" : undefined),
    }),
    encoding: prune({ x: xEncoding(options.x, options), color }),
  };
}

/**
 * Vertical dashed rules at the x of every row (thresholds, bounds), to layer over a chart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = ruleChart({ x: "kappa", filter: "datum.source === 'threshold'" });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.deepEqual(view.mark, { type: "rule", strokeDash: [4, 3], color: "#555" });
 * ```
 */
export function ruleChart(options: RuleChartOptions): FigureSpec {
  return withLayout(ruleLayer(options), options);
}

/**
 * Counts of `field` in bins. With `color`, one semi-transparent histogram per value, overlaid
 * (not stacked). `reference` adds a vertical rule at a theoretical value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // rows: { cosine } for every pair of class means; the simplex ETF has cos = −1/(K−1).
 * const spec = histogram({
 *   field: "cosine", maxbins: 50, reference: -1 / 9, xTitle: "cos(μ_k, μ_l)",
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.layer?.length, 2); // bars and the reference rule
 * ```
 */
export function histogram(options: HistogramOptions): FigureSpec {
  const bin = prune({
    maxbins: options.step === undefined ? (options.maxbins ?? 40) : undefined,
    step: options.step,
    extent: options.extent,
  });
  const x = prune({
    field: options.field,
    bin,
    type: "quantitative",
    title: options.xTitle ?? options.field,
    scale: options.xDomain ? { domain: options.xDomain } : undefined,
    axis: options.exponentAxis ? { labelExpr: EXPONENT_LABEL, tickMinStep: 1 } : undefined,
  });
  const overlay = options.color !== undefined && !options.stack;
  const y = prune({
    aggregate: "count",
    type: "quantitative",
    title: options.yTitle ?? "count",
    scale: scaleOf(options.logY, options.yDomain, options.zeroY),
    stack: overlay ? null : undefined,
  });
  const bars = {
    mark: { type: "bar", opacity: overlay ? 0.55 : 1, binSpacing: 0 },
    encoding: prune({
      x,
      y,
      color: colorEncoding({
        color: options.color,
        colorType: options.colorType,
        colorTitle: options.colorTitle,
        colorScale: options.colorScale,
      }),
    }),
  };
  if (options.reference === undefined) return withLayout(bars, options);
  const rule = {
    mark: { type: "rule", color: "black", strokeDash: [4, 3] },
    encoding: { x: { datum: options.reference, type: "quantitative" } },
  };
  return withLayout({ layer: [bars, rule] }, options);
}
