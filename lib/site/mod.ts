/**
 * The figure site: `deno task site` turns the figure files of `deno task reproduce`
 * (`figures/<id>.{vl.json,svg,csv,meta.json}`) into a static, self-contained site inside the
 * figures directory — an index, one page per paper, one section per figure with the interactive
 * vega-embed view (static SVG fallback), the paper's claim, what ufmlab measured, the
 * theory-vs-measured table, the regenerating command and links to the CSV, spec and PNG.
 * `deno task serve` previews it on the loopback interface.
 *
 * Modules: load_figures.ts (registry + meta files), templates.ts (pages), theory_table.ts,
 * escape.ts (HTML escaping, relative links), papers.ts (paper names), assets.ts (CSS, client
 * script, icon), vendor.ts (bundles copied from node_modules), png_export.ts (resvg + DejaVu
 * Sans), docs_pages.ts (the theory reference copied into the site), static_server.ts (preview
 * server), build.ts (all of it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart, writeFigure } from "../plot/mod.ts";
 * import { buildSite, serveSite } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFigure({ id: "A1", title: "A1 · demo", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 0, y: 1 }], meta: { paper: "A", claim: "-", measured: "-", command: "-",
 *   seconds: 0 } }, { outDir: dir, quiet: true });
 * await buildSite({ figuresDir: dir, registry: [{ id: "A1", description: "" }] });
 * const server = serveSite({ root: dir, port: 0 });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/paper-a.html`);
 * assert.match(await response.text(), /A1 · demo/);
 * await server.shutdown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
export { buildSite, NoFiguresError, type SiteBuildOptions, type SiteBuildResult } from "./build.ts";
export {
  anchorIds,
  copyDocsPages,
  defaultDocsDir,
  DOCS_SITE_DIR,
  docsPageHtml,
  type DocsRef,
  docsSiteHref,
  parseDocsRef,
} from "./docs_pages.ts";
export { escapeHtml, isPlainFileName, relativeHref } from "./escape.ts";
export {
  listMetaIds,
  type LoadedFigures,
  loadFigures,
  paperFromId,
  parseSiteMeta,
  type RegistryFigure,
  type SiteFigure,
  type SiteMeta,
} from "./load_figures.ts";
export { assignPageNames, type PaperInfo, paperInfo, paperPageName } from "./papers.ts";
export {
  createPngRenderer,
  DEFAULT_PNG_ZOOM,
  PNG_FONT_FILES,
  type PngRendererOptions,
  type RenderedPng,
} from "./png_export.ts";
export {
  CONTENT_TYPES,
  contentTypeFor,
  createStaticHandler,
  LOOPBACK_HOST,
  serveSite,
  type ServeSiteOptions,
} from "./static_server.ts";
export {
  CONTENT_SECURITY_POLICY,
  figureSectionHtml,
  groupByPaper,
  indexPageHtml,
  missingFigureSectionHtml,
  PAGE_SCRIPTS,
  type PageContext,
  pageHtml,
  type PaperGroup,
  paperPageHtml,
} from "./templates.ts";
export { formatError, type TheoryErrors, theoryTableHtml } from "./theory_table.ts";
export { FAVICON_SVG, SITE_ASSETS, SITE_CSS, SITE_JS } from "./assets.ts";
export {
  copyVendorFiles,
  defaultNodeModulesDir,
  VENDOR_FILES,
  VENDOR_PACKAGES,
  type VendorCopy,
  type VendorFile,
} from "./vendor.ts";
