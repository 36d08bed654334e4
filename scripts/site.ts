/**
 * `npx deno task site`: builds the static figure site inside the figures directory (index,
 * one page per paper, PNG of every figure, vendored vega bundles, the UFM explorer
 * `explore.html` with its bundled solver, lib/explore/) from the outputs of
 * `npx deno task reproduce`. Registry figures that were not built are reported as warnings and
 * marked on their page; if no figure exists at all the build stops with exit code 2.
 *
 * Flags: `--skip-png` (faster, no PNG export), `--help`. `UFMLAB_FIGURES_DIR` selects the
 * figures directory as for `reproduce`.
 *
 * @example
 * ```sh
 * npx deno task reproduce && npx deno task site && npx deno task serve
 * ```
 * @module
 */
import { join } from "node:path";
import { parseFlags, runCli, UsageError } from "../lib/cli.ts";
import { experiments } from "../lib/plot/registry.ts";
import { defaultFiguresDir } from "../lib/plot/write_figure.ts";
import { buildSite, NoFiguresError, type SiteBuildResult } from "../lib/site/mod.ts";

const usage = "Usage: npx deno task site [--skip-png]\n\n" +
  "Builds the figure site (index.html, one page per paper, PNGs) inside the figures directory.";

/** Entry point; returns the build result (null for `--help`). */
export async function main(args: string[]): Promise<SiteBuildResult | null> {
  const flags = parseFlags(args, {
    "skip-png": { type: "boolean", default: false, help: "do not export <id>.png files" },
  }, usage);
  if (flags === null) return null;
  const figuresDir = defaultFiguresDir();
  let result: SiteBuildResult;
  try {
    result = await buildSite({
      figuresDir,
      registry: experiments,
      png: !flags["skip-png"],
      explorer: true,
    });
  } catch (error) {
    if (error instanceof NoFiguresError) throw new UsageError(error.message);
    throw error;
  }
  for (const warning of result.warnings) console.error(`warning: ${warning}`);
  const shown = result.figures.filter((figure) => figure.meta !== null).length;
  console.log(
    `site: ${join(figuresDir, "index.html")} · ${result.pages.length - 2} paper page(s) · ` +
      `${shown} of ${result.figures.length} figures · ${result.pngs.length} PNG ` +
      `(${result.pngSeconds.toFixed(1)} s) · explore.html · ${result.warnings.length} warning(s)`,
  );
  return result;
}

if (import.meta.main) await runCli(async () => void await main(Deno.args));
