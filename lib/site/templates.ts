/**
 * HTML of the figure site: the index, one page per paper and one section per figure. Pure
 * functions of the loaded figures (no file access), so they are tested directly. All text from
 * meta files is escaped and all links are relative (see escape.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SiteFigure } from "./load_figures.ts";
 * import { groupByPaper, indexPageHtml, paperPageHtml } from "./templates.ts";
 * const figure = (id: string, paper: string): SiteFigure => ({ id, paper, meta: null,
 *   description: `figure ${id}`, docs: null, docsHref: null, problem: "not reproduced yet",
 *   missingFiles: [], png: null });
 * const groups = groupByPaper([figure("A1", "A"), figure("B1", "B")]);
 * const context = { builtAt: new Date(0), versions: {} };
 * assert.match(indexPageHtml(groups, context), /paper-a\.html/);
 * const pages = groups.map((group) => paperPageHtml(group, context));
 * assert.match(pages[1], /B1/);
 * ```
 * @module
 */
import { escapeHtml, relativeHref } from "./escape.ts";
import type { SiteFigure } from "./load_figures.ts";
import { assignPageNames, type PaperInfo, paperInfo } from "./papers.ts";
import { formatError, theoryTableHtml } from "./theory_table.ts";

/** The figures of one paper and the page they go on. */
export interface PaperGroup {
  /** Paper names. */
  paper: PaperInfo;
  /** Page file name, e.g. "paper-a.html". */
  page: string;
  /** Figures in registry order. */
  figures: SiteFigure[];
}

/** Build facts shown in every page footer. */
export interface PageContext {
  /** Build time. */
  builtAt: Date;
  /** Versions of the bundled libraries, e.g. `{ vega: "6.4.0" }`. */
  versions: Record<string, string>;
  /** The site has the UFM explorer (`explore.html`, lib/explore/): the index links it. */
  explorer?: boolean;
}

/** Scripts of a paper page, in load order (vega-embed needs the globals of the first two). */
export const PAGE_SCRIPTS: readonly string[] = [
  "vendor/vega.min.js",
  "vendor/vega-lite.min.js",
  "vendor/vega-embed.min.js",
  "site.js",
];

/**
 * Browser-enforced rule that pages fetch only from their own origin. Vega compiles its
 * expressions with `Function` (hence 'unsafe-eval'); vega-embed injects its style element.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'unsafe-eval'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/**
 * Groups figures by paper key, papers in order of first appearance, each with a distinct
 * page file name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const figure = (id: string, paper: string) => ({ id, paper, meta: null, description: null,
 *   docs: null, docsHref: null, problem: "missing", missingFiles: [], png: null });
 * const groups = groupByPaper([figure("B1", "B"), figure("A1", "A")]);
 * assert.deepEqual(groups.map((group) => group.page), ["paper-b.html", "paper-a.html"]);
 * ```
 */
export function groupByPaper(figures: readonly SiteFigure[]): PaperGroup[] {
  const keys = [...new Set(figures.map((figure) => figure.paper))];
  const pages = assignPageNames(keys);
  return keys.map((key) => ({
    paper: paperInfo(key),
    page: pages.get(key)!,
    figures: figures.filter((figure) => figure.paper === key),
  }));
}

function link(path: string, text: string): string {
  return `<a href="${escapeHtml(relativeHref(path))}">${text}</a>`;
}

function footerHtml(context: PageContext): string {
  const versions = Object.entries(context.versions)
    .map(([name, version]) => `${escapeHtml(name)} ${escapeHtml(version)}`).join(", ");
  return `<footer class="site-footer">Built by <code>npx deno task site</code> at ${
    escapeHtml(context.builtAt.toISOString())
  }${versions === "" ? "" : ` · ${versions}`}. Everything on this site is served from this ` +
    `folder; regenerate the figures with <code>npx deno task reproduce</code>.</footer>`;
}

/**
 * A whole page of the site: head (policy, icon, `site.css`, extra style sheets, deferred
 * `scripts`), `body` and the footer. `root` is the way back to the site folder from the page (""
 * at the top, "../" one level down).
 */
export function pageHtml(
  title: string,
  body: string,
  context: PageContext,
  scripts: readonly string[] = [],
  root: "" | "../" = "",
  stylesheets: readonly string[] = [],
): string {
  const scriptTags = scripts
    .map((src) => `<script defer src="${escapeHtml(relativeHref(src))}"></script>`).join("\n");
  const styleTags = stylesheets
    .map((href) => `\n<link rel="stylesheet" href="${escapeHtml(relativeHref(href))}">`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${root}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${root}site.css">${styleTags}
${scriptTags}
</head>
<body>
${body}
${footerHtml(context)}
</body>
</html>
`;
}

/** "Theory and protocol: <link>" to the figure's docs section, or "" when the site has none. */
function docsLinkHtml(figure: SiteFigure): string {
  if (figure.docs === null || figure.docsHref === null) return "";
  return `<p class="docs-link"><span class="label">Theory and protocol:</span> ${
    link(figure.docsHref, `<code>${escapeHtml(figure.docs)}</code>`)
  }</p>`;
}

function registryCommand(id: string): string {
  return `npx deno task reproduce --only ${id}`;
}

function headlineText(figure: SiteFigure): string {
  const error = figure.meta?.maxTheoryError ?? null;
  return error === null ? "no closed form" : `max |ufmlab − theory| ${formatError(error)}`;
}

/**
 * The section of a figure that could not be loaded: its id, the reason, the registry
 * description and the command that builds it.
 */
export function missingFigureSectionHtml(figure: SiteFigure): string {
  const description = figure.description === null ? "" : `<p>${escapeHtml(figure.description)}</p>`;
  return `<section class="figure missing" id="${escapeHtml(figure.id)}" data-figure-id="${
    escapeHtml(figure.id)
  }" data-missing="true">
<h2>${escapeHtml(figure.id)} · not available</h2>
<p class="notice">This figure is not available: ${escapeHtml(figure.problem ?? "unknown problem")}.
Build it with <code>${escapeHtml(registryCommand(figure.id))}</code>, then run
<code>npx deno task site</code>.</p>
${description}
${docsLinkHtml(figure)}
</section>`;
}

/**
 * The section of a built figure: interactive view (static SVG until vega-embed has drawn it),
 * caption with the paper's claim and what ufmlab measured, the theory-vs-measured table, the
 * regenerating command, links to the CSV, spec, PNG and SVG, and the parameters.
 *
 * @throws {Error} if `figure.meta` is null (use {@link missingFigureSectionHtml}).
 */
export function figureSectionHtml(figure: SiteFigure): string {
  const meta = figure.meta;
  if (meta === null) throw new Error(`figure ${figure.id} has no meta`);
  const id = escapeHtml(figure.id);
  const hasSpec = !figure.missingFiles.includes(meta.files.spec);
  const hasSvg = !figure.missingFiles.includes(meta.files.svg);
  const specAttribute = hasSpec ? ` data-spec="${escapeHtml(relativeHref(meta.files.spec))}"` : "";
  const fallback = hasSvg
    ? `<img class="figure-fallback" src="${escapeHtml(relativeHref(meta.files.svg))}" alt="${
      escapeHtml(meta.title)
    } (static SVG)">`
    : "";
  const files = [
    [meta.files.csv, "data (CSV)"],
    [meta.files.spec, "Vega-Lite spec"],
    ...(figure.png === null ? [] : [[figure.png, "PNG"]]),
    [meta.files.svg, "SVG"],
  ].filter(([name]) => !figure.missingFiles.includes(name))
    .map(([name, label]) => link(name, escapeHtml(label)));
  const missing = figure.missingFiles.length === 0
    ? ""
    : `<p class="notice">Missing files: ${escapeHtml(figure.missingFiles.join(", "))}. Rebuild ` +
      `with <code>${escapeHtml(meta.command)}</code>.</p>`;
  const provenance = [
    meta.rowCount === null ? null : `${meta.rowCount} plotted rows`,
    meta.seconds === null ? null : `experiment ran ${meta.seconds.toFixed(2)} s`,
    meta.generatedAt === null ? null : `written ${meta.generatedAt}`,
  ].filter((part) => part !== null).join(" · ");
  const parameters = meta.parameters === null
    ? ""
    : `<pre>${escapeHtml(JSON.stringify(meta.parameters, null, 2))}</pre>`;
  const warnings = meta.warnings.length === 0
    ? ""
    : `<ul class="warnings">${
      meta.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join("")
    }</ul>`;
  return `<section class="figure" id="${id}" data-figure-id="${id}"${specAttribute}>
<h2>${escapeHtml(meta.title)}</h2>
<div class="figure-view">
<div class="figure-embed"></div>
${fallback}
<p class="figure-note"></p>
</div>
${missing}
<div class="caption">
<p><span class="label">The paper's claim.</span> ${escapeHtml(meta.claim)}</p>
<p><span class="label">What ufmlab measured.</span> ${escapeHtml(meta.measured)}</p>
${docsLinkHtml(figure)}
</div>
${theoryTableHtml(meta)}
<h3>Regenerate</h3>
<pre class="command"><code>${escapeHtml(meta.command)}</code></pre>
<p class="files">Files: ${files.join(" · ")}</p>
${warnings}
<details><summary>Parameters and provenance</summary>
<p>${escapeHtml(provenance)}</p>
${parameters}
</details>
</section>`;
}

/** One paper's page: citation, table of contents, a section per figure. */
export function paperPageHtml(group: PaperGroup, context: PageContext): string {
  const { paper, figures } = group;
  const toc = figures.map((figure) =>
    `<li>${
      link(
        `${group.page}#${figure.id}`,
        escapeHtml(figure.meta?.title ?? `${figure.id} (not available)`),
      )
    }</li>`
  ).join("\n");
  const sections = figures.map((figure) =>
    figure.meta === null ? missingFigureSectionHtml(figure) : figureSectionHtml(figure)
  ).join("\n");
  const citation = paper.citation === null
    ? ""
    : `<p class="citation">${escapeHtml(paper.citation)}</p>`;
  const body = `<header class="site-header">
<nav class="crumbs">${link("index.html", "← all figures")}</nav>
<h1>${escapeHtml(paper.short)}</h1>
${citation}
<nav class="toc"><ul>
${toc}
</ul></nav>
</header>
<main>
${sections}
</main>`;
  return pageHtml(`${paper.short} · ufmlab figures`, body, context, PAGE_SCRIPTS);
}

function cardHtml(group: PaperGroup, figure: SiteFigure): string {
  const href = escapeHtml(relativeHref(`${group.page}#${figure.id}`));
  if (figure.meta === null) {
    return `<a class="card missing" href="${href}"><span class="card-title">${
      escapeHtml(figure.id)
    } · not available</span><span class="card-error">${
      escapeHtml(figure.problem ?? "")
    }</span></a>`;
  }
  const thumbnail = figure.missingFiles.includes(figure.meta.files.svg)
    ? ""
    : `<img src="${escapeHtml(relativeHref(figure.meta.files.svg))}" alt="">`;
  return `<a class="card" href="${href}">${thumbnail}<span class="card-title">${
    escapeHtml(figure.meta.title)
  }</span><span class="card-error">${escapeHtml(headlineText(figure))}</span></a>`;
}

/**
 * The index: one card per paper with a thumbnail, title and headline error per figure, and a
 * notice listing figures that could not be loaded.
 */
export function indexPageHtml(groups: readonly PaperGroup[], context: PageContext): string {
  const missing = groups.flatMap((group) => group.figures).filter((figure) => figure.meta === null);
  const built = groups.flatMap((group) => group.figures).length - missing.length;
  const notice = missing.length === 0
    ? ""
    : `<div class="notice"><strong>${missing.length} ${
      missing.length === 1 ? "figure is" : "figures are"
    } not available:</strong><ul>${
      missing.map((figure) =>
        `<li>${escapeHtml(figure.id)}: ${escapeHtml(figure.problem ?? "")} (run <code>${
          escapeHtml(registryCommand(figure.id))
        }</code>)</li>`
      ).join("")
    }</ul></div>`;
  const papers = groups.map((group) => {
    const citation = group.paper.citation === null
      ? ""
      : `<p class="citation">${escapeHtml(group.paper.citation)}</p>`;
    const count = group.figures.length;
    return `<section class="paper-card" data-paper="${escapeHtml(group.paper.key)}">
<h2>${link(group.page, escapeHtml(group.paper.short))}</h2>
${citation}
<div class="cards">
${group.figures.map((figure) => cardHtml(group, figure)).join("\n")}
</div>
<p>${link(group.page, `All ${count} ${count === 1 ? "figure" : "figures"} of this paper →`)}</p>
</section>`;
  }).join("\n");
  const body = `<header class="site-header">
<h1>ufmlab figures</h1>
<p>Neural collapse and the unconstrained features model: every experiment ufmlab reproduces,
with the paper's claim, what ufmlab measured, the theory-vs-measured errors and the command that
regenerates it. ${built} ${built === 1 ? "figure" : "figures"} from ${groups.length} ${
    groups.length === 1 ? "paper" : "papers"
  }.</p>${
    context.explorer
      ? `\n<p class="explore-link">${
        link("explore.html", "Open the UFM explorer →")
      } solve any UFM of the registry in your browser and watch it collapse.</p>`
      : ""
  }
</header>
<main>
${notice}
${papers}
</main>`;
  return pageHtml("ufmlab figures", body, context);
}
