/**
 * Small chart builders so that each experiment script stays short. Each returns a
 * {@link FigureSpec} (a Vega-Lite spec without data) to pass to `writeFigure` together with
 * tidy rows. Anything the builders do not cover can be written as a plain Vega-Lite spec, or by
 * spreading a builder's result and overriding fields.
 *
 * Shared options ({@link ChartLayout}): `title`/`subtitle`, per-panel `width`/`height`, and
 * faceting by `column`, `row` or a wrapped `facet` (with `columns` per line). Faceted panels share
 * their y scale unless `independentY: true` (Vega-Lite `resolve.scale.y = "independent"`).
 *
 * Log scales (`logX`/`logY`): log(0) is −∞, which Vega would draw off the chart; `writeFigure`
 * therefore rejects values ≤ 0 on a log-scaled field. Clamp them when building the rows, e.g.
 * `clampForLog(fMinusFStar, 1e-16)` (a converged error of exactly 0 becomes the floor), or use
 * null to leave a gap.
 *
 * @example
 * ```ts
 * import { lineChart, theoryVsSolver } from "./charts.ts";
 * // rows: { step, nc1, lambda } — one line per λ, one panel per K, each with its own y range.
 * const spec = lineChart({
 *   x: "step", y: "nc1", color: "lambda", column: "K", independentY: true, logY: true,
 *   xTitle: "iteration", yTitle: "NC1",
 * });
 * // rows: { lambda, closedForm, solver } — line = theory, points = solver.
 * const check = theoryVsSolver({ x: "lambda", theoryField: "closedForm", solverField: "solver" });
 * ```
 * @module
 */
import type { FigureSpec } from "./write_figure.ts";

/** Vega-Lite measurement type of a field. */
export type FieldType = "quantitative" | "ordinal" | "nominal" | "temporal";

/** Title, panel size and faceting options shared by all builders. */
export interface ChartLayout {
  /** Chart title (default: the figure title given to `writeFigure`). */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Width of one panel in pixels (default 320). */
  width?: number;
  /** Height of one panel in pixels (default 220). */
  height?: number;
  /** Field whose values make one column of panels each. */
  column?: string;
  /** Field whose values make one row of panels each. */
  row?: string;
  /** Field for wrapped faceting (one panel per value, `columns` per line); not with row/column. */
  facet?: string;
  /** Panels per line for `facet` (default 3). */
  columns?: number;
  /** Order of the `facet` panels (default: sorted values). */
  facetSort?: readonly string[];
  /** Header title of the facet/row/column field (default: the field name; null: none). */
  facetTitle?: string | null;
  /**
   * Vega expression selecting the rows this chart draws, e.g. `"datum.kind === 'nc'"` (figures
   * that stack several charts in a `vconcat` over one tidy table).
   */
  filter?: string;
  /** Give each panel its own y scale and axis. */
  independentY?: boolean;
  /** Give each panel its own x scale and axis. */
  independentX?: boolean;
}

/** Axis options shared by all builders. */
export interface AxisOptions {
  /** x axis title (default: the field name). */
  xTitle?: string;
  /** y axis title (default: the field name). */
  yTitle?: string;
  /** Type of the x field (default "quantitative"). */
  xType?: FieldType;
  /** Log-scale x axis. Values must be > 0 (see module docs). */
  logX?: boolean;
  /** Log-scale y axis. Values must be > 0 (see module docs). */
  logY?: boolean;
  /** Fixed x domain [min, max]. */
  xDomain?: [number, number];
  /** Fixed y domain [min, max]. */
  yDomain?: [number, number];
  /** Include 0 in a linear y scale (Vega-Lite default true; ignored for log). */
  zeroY?: boolean;
}

/** Series options: which fields split the data into colored / dashed series. */
export interface SeriesOptions {
  /** Field giving one color per value (e.g. "lambda", "method"). */
  color?: string;
  /** Type of the color field (default "nominal"; use "ordinal" for ordered numbers). */
  colorType?: FieldType;
  /** Legend title for the color field (default: the field name). */
  colorTitle?: string;
  /** Fixed colors: `range[i]` for the value `domain[i]`. */
  colorScale?: { domain: readonly string[]; range: readonly string[] };
  /** Vega-Lite legend properties of the color field, e.g. `{ labelLimit: 320 }`. */
  colorLegend?: Record<string, unknown>;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions extends ChartLayout, AxisOptions, SeriesOptions {
  /** x field. */
  x: string;
  /** y field. */
  y: string;
  /** Field giving one dash pattern per value (e.g. "bias": true/false). */
  strokeDash?: string;
  /** Legend title of the dash field (default: the field name). */
  strokeDashTitle?: string;
  /** Order of the dash field's values (the first one is drawn solid). */
  strokeDashSort?: readonly string[];
  /** Vega-Lite legend properties of the dash field. */
  strokeDashLegend?: Record<string, unknown>;
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
  shape?: string;
  /** Point area in square pixels (default 30). */
  size?: number;
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
  /** Field giving overlaid (not stacked), semi-transparent histograms per value. */
  color?: string;
  /** Type of the color field (default "nominal"). */
  colorType?: FieldType;
  /** Legend title for the color field. */
  colorTitle?: string;
  /** Draw a vertical rule at this x value (e.g. the theoretical cosine −1/(K−1)). */
  reference?: number;
}

type Json = Record<string, unknown>;

const DEFAULT_WIDTH = 320;
const DEFAULT_HEIGHT = 220;

/**
 * `max(value, floor)` for plotting on a log axis: exact zeros (a fully converged error) and
 * tiny negatives from rounding become `floor`. Null stays null. Record the floor in the axis
 * title or caption when it matters.
 *
 * @example
 * ```ts
 * clampForLog(0, 1e-16); // 1e-16
 * clampForLog(3e-5, 1e-16); // 3e-5
 * ```
 */
export function clampForLog(value: number, floor?: number): number;
export function clampForLog(value: number | null, floor?: number): number | null;
export function clampForLog(value: number | null, floor = 1e-16): number | null {
  if (!(floor > 0)) throw new RangeError(`clampForLog: floor must be > 0, got ${floor}`);
  return value === null ? null : Math.max(value, floor);
}

function scaleOf(log: boolean | undefined, domain: [number, number] | undefined, zero?: boolean) {
  const scale: Json = {};
  if (log) scale.type = "log";
  if (domain) scale.domain = domain;
  if (zero !== undefined && !log) scale.zero = zero;
  return Object.keys(scale).length > 0 ? scale : undefined;
}

function xEncoding(field: string, options: AxisOptions): Json {
  return prune({
    field,
    type: options.xType ?? "quantitative",
    title: options.xTitle,
    scale: scaleOf(options.logX, options.xDomain),
  });
}

function yEncoding(field: string, options: AxisOptions): Json {
  return prune({
    field,
    type: "quantitative",
    title: options.yTitle,
    scale: scaleOf(options.logY, options.yDomain, options.zeroY),
  });
}

function colorEncoding(options: SeriesOptions): Json | undefined {
  if (options.color === undefined) return undefined;
  return prune({
    field: options.color,
    type: options.colorType ?? "nominal",
    title: options.colorTitle,
    scale: options.colorScale === undefined
      ? undefined
      : { domain: [...options.colorScale.domain], range: [...options.colorScale.range] },
    legend: options.colorLegend,
  });
}

/** Drops undefined entries, so that the written spec stays minimal. */
function prune(record: Json): Json {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function titleOf(layout: ChartLayout): Json | string | undefined {
  if (layout.subtitle === undefined) return layout.title;
  // writeFigure fills in `text` with the figure title when it is missing.
  return prune({ text: layout.title, subtitle: layout.subtitle });
}

/**
 * Puts a unit or layer spec into its panel size and, when asked, a facet with optional
 * independent scales.
 */
function withLayout(inner: Json, layout: ChartLayout): FigureSpec {
  const sized: Json = {
    ...inner,
    width: layout.width ?? DEFAULT_WIDTH,
    height: layout.height ?? DEFAULT_HEIGHT,
  };
  const scaleResolve = prune({
    x: layout.independentX ? "independent" : undefined,
    y: layout.independentY ? "independent" : undefined,
  });
  const resolve = Object.keys(scaleResolve).length > 0 ? { scale: scaleResolve } : undefined;
  const title = titleOf(layout);
  const transform = layout.filter === undefined ? undefined : [{ filter: layout.filter }];
  const header = (field: string): Json =>
    prune({ field, type: "ordinal", title: layout.facetTitle });
  if (layout.facet !== undefined && (layout.row !== undefined || layout.column !== undefined)) {
    throw new Error("chart layout: use either facet or row/column, not both");
  }
  if (layout.facet !== undefined) {
    return prune({
      title,
      transform,
      facet: prune({
        ...header(layout.facet),
        sort: layout.facetSort === undefined ? undefined : [...layout.facetSort],
      }),
      columns: layout.columns ?? 3,
      spec: sized,
      resolve,
    }) as FigureSpec;
  }
  if (layout.row !== undefined || layout.column !== undefined) {
    const facet = prune({
      row: layout.row === undefined ? undefined : header(layout.row),
      column: layout.column === undefined ? undefined : header(layout.column),
    });
    return prune({ title, transform, facet, spec: sized, resolve }) as FigureSpec;
  }
  return prune({ title, transform, ...sized, resolve }) as FigureSpec;
}

/**
 * Lines of `y` against `x`, one per value of `color` (and `strokeDash`), optionally faceted.
 *
 * @example
 * ```ts
 * // rows: { iteration, value, metric: "NC1" | "NC2", K }
 * lineChart({
 *   x: "iteration", y: "value", color: "metric", facet: "K", columns: 2,
 *   logY: true, independentY: true, yTitle: "metric value",
 * });
 * ```
 */
export function lineChart(options: LineChartOptions): FigureSpec {
  const encoding = prune({
    x: xEncoding(options.x, options),
    y: yEncoding(options.y, options),
    color: colorEncoding(options),
    strokeDash: options.strokeDash === undefined ? undefined : prune({
      field: options.strokeDash,
      type: "nominal",
      title: options.strokeDashTitle,
      sort: options.strokeDashSort === undefined ? undefined : [...options.strokeDashSort],
      legend: options.strokeDashLegend,
    }),
  });
  const point = typeof options.points === "number" ? { size: options.points } : options.points;
  const mark = point ? { type: "line", point } : { type: "line" };
  return withLayout({ mark, encoding }, options);
}

/**
 * Filled points of `y` against `x`, colored/shaped by series, optionally faceted.
 *
 * @example
 * ```ts
 * scatterChart({ x: "x", y: "y", color: "class" });
 * ```
 */
export function scatterChart(options: ScatterChartOptions): FigureSpec {
  const encoding = prune({
    x: xEncoding(options.x, options),
    y: yEncoding(options.y, options),
    color: colorEncoding(options),
    shape: options.shape === undefined ? undefined : { field: options.shape, type: "nominal" },
  });
  return withLayout({
    mark: { type: "point", filled: true, size: options.size ?? 30 },
    encoding,
  }, options);
}

/**
 * Theory as a line and the solver as points on the same axes (two layers sharing x, y, color),
 * so that agreement shows as points sitting on the line. Rows are wide in the two value fields:
 * `{ [x], [theoryField], [solverField], [color]? }`; a null in either leaves that mark out.
 * The default subtitle says which mark is which.
 *
 * @example
 * ```ts
 * // rows: { lambdaW, fStar, fSolver, K }
 * theoryVsSolver({
 *   x: "lambdaW", theoryField: "fStar", solverField: "fSolver", color: "K",
 *   logX: true, yTitle: "objective at convergence",
 * });
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
 * Counts of `field` in bins. With `color`, one semi-transparent histogram per value, overlaid
 * (not stacked). `reference` adds a vertical rule at a theoretical value.
 *
 * @example
 * ```ts
 * // rows: { cosine } for every pair of class means; the simplex ETF has cos = −1/(K−1).
 * histogram({ field: "cosine", maxbins: 50, reference: -1 / 9, xTitle: "cos(μ_k, μ_l)" });
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
  });
  const y = prune({
    aggregate: "count",
    type: "quantitative",
    title: options.yTitle ?? "count",
    scale: scaleOf(options.logY, options.yDomain, options.zeroY),
    stack: options.color === undefined ? undefined : null,
  });
  const bars = {
    mark: { type: "bar", opacity: options.color === undefined ? 1 : 0.55, binSpacing: 0 },
    encoding: prune({
      x,
      y,
      color: colorEncoding({
        color: options.color,
        colorType: options.colorType,
        colorTitle: options.colorTitle,
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
