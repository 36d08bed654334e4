/**
 * Headless Vega-Lite → SVG: compile the Vega-Lite spec to Vega, run it in a `vega.View` with no
 * renderer (no DOM, no canvas; text is measured in DejaVu Sans, text_metrics.ts) and serialize
 * the scenegraph as SVG.
 * Warnings from both compilers are collected instead of being printed, so a caller can report
 * them next to the figure they belong to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSvg } from "./render_svg.ts";
 * const { svg, warnings } = await renderSvg({
 *   data: { values: [{ x: 1, y: 2 }] },
 *   mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * assert.match(svg, /^<svg/);
 * assert.deepEqual(warnings, []);
 * ```
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { installTextMetrics } from "./text_metrics.ts";

/** Result of {@link compileVegaLite}. */
export interface CompiledSpec {
  /** The Vega spec. */
  vegaSpec: vega.Spec;
  /** Vega-Lite compiler warnings (e.g. an encoding that was dropped), in order. */
  warnings: string[];
}

/** A vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(
  warnings: string[],
  errors: string[],
): vega.LoggerInterface {
  let level = vega.Warn;
  const text = (args: unknown[]): string => args.map(String).join(" ");
  const logger: vega.LoggerInterface = {
    level(next?: number): number | vega.LoggerInterface {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      errors.push(text(args));
      return logger;
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) warnings.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/**
 * Compiles a complete Vega-Lite spec (data included) to Vega.
 *
 * @throws {Error} if Vega-Lite rejects the spec or logs an error.
 */
export function compileVegaLite(spec: TopLevelSpec): CompiledSpec {
  const warnings: string[] = [];
  const errors: string[] = [];
  const { spec: vegaSpec } = compile(spec, { logger: collectingLogger(warnings, errors) });
  if (errors.length > 0) throw new Error(`vega-lite: ${errors.join("; ")}`);
  return { vegaSpec, warnings };
}

/** Result of {@link renderSvg}. */
export interface RenderedSvg {
  /** The SVG document (starts with `<svg`). */
  svg: string;
  /** Warnings from Vega-Lite and from the Vega runtime, in order (and a missing layout font). */
  warnings: string[];
}

/**
 * Renders a complete Vega-Lite spec (data included) to an SVG string, headless.
 *
 * @throws {Error} if either compiler or the Vega runtime reports an error.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<RenderedSvg> {
  // Lay text out by its real width in DejaVu Sans; without the font files the layout (and so
  // the SVG) silently differs, so say it.
  const measured = await installTextMetrics();
  const { vegaSpec, warnings } = compileVegaLite(spec);
  if (!measured) {
    warnings.push(
      "DejaVu Sans not found (node_modules/dejavu-fonts-ttf; run npm ci): text is laid out " +
        "by Vega's width estimate, so the SVG differs from a normal build",
    );
  }
  const errors: string[] = [];
  const view = new vega.View(vega.parse(vegaSpec), {
    renderer: "none",
    logger: collectingLogger(warnings, errors),
    logLevel: vega.Warn,
  });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`vega: ${errors.join("; ")}`);
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}
