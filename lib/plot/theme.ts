/**
 * The look every figure shares — one font family, one set of font sizes for titles, axes,
 * facet headers and legends, light grids — so that figures printed next to each other match.
 * `writeFigure` applies {@link FIGURE_CONFIG} to every spec (a spec's own `config` keys win).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIGURE_CONFIG, FIGURE_FONT } from "./theme.ts";
 * assert.equal(FIGURE_CONFIG.font, FIGURE_FONT);
 * assert.equal(FIGURE_CONFIG.axis?.labelFontSize, FIGURE_CONFIG.legend?.labelFontSize);
 * ```
 * @module
 */
import type { Config } from "vega-lite";

/** Font family for all text (the SVG names it; the viewer's first installed family is used). */
export const FIGURE_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Font size of the figure title (panel titles use {@link FIGURE_CONFIG}`.title`). */
export const FIGURE_TITLE_SIZE = 15;

const LABEL = 10; // tick labels, legend entries, facet labels
const TITLE = 11; // axis, legend and header titles, subtitles
const PANEL_TITLE = 12;

/** Vega-Lite config of every figure. */
export const FIGURE_CONFIG: Config = {
  font: FIGURE_FONT,
  background: "white",
  padding: 8,
  title: {
    fontSize: PANEL_TITLE,
    fontWeight: "bold",
    subtitleFontSize: TITLE,
    subtitleColor: "#444",
    anchor: "start",
    offset: 6,
  },
  axis: {
    labelFontSize: LABEL,
    titleFontSize: TITLE,
    titleFontWeight: "normal",
    gridColor: "#e4e4e4",
  },
  header: {
    labelFontSize: TITLE,
    titleFontSize: TITLE,
    titleFontWeight: "normal",
  },
  legend: {
    labelFontSize: LABEL,
    titleFontSize: TITLE,
    titleFontWeight: "bold",
    labelLimit: 320,
  },
  view: { stroke: "#bbbbbb" },
  concat: { spacing: 28 },
  facet: { spacing: 14 },
};
