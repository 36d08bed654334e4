/**
 * Figures for ufmlab: tidy rows + a Vega-Lite spec → `figures/<id>.{vl.json,svg,csv,meta.json}`,
 * rendered headless in Deno, plus small chart builders and the registry of experiments that
 * `deno task reproduce` runs.
 *
 * @example
 * ```ts
 * import { clampForLog, lineChart, writeFigure } from "../lib/plot/mod.ts";
 * const t0 = performance.now();
 * const rows = [0, 1, 2, 3].map((step) => ({ step, gap: clampForLog(10 ** -(4 * step)) }));
 * await writeFigure({
 *   id: "A1",
 *   title: "GD on the bias-free MSE UFM",
 *   spec: lineChart({ x: "step", y: "gap", logY: true, yTitle: "f − f*" }),
 *   rows,
 *   meta: {
 *     paper: "A",
 *     claim: "GD reaches the closed-form minimum",
 *     measured: "objective gap per iteration",
 *     command: "npx deno task reproduce --only A1",
 *     theoryErrors: { objective: 2e-13 },
 *     seconds: (performance.now() - t0) / 1000,
 *   },
 * });
 * ```
 * @module
 */
export {
  completeSpec,
  defaultFiguresDir,
  FIGURE_FONT,
  type FigureFiles,
  type FigureMeta,
  type FigureMetaFile,
  type FigureOutput,
  type FigureSpec,
  VEGA_LITE_SCHEMA,
  writeFigure,
  type WriteFigureOptions,
} from "./write_figure.ts";
export {
  type AxisOptions,
  type ChartLayout,
  clampForLog,
  type FieldType,
  histogram,
  type HistogramOptions,
  lineChart,
  type LineChartOptions,
  scatterChart,
  type ScatterChartOptions,
  type SeriesOptions,
  theoryVsSolver,
  type TheoryVsSolverOptions,
} from "./charts.ts";
export { csvCell, csvColumns, type FigureRow, rowsToCsv } from "./csv.ts";
export { type CompiledSpec, compileVegaLite, type RenderedSvg, renderSvg } from "./render_svg.ts";
export { validateFigureId, validateRows, validateSpecAgainstRows } from "./validate.ts";
export { type ExperimentEntry, experiments } from "./registry.ts";
