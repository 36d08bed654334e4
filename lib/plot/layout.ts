/**
 * The options every chart builder shares (title, panel size, faceting, axes, series) and the
 * encodings they turn into. The builders of charts.ts, bars.ts and compose.ts use these; a
 * script only passes the options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xEncoding } from "./layout.ts";
 * const x = xEncoding("iteration", { logX: true, xTitle: "iteration" });
 * assert.deepEqual(x.scale, { type: "log" });
 * assert.equal(x.title, "iteration");
 * ```
 * @module
 */
import { logAxis } from "./axes.ts";
import type { FigureSpec } from "./write_figure.ts";

/**
 * A categorical column declared with `category` (tidy.ts): charts plot its display labels
 * (`labelField`) in its order (`labels`), titled by its name (`field`).
 */
export interface CategoryField {
  /** Column of the machine key; the default legend title. */
  readonly field: string;
  /** Column of the display label, which the chart plots. */
  readonly labelField: string;
  /** Display labels in order. */
  readonly labels: readonly string[];
}

/** A field given by name, or a categorical column (plotted by its labels, in its order). */
export type FieldRef = string | CategoryField;

/** The plotted column of a field reference. */
export function fieldName(ref: FieldRef): string {
  return typeof ref === "string" ? ref : ref.labelField;
}

/** `explicit`, else a category's label order, else undefined (Vega's default order). */
export function fieldSort<T>(
  ref: FieldRef | undefined,
  explicit: readonly T[] | undefined,
): (T | string)[] | undefined {
  if (explicit !== undefined) return [...explicit];
  return ref === undefined || typeof ref === "string" ? undefined : [...ref.labels];
}

/** `explicit` (null included), else a category's name, else undefined (the field name). */
export function fieldTitle(
  ref: FieldRef | undefined,
  explicit: string | null | undefined,
): string | null | undefined {
  if (explicit !== undefined) return explicit;
  return ref === undefined || typeof ref === "string" ? undefined : ref.field;
}

/** Vega-Lite measurement type of a field. */
export type FieldType = "quantitative" | "ordinal" | "nominal" | "temporal";

/** Title, panel size and faceting options shared by all builders. */
export interface ChartLayout {
  /** Chart title (default: the figure title given to `writeFigure`). */
  title?: string;
  /** Line(s) under the title. */
  subtitle?: string | readonly string[];
  /** Width of one panel in pixels (default 320). */
  width?: number;
  /** Height of one panel in pixels (default 220). */
  height?: number;
  /** Field whose values make one column of panels each. */
  column?: FieldRef;
  /** Order of the column panels (default: sorted values). */
  columnSort?: readonly string[];
  /** Field whose values make one row of panels each. */
  row?: FieldRef;
  /** Order of the row panels (default: sorted values). */
  rowSort?: readonly string[];
  /** Field for wrapped faceting (one panel per value, `columns` per line); not with row/column. */
  facet?: FieldRef;
  /** Panels per line for `facet` (default 3). */
  columns?: number;
  /** Order of the `facet` panels (default: sorted values). */
  facetSort?: readonly string[];
  /**
   * Header title of the facet/row/column field (default: the field name, none for a category;
   * null: none).
   */
  facetTitle?: string | null;
  /**
   * Vega expression selecting the rows this chart draws, e.g. `"datum.kind === 'nc'"` (figures
   * that stack several charts in a `vconcat` over one tidy table).
   */
  filter?: string;
  /**
   * Derived fields, name → Vega expression, computed after `filter`, e.g.
   * `{ abs_gap: "abs(datum.value)" }`.
   */
  calculate?: Readonly<Record<string, string>>;
  /** Give each panel its own y scale and axis. */
  independentY?: boolean;
  /** Give each panel its own x scale and axis. */
  independentX?: boolean;
}

/** Axis options shared by all builders. */
export interface AxisOptions {
  /** x axis title (default: the field name; null: none). */
  xTitle?: string | null;
  /** y axis title (default: the field name; null: none). */
  yTitle?: string | null;
  /** Type of the x field (default "quantitative"). */
  xType?: FieldType;
  /** Order of a nominal / ordinal x field's values. */
  xSort?: readonly (string | number)[];
  /** Angle of the x tick labels in degrees (default: Vega-Lite's; 0 = horizontal). */
  xLabelAngle?: number;
  /** Log-scale x axis, labelled 10ⁿ (lib/plot/axes.ts). Values must be > 0 (see charts.ts). */
  logX?: boolean;
  /** Log-scale y axis, labelled 10ⁿ (lib/plot/axes.ts). Values must be > 0 (see charts.ts). */
  logY?: boolean;
  /** Fixed x domain [min, max]. */
  xDomain?: [number, number];
  /** Fixed y domain [min, max]. */
  yDomain?: [number, number];
  /** Include 0 in a linear y scale (Vega-Lite default true; ignored for log). */
  zeroY?: boolean;
}

/** The look of one series: its value of the color field, its color and (lines) dash. */
export interface SeriesStyle {
  /** Value of the color field. */
  value: string;
  /** CSS color. */
  color: string;
  /** Dash pattern of its line, e.g. [4, 3] (default solid). */
  dash?: readonly number[];
}

/** Series options: which fields split the data into colored / dashed series. */
export interface SeriesOptions {
  /** Field giving one color per value (e.g. "lambda", "method"). */
  color?: FieldRef;
  /** Type of the color field (default "nominal"; use "ordinal" for ordered numbers). */
  colorType?: FieldType;
  /** Legend title for the color field (default: the field name; null: none). */
  colorTitle?: string | null;
  /** Fixed colors: `range[i]` for the value `domain[i]`. */
  colorScale?: { domain: readonly (string | number)[]; range: readonly string[] };
  /** Order of the color field's values in the legend (default: a category's order). */
  colorSort?: readonly (string | number)[];
  /** Vega-Lite legend properties of the color field, e.g. `{ orient: "bottom" }`. */
  colorLegend?: Record<string, unknown> | null;
  /** Color and dash of each series, in legend order (instead of `colorScale`). */
  styles?: readonly SeriesStyle[];
}

/** A JSON object of a Vega-Lite spec under construction. */
export type Json = Record<string, unknown>;

/** Default panel width in pixels. */
export const DEFAULT_WIDTH = 320;
/** Default panel height in pixels. */
export const DEFAULT_HEIGHT = 220;

/** A Vega-Lite scale object, or undefined when every option is the default. */
export function scaleOf(
  log: boolean | undefined,
  domain: readonly unknown[] | undefined,
  zero?: boolean,
): Json | undefined {
  const scale: Json = {};
  if (log) scale.type = "log";
  if (domain) scale.domain = [...domain];
  if (zero !== undefined && !log) scale.zero = zero;
  return Object.keys(scale).length > 0 ? scale : undefined;
}

/** The x encoding of `field` with the axis options (log axes labelled 10ⁿ). */
export function xEncoding(field: FieldRef, options: AxisOptions): Json {
  return prune({
    field: fieldName(field),
    type: options.xType ?? "quantitative",
    title: fieldTitle(field, options.xTitle),
    sort: fieldSort(field, options.xSort),
    scale: scaleOf(options.logX, options.xDomain),
    axis: options.logX
      ? logAxis()
      : options.xLabelAngle === undefined
      ? undefined
      : { labelAngle: options.xLabelAngle },
  });
}

/** The y encoding of `field` with the axis options (log axes labelled 10ⁿ). */
export function yEncoding(field: string, options: AxisOptions): Json {
  return prune({
    field,
    type: "quantitative",
    title: options.yTitle,
    scale: scaleOf(options.logY, options.yDomain, options.zeroY),
    axis: options.logY ? logAxis() : undefined,
  });
}

/** The color encoding of the series options, or undefined without `color`. */
export function colorEncoding(options: SeriesOptions): Json | undefined {
  if (options.color === undefined) return undefined;
  const scale = options.styles !== undefined
    ? {
      domain: options.styles.map((style) => style.value),
      range: options.styles.map((style) => style.color),
    }
    : options.colorScale === undefined
    ? undefined
    : { domain: [...options.colorScale.domain], range: [...options.colorScale.range] };
  return prune({
    field: fieldName(options.color),
    type: options.colorType ?? "nominal",
    title: fieldTitle(options.color, options.colorTitle),
    // An order of the values present (a scale domain would also list absent ones in the legend).
    sort: scale === undefined ? fieldSort(options.color, options.colorSort) : undefined,
    scale,
    legend: legendOf(options),
  });
}

/** The color legend: `colorLegend`, drawn as line samples when `styles` give dashes. */
export function legendOf(options: SeriesOptions): Record<string, unknown> | null | undefined {
  if (options.styles === undefined || options.colorLegend === null) return options.colorLegend;
  return { symbolType: "stroke", ...options.colorLegend };
}

/** Drops undefined entries, so that the written spec stays minimal. */
export function prune(record: Json): Json {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function titleOf(layout: ChartLayout): Json | string | undefined {
  if (layout.subtitle === undefined) return layout.title;
  // writeFigure fills in `text` with the figure title when it is missing.
  const subtitle = typeof layout.subtitle === "string" ? layout.subtitle : [...layout.subtitle];
  return prune({ text: layout.title, subtitle });
}

/**
 * Puts a unit or layer spec into its panel size and, when asked, a facet with optional
 * independent scales. Row headers are written vertically beside their row and limited to the
 * panel height, column headers above their column: keep facet labels short enough to fit.
 */
export function withLayout(inner: Json, layout: ChartLayout): FigureSpec {
  const height = layout.height ?? DEFAULT_HEIGHT;
  const sized: Json = { ...inner, width: layout.width ?? DEFAULT_WIDTH, height };
  const scaleResolve = prune({
    x: layout.independentX ? "independent" : undefined,
    y: layout.independentY ? "independent" : undefined,
  });
  const resolve = Object.keys(scaleResolve).length > 0 ? { scale: scaleResolve } : undefined;
  const title = titleOf(layout);
  const transforms: Json[] = [
    ...(layout.filter === undefined ? [] : [{ filter: layout.filter }]),
    ...Object.entries(layout.calculate ?? {}).map(([as, calculate]) => ({ calculate, as })),
  ];
  const transform = transforms.length === 0 ? undefined : transforms;
  const header = (ref: FieldRef, sort: readonly string[] | undefined, extra?: Json): Json =>
    prune({
      field: fieldName(ref),
      type: "ordinal",
      title: layout.facetTitle === undefined && typeof ref !== "string" ? null : layout.facetTitle,
      sort: fieldSort(ref, sort),
      header: extra,
    });
  if (layout.facet !== undefined && (layout.row !== undefined || layout.column !== undefined)) {
    throw new Error("chart layout: use either facet or row/column, not both");
  }
  if (layout.facet !== undefined) {
    return prune({
      title,
      transform,
      facet: header(layout.facet, layout.facetSort),
      columns: layout.columns ?? 3,
      spec: sized,
      resolve,
    }) as FigureSpec;
  }
  if (layout.row !== undefined || layout.column !== undefined) {
    const facet = prune({
      row: layout.row === undefined
        ? undefined
        : header(layout.row, layout.rowSort, { labelAngle: -90, labelLimit: height }),
      column: layout.column === undefined ? undefined : header(layout.column, layout.columnSort),
    });
    return prune({ title, transform, facet, spec: sized, resolve }) as FigureSpec;
  }
  return prune({ title, transform, ...sized, resolve }) as FigureSpec;
}
