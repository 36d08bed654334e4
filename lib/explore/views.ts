/**
 * The explorer's charts as Vega-Lite specs built with lib/plot's helpers, each reading a named
 * dataset the page streams rows into while the worker runs: the trace (|f − f*| and ‖∇f‖, and
 * NC1, NC2, NC3, ‖Wμ_G + b‖ against the iteration, log–log), the cosine matrices of the class
 * means and classifier rows (heatmaps), and the principal-axes projection of both (2-D, and 3-D
 * with azimuth/elevation sliders). {@link exportSpec} puts all three with their data into one
 * self-contained spec for the "export" button.
 *
 * Pure functions (no DOM, no core): the page bundle uses them, tests compile them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRACE_DATA, traceSpec } from "./views.ts";
 * const spec = JSON.parse(JSON.stringify(traceSpec(["gap", "grad_norm", "nc1"])));
 * assert.deepEqual(spec.data, { name: TRACE_DATA });
 * assert.equal(spec.hconcat.length, 2); // optimization | collapse
 * ```
 * @module
 */
import { lineChart, scatterChart } from "../plot/charts.ts";
import { heatmap } from "../plot/bars.ts";
import { hconcat, layer, vconcat } from "../plot/compose.ts";
import type { Json } from "../plot/layout.ts";
import { FIGURE_CONFIG, FIGURE_TITLE_SIZE } from "../plot/theme.ts";
import type { FigureSpec } from "../plot/write_figure.ts";
import {
  cosineMatrices,
  type ModelGeometry,
  projectionSets,
  type TraceMetric,
  traceMetrics,
  type TraceRow,
} from "./vocabulary.ts";

/** Dataset names the page inserts rows into. */
export const TRACE_DATA = "trace";
/** See {@link TRACE_DATA}. */
export const COSINE_DATA = "cosines";
/** See {@link TRACE_DATA}. */
export const PROJECTION_DATA = "projection";

/** Values below this are drawn at it on the log axes (exact zeros of converged metrics). */
export const LOG_FLOOR = 1e-16;

/** Color and dash of each trace quantity (the same in every run). */
const TRACE_STYLES: Readonly<Record<TraceMetric, { color: string; dash?: number[] }>> = {
  gap: { color: "#1d232b" },
  grad_norm: { color: "#8a8f96", dash: [5, 3] },
  nc1: { color: "#1f77b4" },
  nc2_etf: { color: "#ff7f0e" },
  nc2_of: { color: "#ff7f0e", dash: [2, 2] },
  nc3: { color: "#2ca02c" },
  wmu_g_b: { color: "#d62728", dash: [6, 2] },
  objective: { color: "#000000" },
};

/** The quantities of the left (optimization) and right (collapse) trace panels. */
export const TRACE_PANELS: readonly (readonly TraceMetric[])[] = [
  ["gap", "grad_norm"],
  ["nc1", "nc2_etf", "nc2_of", "nc3", "wmu_g_b"],
];

/** Signals the page sets for each run (see {@link traceSignals}). */
export const SHOWN_SIGNAL = "shown";
/** See {@link SHOWN_SIGNAL}: the labels of the quantities drawn in each panel. */
export const PANEL_LABEL_SIGNALS: readonly string[] = ["shownLeft", "shownRight"];
/**
 * The iteration range of the trace's x axis: [1, the next power of ten above the last iteration
 * drawn] ({@link iterationRange}), so streamed rows move the axis only once per decade.
 */
export const X_DOMAIN_SIGNAL = "iterationRange";
/** Whether the heatmaps print their values (K ≤ {@link PRINT_VALUES_MAX_K}). */
export const SHOW_VALUES_SIGNAL = "showValues";
/** Largest K whose cosines are printed in the cells. */
export const PRINT_VALUES_MAX_K = 8;

/**
 * Values of the trace's signals for a run that draws `plotted` up to iteration `last`: the keys
 * drawn, the x range, and the labels each panel's legend lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(traceSignals(["grad_norm", "nc1"], 500), {
 *   shown: ["grad_norm", "nc1"], iterationRange: [1, 1000], shownLeft: ["‖∇f‖"],
 *   shownRight: ["NC1"],
 * });
 * ```
 */
export function traceSignals(
  plotted: readonly TraceMetric[],
  last = 10,
): Record<string, string[] | number[]> {
  const signals: Record<string, string[] | number[]> = {
    [SHOWN_SIGNAL]: [...plotted],
    [X_DOMAIN_SIGNAL]: iterationRange(last),
  };
  TRACE_PANELS.forEach((keys, i) => {
    signals[PANEL_LABEL_SIGNALS[i]] = keys.filter((key) => plotted.includes(key))
      .map((key) => traceMetrics.label(key));
  });
  return signals;
}

/**
 * [1, 10^⌈log₁₀ last⌉] (at least [1, 10]): the x range of a trace up to iteration `last`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(iterationRange(60), [1, 100]);
 * assert.deepEqual(iterationRange(20000), [1, 100000]);
 * assert.deepEqual(iterationRange(3), [1, 10]);
 * ```
 */
export function iterationRange(last: number): [number, number] {
  return [1, 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(1, last)) - 1e-9))];
}

function tracePanel(panel: number, title: string, subtitle: string): Json {
  const keys = TRACE_PANELS[panel];
  const list = keys.map((key) => `'${key}'`).join(", ");
  const chart = lineChart({
    x: "iteration",
    y: "plotted",
    color: traceMetrics.labelField,
    colorTitle: null,
    styles: keys.map((key) => ({
      value: traceMetrics.label(key),
      color: TRACE_STYLES[key].color,
      dash: TRACE_STYLES[key].dash,
    })),
    // Only the quantities drawn in this run (the scale fixes every quantity's look).
    colorLegend: {
      orient: "bottom",
      direction: "horizontal",
      columns: 3,
      values: { expr: PANEL_LABEL_SIGNALS[panel] },
    },
    logX: true,
    logY: true,
    xTitle: "iteration",
    yTitle: null,
    title,
    subtitle,
    width: 330,
    height: 230,
    strokeWidth: 1.8,
    filter: `indexof([${list}], datum.metric) >= 0 && indexof(${SHOWN_SIGNAL}, datum.metric) ` +
      ">= 0 && datum.iteration >= 1 && isValid(datum.value)",
    calculate: { plotted: `max(datum.value, ${LOG_FLOOR})` },
  }) as unknown as Json & { encoding: { x: Json & { scale: Json } } };
  // The x range is the run's (a signal): streamed rows then never move the axis.
  const x = chart.encoding.x;
  return {
    ...chart,
    encoding: {
      ...chart.encoding,
      x: { ...x, scale: { ...x.scale, domain: { expr: X_DOMAIN_SIGNAL } } },
    },
  };
}

/**
 * The trace from the dataset {@link TRACE_DATA} of {@link TraceRow}s: the optimization
 * quantities (left) and the collapse metrics (right) against the iteration on log axes, for the
 * quantities in the signal {@link SHOWN_SIGNAL} (default: `plotted`, all of them).
 */
export function traceSpec(
  plotted: readonly TraceMetric[] = traceMetrics.keys,
  last?: number,
): Json {
  const panels = [
    tracePanel(0, "Optimization", "gap |f − f*| to the closed-form minimum, and ‖∇f‖"),
    tracePanel(
      1,
      "Neural collapse",
      "NC metrics of the penultimate features and the classifier (values < 10⁻¹⁶ drawn at it)",
    ),
  ];
  const params = Object.entries(traceSignals(plotted, last)).map(([name, value]) => ({
    name,
    value,
  }));
  return { params, ...hconcat(panels as FigureSpec[]), data: { name: TRACE_DATA } };
}

/**
 * The three K×K cosine matrices (centred and uncentred class means, classifier rows) as
 * heatmaps from the dataset {@link COSINE_DATA}, with the values printed when the signal
 * {@link SHOW_VALUES_SIGNAL} is true (default: K ≤ {@link PRINT_VALUES_MAX_K} for `K`).
 */
export function cosineSpec(K = 2): Json {
  const spec = heatmap({
    x: "l",
    y: "k",
    value: "cosine",
    facet: cosineMatrices.labelField,
    facetSort: [...cosineMatrices.labels],
    facetTitle: null,
    columns: 3,
    xTitle: "class",
    yTitle: "class",
    valueTitle: "cosine",
    scheme: "blueorange",
    domain: [-1, 1],
    format: ".2f",
    title: "Cosines between class means and between classifier rows",
    subtitle: "simplex ETF: −1/(K−1) off the diagonal · orthogonal frame: 0 · " +
      "h_G = mean of the class means, w̄ = mean of the rows",
  }) as unknown as Json & { spec: Json & { layer: Json[] } };
  // The same size whatever K is; values printed only while they fit.
  const [cells, text] = spec.spec.layer;
  const inner = {
    ...spec.spec,
    width: 210,
    height: 210,
    layer: [cells, { ...text, transform: [{ filter: SHOW_VALUES_SIGNAL }] }],
  };
  return {
    params: [{ name: SHOW_VALUES_SIGNAL, value: K <= PRINT_VALUES_MAX_K }],
    ...spec,
    spec: inner,
    data: { name: COSINE_DATA },
  };
}

/** Axis lines of the 3-D view: the principal axes from the origin, with their names. */
const AXIS_ENDS = [
  { axis: "PC1", pc1: 1.15, pc2: 0, pc3: 0 },
  { axis: "PC2", pc1: 0, pc2: 1.15, pc3: 0 },
  { axis: "PC3", pc1: 0, pc2: 0, pc3: 1.15 },
];

/** Screen coordinates of a 3-D point for the view angles (orthographic). */
const ROTATION = [
  { calculate: "PI * azimuth / 180", as: "_a" },
  { calculate: "PI * elevation / 180", as: "_e" },
  { calculate: "datum.pc1 * cos(datum._a) - datum.pc2 * sin(datum._a)", as: "sx" },
  {
    calculate: "(datum.pc1 * sin(datum._a) + datum.pc2 * cos(datum._a)) * sin(datum._e) + " +
      "datum.pc3 * cos(datum._e)",
    as: "sy",
  },
];

const EXTENT: [number, number] = [-1.2, 1.2];

/** Rules from the origin to every point (the vectors themselves). */
function spokes(x: string, y: string, extra: Json = {}): Json {
  return {
    mark: { type: "rule", strokeWidth: 1.2, opacity: 0.55 },
    encoding: {
      x: { field: x, type: "quantitative", scale: { domain: EXTENT } },
      y: { field: y, type: "quantitative", scale: { domain: EXTENT } },
      x2: { datum: 0 },
      y2: { datum: 0 },
      color: { field: "class", type: "nominal", title: "class" },
      strokeDash: {
        field: projectionSets.labelField,
        type: "nominal",
        scale: { domain: [...projectionSets.labels], range: [[1, 0], [3, 2]] },
        legend: null,
      },
    },
    ...extra,
  };
}

/** Class means as filled circles, classifier rows as larger hollow triangles around them. */
function points(x: string, y: string, xTitle: string | null, yTitle: string | null): FigureSpec[] {
  const common = {
    x,
    y,
    color: "class",
    colorTitle: "class",
    xDomain: EXTENT,
    yDomain: EXTENT,
    xTitle,
    yTitle,
  };
  return [
    scatterChart({ ...common, filter: "datum.set === 'means'", symbol: "circle", size: 70 }),
    scatterChart({
      ...common,
      filter: "datum.set === 'classifier'",
      symbol: "triangle-up",
      hollow: true,
      size: 190,
    }),
  ];
}

/**
 * Class means and classifier rows (both centred, each set scaled to a longest vector of 1) on
 * the first principal axes of the class means, from the dataset {@link PROJECTION_DATA}: the
 * PC1–PC2 plane, and a 3-D view with `azimuth` / `elevation` sliders.
 */
export function projectionSpec(explained?: readonly number[]): Json {
  const share = explained === undefined
    ? ""
    : ` · variance on PC1–3: ${explained.map((x) => `${(100 * x).toFixed(0)}%`).join(", ")}`;
  const plane = layer([spokes("pc1", "pc2") as FigureSpec, ...points("pc1", "pc2", "PC1", "PC2")], {
    title: "PC1–PC2 plane",
    width: 260,
    height: 260,
    shared: ["color", "shape", "strokeDash"],
  });
  const axes: Json = {
    data: { values: AXIS_ENDS },
    transform: ROTATION,
    layer: [
      {
        mark: { type: "rule", color: "#b5b5b5", strokeWidth: 1 },
        encoding: {
          x: { field: "sx", type: "quantitative", scale: { domain: EXTENT }, axis: null },
          y: { field: "sy", type: "quantitative", scale: { domain: EXTENT }, axis: null },
          x2: { datum: 0 },
          y2: { datum: 0 },
        },
      },
      {
        mark: { type: "text", color: "#777777", fontSize: 10, dx: 8, dy: -4 },
        encoding: {
          x: { field: "sx", type: "quantitative" },
          y: { field: "sy", type: "quantitative" },
          text: { field: "axis" },
        },
      },
    ],
  };
  const rotated = (chart: Json): Json => ({ ...chart, transform: ROTATION });
  const view = layer([
    axes as FigureSpec,
    rotated(spokes("sx", "sy")) as FigureSpec,
    ...points("sx", "sy", null, null).map((chart) => rotated(chart as Json) as FigureSpec),
  ], {
    title: "3-D view of PC1–PC3 (drag the sliders)",
    width: 260,
    height: 260,
    shared: ["color", "shape", "strokeDash"],
  });
  return {
    params: [
      {
        name: "azimuth",
        value: 35,
        bind: { input: "range", min: -180, max: 180, step: 1, name: "azimuth (°) " },
      },
      {
        name: "elevation",
        value: 25,
        bind: { input: "range", min: -90, max: 90, step: 1, name: "elevation (°) " },
      },
    ],
    ...hconcat([plane, view], {
      title: "Class means and classifier rows on the principal axes of the class means",
      subtitle: "● class means h̄_k − h_G, △ classifier rows w_k − w̄ (solid and dashed spokes); " +
        "each set scaled so that its longest vector has length 1" + share,
      shared: ["color", "shape"],
    }),
    data: { name: PROJECTION_DATA },
  };
}

/** A view without its params (they move to the top of a combined spec). */
function withoutParams(spec: Json): FigureSpec {
  const { params: _params, ...rest } = spec;
  return rest as FigureSpec;
}

/** The rows a run produced, for {@link exportSpec}. */
export interface ExportData {
  /** Trace rows. */
  trace: readonly TraceRow[];
  /** The quantities drawn. */
  plotted: readonly TraceMetric[];
  /** The last geometry, or null. */
  geometry: ModelGeometry | null;

  /** Title (e.g. the reproducing command). */
  title: string;
}

/**
 * One self-contained Vega-Lite spec of a run: the trace, cosine and projection views stacked,
 * with their rows inlined as named datasets, the site's figure config and the slider params.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const spec = exportSpec({ trace: [], plotted: ["nc1"], geometry: null, title: "run" });
 * assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v6.json");
 * assert.deepEqual(Object.keys(spec.datasets as object), ["trace", "cosines", "projection"]);
 * ```
 */
export function exportSpec(data: ExportData): Json {
  const { params, ...projection } = projectionSpec(data.geometry?.explained);
  const K = data.geometry?.K ?? 2;
  const last = Math.max(1, ...data.trace.map((row) => row.iteration));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: data.title, fontSize: FIGURE_TITLE_SIZE },
    params: [
      ...(params as Json[]),
      ...(traceSpec(data.plotted, last).params as Json[]),
      ...(cosineSpec(K).params as Json[]),
    ],
    ...vconcat(
      [traceSpec(data.plotted, last), cosineSpec(K), projection].map(withoutParams),
      {
        spacing: 32,
      },
    ),
    datasets: {
      [TRACE_DATA]: data.trace.map((row) => ({ ...row })),
      [COSINE_DATA]: data.geometry?.cosines.map((cell) => ({ ...cell })) ?? [],
      [PROJECTION_DATA]: data.geometry?.points.map((point) => ({ ...point })) ?? [],
    },
    config: FIGURE_CONFIG,
  };
}
