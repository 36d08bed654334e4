/**
 * `deno task site`: builds the deployable figure site inside the figures directory, next to the
 * figure files it shows: `index.html`, one `paper-<key>.html` per paper, `site.css`, `site.js`,
 * `favicon.svg`, `vendor/` (vega bundles, font, licenses), a `<id>.png` per figure and `docs/`
 * (the theory reference, each figure linking to its section). Every link is relative, so the
 * folder works from any static host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart, writeFigure } from "../plot/mod.ts";
 * import { buildSite } from "./build.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFigure({ id: "A1", title: "A1 · demo", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 0, y: 1 }], meta: { paper: "A", claim: "-", measured: "-", command: "-",
 *   seconds: 0 } }, { outDir: dir, quiet: true });
 * const registry = [{ id: "A1", description: "demo" }];
 * const result = await buildSite({ figuresDir: dir, registry, png: false });
 * assert.deepEqual(result.pages, ["index.html", "paper-a.html"]);
 * assert.deepEqual(result.warnings, []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { join } from "node:path";
import { writeTextFileAtomic } from "../io/atomic.ts";
import { SITE_ASSETS } from "./assets.ts";
import { loadFigures, type RegistryFigure, type SiteFigure } from "./load_figures.ts";
import { copyDocsPages, defaultDocsDir, docsSiteHref, parseDocsRef } from "./docs_pages.ts";
import { createPngRenderer } from "./png_export.ts";
import { groupByPaper, indexPageHtml, type PageContext, paperPageHtml } from "./templates.ts";
import { copyVendorFiles, defaultNodeModulesDir } from "./vendor.ts";
import { buildExplorer } from "../explore/build.ts";

/** No figure could be loaded at all (the site would be empty). */
export class NoFiguresError extends Error {
  override name = "NoFiguresError";
}

/** Options for {@link buildSite}. */
export interface SiteBuildOptions {
  /** The figures directory; the site is written into it. */
  figuresDir: string;
  /** Experiments expected to have figures (lib/plot/registry.ts `experiments`). */
  registry: readonly RegistryFigure[];
  /** The theory reference copied to `docs/` of the site (default: the repository's docs/). */
  docsDir?: string;
  /** Where vega, vega-lite, vega-embed, resvg and the font are installed. Default: repo's. */
  nodeModulesDir?: string;
  /** Export `<id>.png` for every figure (default true). */
  png?: boolean;
  /** PNG scale (default 2: png_export.ts `DEFAULT_PNG_ZOOM`). */
  pngZoom?: number;
  /** Build time shown in the footer (default now). */
  builtAt?: Date;
  /**
   * Also build the UFM explorer (`explore.html`, lib/explore/build.ts; needs `--allow-run` for
   * `deno bundle`) and link it from the index (default false; `deno task site` builds it).
   */
  explorer?: boolean;
}

/** What {@link buildSite} did. */
export interface SiteBuildResult {
  /** Every figure, loaded or not (see `SiteFigure.problem`). */
  figures: SiteFigure[];
  /** Pages written, e.g. ["index.html", "paper-a.html"]. */
  pages: string[];
  /** PNG files written. */
  pngs: string[];
  /** Problems that did not stop the build: missing or unreadable meta, missing files, PNG errors. */
  warnings: string[];
  /** Seconds spent on the PNG export. */
  pngSeconds: number;
}

const PAGE_PREFIX = "paper-";

/** Removes `paper-*.html` pages of papers that no longer have figures. */
async function removeStalePages(figuresDir: string, keep: ReadonlySet<string>): Promise<void> {
  for await (const entry of Deno.readDir(figuresDir)) {
    if (
      entry.isFile && entry.name.startsWith(PAGE_PREFIX) && entry.name.endsWith(".html") &&
      !keep.has(entry.name)
    ) {
      await Deno.remove(join(figuresDir, entry.name));
    }
  }
}

async function exportPngs(
  figures: SiteFigure[],
  options: SiteBuildOptions,
  nodeModulesDir: string,
  warnings: string[],
): Promise<string[]> {
  const render = await createPngRenderer({ nodeModulesDir, zoom: options.pngZoom });
  const written: string[] = [];
  for (const figure of figures) {
    const meta = figure.meta;
    if (meta === null || figure.missingFiles.includes(meta.files.svg)) continue;
    const name = `${figure.id}.png`;
    try {
      const { png } = render(await Deno.readTextFile(join(options.figuresDir, meta.files.svg)));
      await Deno.writeFile(join(options.figuresDir, name), png);
      figure.png = name;
      written.push(name);
    } catch (error) {
      warnings.push(`${figure.id}: PNG export failed: ${(error as Error).message}`);
    }
  }
  return written;
}

/**
 * Loads the figures, copies the vendor files and assets, exports the PNGs and writes the pages.
 * A registry figure without a usable meta file gets a "not available" section and a warning.
 *
 * @throws {NoFiguresError} when `figuresDir` does not exist or no figure has a usable meta file.
 * @throws {Error} when a vendor bundle is missing from node_modules (run `npm ci`).
 */
export async function buildSite(options: SiteBuildOptions): Promise<SiteBuildResult> {
  const { figuresDir } = options;
  const nodeModulesDir = options.nodeModulesDir ?? defaultNodeModulesDir();
  let loaded;
  try {
    loaded = await loadFigures(figuresDir, options.registry);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new NoFiguresError(
        `no figures: ${figuresDir} does not exist (run \`npx deno task reproduce\` first)`,
      );
    }
    throw error;
  }
  const { figures } = loaded;
  const warnings = [...loaded.warnings];
  if (!figures.some((figure) => figure.meta !== null)) {
    throw new NoFiguresError(
      `no figures in ${figuresDir}: no readable <id>.meta.json (run \`npx deno task reproduce\` ` +
        `first)`,
    );
  }

  const { versions } = await copyVendorFiles(nodeModulesDir, figuresDir);
  const docsDir = options.docsDir ?? defaultDocsDir();
  const context: PageContext = { builtAt: options.builtAt ?? new Date(), versions };
  const docsAnchors = await copyDocsPages(docsDir, figuresDir, context);
  for (const figure of figures) {
    if (figure.docs === null) continue;
    const ref = parseDocsRef(figure.docs);
    const anchors = ref === null ? undefined : docsAnchors.get(ref.page);
    if (anchors !== undefined && (ref!.anchor === null || anchors.has(ref!.anchor))) {
      figure.docsHref = docsSiteHref(figure.docs);
    } else {
      warnings.push(`${figure.id}: docs section ${figure.docs} is not in ${docsDir}`);
    }
  }
  for (const [name, text] of Object.entries(SITE_ASSETS)) {
    await writeTextFileAtomic(join(figuresDir, name), text);
  }

  const pngStart = performance.now();
  const pngs = options.png === false
    ? []
    : await exportPngs(figures, options, nodeModulesDir, warnings);
  const pngSeconds = (performance.now() - pngStart) / 1000;
  const pages = ["index.html"];

  if (options.explorer) {
    const explorer = await buildExplorer(figuresDir, context);
    pages.push(...explorer.files.filter((file) => file.endsWith(".html")));
    context.explorer = true;
  }
  const groups = groupByPaper(figures);
  for (const group of groups) {
    await writeTextFileAtomic(join(figuresDir, group.page), paperPageHtml(group, context));
    pages.push(group.page);
  }
  // The index last: its presence means the pages it links to exist.
  await writeTextFileAtomic(join(figuresDir, "index.html"), indexPageHtml(groups, context));
  await removeStalePages(figuresDir, new Set(pages));
  return { figures, pages, pngs, warnings, pngSeconds };
}
