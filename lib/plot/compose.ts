/**
 * Combining charts into one figure: {@link hconcat} (side by side), {@link vconcat} (stacked)
 * and {@link layer} (overlaid on the same axes), each taking charts made by the builders (or
 * other combinations) and returning a {@link FigureSpec} for `writeFigure`, so that a figure of
 * several panels needs no hand-written Vega-Lite and no casts.
 *
 * Panels of a concatenation keep their own scales for color, shape and dash by default
 * (`shared` lists the channels whose legends they share); a layer shares its axes and keeps
 * separate legends unless `shared` says otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart, scatterChart } from "./charts.ts";
 * import { hconcat, layer } from "./compose.ts";
 * const left = lineChart({ x: "step", y: "loss", filter: "datum.panel === 'loss'" });
 * const right = layer([
 *   lineChart({ x: "c", y: "theory" }),
 *   scatterChart({ x: "c", y: "solver" }),
 * ], { title: "theory vs solver", width: 200 });
 * const spec = hconcat([left, right], { title: "Two panels" });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.hconcat?.length, 2);
 * ```
 * @module
 */
import type { NonNormalizedSpec } from "vega-lite/types_unstable/spec/index.js";
import { type ChartLayout, type Json, prune, withLayout } from "./layout.ts";
import type { FigureSpec } from "./write_figure.ts";

/** Any chart or combination of charts that can be placed in a figure. */
export type Panel = FigureSpec | NonNormalizedSpec;

/** Channels whose scales (and so legends) panels can share or keep separate. */
export type LegendChannel = "color" | "shape" | "strokeDash" | "size" | "opacity";

const LEGEND_CHANNELS: readonly LegendChannel[] = [
  "color",
  "shape",
  "strokeDash",
  "size",
  "opacity",
];

/** Options of {@link hconcat} and {@link vconcat}. */
export interface ConcatOptions {
  /** Title of the combination (default for a whole figure: the figure title). */
  title?: string;
  /** Line(s) under the title. */
  subtitle?: string | readonly string[];
  /** Channels whose scales and legends the panels share (default: none). */
  shared?: readonly LegendChannel[];
  /** Pixels between the panels (default: Vega-Lite's). */
  spacing?: number;
  /** Vega expression selecting the rows every panel draws. */
  filter?: string;
}

/** Options of {@link layer}. */
export type LayerOptions = ChartLayout & {
  /** Channels whose scales and legends the layers share (default: every channel). */
  shared?: readonly LegendChannel[];
};

function titleOf(options: ConcatOptions): Json | string | undefined {
  if (options.subtitle === undefined) return options.title;
  const subtitle = typeof options.subtitle === "string" ? options.subtitle : [...options.subtitle];
  return prune({ text: options.title, subtitle });
}

function resolveOf(shared: readonly LegendChannel[]): Json | undefined {
  const scale = Object.fromEntries(
    LEGEND_CHANNELS.filter((channel) => !shared.includes(channel))
      .map((channel) => [channel, "independent"]),
  );
  return Object.keys(scale).length > 0 ? { scale } : undefined;
}

function concat(
  direction: "hconcat" | "vconcat",
  panels: readonly Panel[],
  options: ConcatOptions,
): FigureSpec {
  if (panels.length === 0) throw new Error(`${direction}: needs at least one panel`);
  return prune({
    title: titleOf(options),
    transform: options.filter === undefined ? undefined : [{ filter: options.filter }],
    [direction]: [...panels],
    spacing: options.spacing,
    resolve: resolveOf(options.shared ?? []),
  }) as FigureSpec;
}

/**
 * Panels side by side, each with its own scales unless listed in `shared`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart } from "./charts.ts";
 * const spec = hconcat([scatterChart({ x: "a", y: "b" }), scatterChart({ x: "a", y: "c" })], {
 *   shared: ["color"],
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.deepEqual(view.resolve?.scale?.color, undefined);
 * assert.equal(view.resolve?.scale?.shape, "independent");
 * ```
 */
export function hconcat(panels: readonly Panel[], options: ConcatOptions = {}): FigureSpec {
  return concat("hconcat", panels, options);
}

/**
 * Panels stacked top to bottom, each with its own scales unless listed in `shared`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "./charts.ts";
 * const spec = vconcat([lineChart({ x: "t", y: "a" }), lineChart({ x: "t", y: "b" })], {
 *   title: "two rows", spacing: 24,
 * });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.vconcat?.length, 2);
 * assert.equal(view.spacing, 24);
 * ```
 */
export function vconcat(panels: readonly Panel[], options: ConcatOptions = {}): FigureSpec {
  return concat("vconcat", panels, options);
}

/** Keys a layer's children must not carry: the layer owns size, title and faceting. */
const LAYER_OWNED = ["width", "height", "title", "resolve"];

/**
 * Charts drawn over each other on shared axes, then sized and — like any builder — optionally
 * faceted by `options`. The children's own size and title are dropped (the layer has one);
 * faceted or concatenated children are refused, as Vega-Lite cannot layer them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart, scatterChart } from "./charts.ts";
 * const spec = layer([
 *   lineChart({ x: "kappa", y: "value", filter: "datum.source === 'theory'" }),
 *   scatterChart({ x: "kappa", y: "value", filter: "datum.source === 'solver'" }),
 * ], { column: "model", width: 240, shared: ["color"] });
 * const view = JSON.parse(JSON.stringify(spec));
 * assert.equal(view.spec?.layer?.length, 2);
 * assert.throws(() => layer([spec]), /cannot layer/);
 * ```
 */
export function layer(panels: readonly Panel[], options: LayerOptions = {}): FigureSpec {
  if (panels.length === 0) throw new Error("layer: needs at least one chart");
  const children = panels.map((panel, index) => {
    const child = panel as Json;
    for (const key of ["facet", "hconcat", "vconcat", "concat", "repeat"]) {
      if (key in child) {
        throw new Error(`layer: cannot layer chart ${index}, which has '${key}' (facet the layer)`);
      }
    }
    return Object.fromEntries(Object.entries(child).filter(([key]) => !LAYER_OWNED.includes(key)));
  });
  const resolve = resolveOf(options.shared ?? LEGEND_CHANNELS);
  return withLayout(prune({ layer: children, resolve }), options);
}
