/**
 * Figures for ufmlab: tidy rows + a Vega-Lite spec → `figures/<id>.{vl.json,svg,csv,meta.json}`,
 * rendered headless in Deno, plus the chart builders (charts.ts, bars.ts), the combinators of
 * panels (compose.ts), log axes labelled 10ⁿ (axes.ts), tidy categorical columns (tidy.ts), the
 * shared look (theme.ts) and the registry of experiments that `deno task reproduce` runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { category, clampForLog, lineChart, writeFigure } from "./mod.ts";
 * const t0 = performance.now();
 * const metric = category("metric", { gap: "f − f*" });
 * const rows = [0, 1, 2, 3].map((step) => ({
 *   ...metric.cell("gap"), step: step + 1, value: clampForLog(10 ** -(4 * step)),
 * }));
 * const outDir = await Deno.makeTempDir();
 * const files = await writeFigure({
 *   id: "A1",
 *   title: "GD on the bias-free MSE UFM",
 *   spec: lineChart({ x: "step", y: "value", logY: true, color: metric.labelField }),
 *   rows,
 *   meta: {
 *     paper: "A",
 *     claim: "GD reaches the closed-form minimum",
 *     measured: "objective gap per iteration",
 *     command: "npx deno task reproduce --only A1",
 *     theoryErrors: { objective: 2e-13 },
 *     seconds: (performance.now() - t0) / 1000,
 *   },
 * }, { outDir, quiet: true });
 * assert.match(await Deno.readTextFile(files.svg), /10⁻¹²/); // log axis labelled 10ⁿ
 * await Deno.remove(outDir, { recursive: true });
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
  type CategoryField,
  type ChartLayout,
  clampForLog,
  type FieldRef,
  type FieldType,
  histogram,
  type HistogramOptions,
  lineChart,
  type LineChartOptions,
  ruleChart,
  type RuleChartOptions,
  scatterChart,
  type ScatterChartOptions,
  type SeriesOptions,
  type SeriesStyle,
  theoryOverlay,
  type TheoryOverlayOptions,
  theoryVsSolver,
  type TheoryVsSolverOptions,
} from "./charts.ts";
export {
  barChart,
  type BarChartOptions,
  heatmap,
  type HeatmapOptions,
  RESTART_OUTCOME_COLORS,
  RESTART_OUTCOMES,
  restartOutcomeBars,
  type RestartOutcomeBarsOptions,
  restartOutcomeScale,
} from "./bars.ts";
export {
  type ConcatOptions,
  hconcat,
  layer,
  type LayerOptions,
  type LegendChannel,
  type Panel,
  vconcat,
} from "./compose.ts";
export {
  EXPONENT_LABEL,
  IS_POWER_OF_TEN,
  logAxis,
  POWER_OF_TEN_LABEL,
  powerOfTen,
} from "./axes.ts";
export { type Category, category } from "./tidy.ts";
export { FIGURE_CONFIG, FIGURE_TITLE_SIZE } from "./theme.ts";
export { csvCell, csvColumns, type FigureRow, rowsToCsv } from "./csv.ts";
export { type CompiledSpec, compileVegaLite, type RenderedSvg, renderSvg } from "./render_svg.ts";
export { validateFigureId, validateRows, validateSpecAgainstRows } from "./validate.ts";
export { type ExperimentEntry, experiments } from "./registry.ts";
