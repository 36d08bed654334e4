/**
 * The theory reference on the figure site. Each figure names the docs section it reproduces
 * (registry `docs`, e.g. `docs/experiments.md#a1`); the site is one folder copied to a static
 * host, so the docs pages are copied into it as `docs/<page>.html` and the figure links there.
 * A page is its Markdown text, escaped and preformatted, with its `<a id>` anchors and its links
 * to the other pages made live — no Markdown renderer, nothing from the text becomes markup.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docsPageHtml, docsSiteHref } from "./docs_pages.ts";
 * const context = { builtAt: new Date(0), versions: {} };
 * const markdown = '<a id="a1"></a>\n\n### A1 <see [x](ufm-mse.md#c)>';
 * const html = docsPageHtml("experiments", markdown, context);
 * assert.match(html, /<a id="a1"><\/a>/);
 * assert.match(html, /&lt;see \[x\]\(<a href="ufm-mse\.html#c">ufm-mse\.md#c<\/a>\)&gt;/);
 * assert.equal(docsSiteHref("docs/experiments.md#a1"), "docs/experiments.html#a1");
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { writeTextFileAtomic } from "../io/atomic.ts";
import { escapeHtml, relativeHref } from "./escape.ts";
import { type PageContext, pageHtml } from "./templates.ts";

/** Folder of the docs pages inside the site (and of the docs in the repository). */
export const DOCS_SITE_DIR = "docs";

const NAME = "[A-Za-z0-9_-]+";
const ANCHOR = new RegExp(`<a id="(${NAME})"></a>`, "g");
const ESCAPED_ANCHOR = new RegExp(`&lt;a id=&quot;(${NAME})&quot;&gt;&lt;/a&gt;`, "g");
const PAGE_LINK = new RegExp(`\\]\\((${NAME})\\.md(#${NAME})?\\)`, "g");
const DOCS_REF = new RegExp(`^docs/(${NAME})\\.md(?:#(${NAME}))?$`);

/**
 * The anchor ids a docs page defines (`<a id="…"></a>`, the only anchors the docs use), in
 * order, duplicates kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(anchorIds('<a id="tb"></a>\n## TB\n<a id="z"></a>'), ["tb", "z"]);
 * ```
 */
export function anchorIds(markdown: string): string[] {
  return [...markdown.matchAll(ANCHOR)].map((match) => match[1]);
}

/** A citation `docs/<page>.md[#<anchor>]` split into its parts. */
export interface DocsRef {
  /** Page name without `.md`, e.g. "experiments". */
  page: string;
  /** Anchor id, or null for the whole page. */
  anchor: string | null;
}

/**
 * Parses a citation `docs/<page>.md` or `docs/<page>.md#<anchor>`; null for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseDocsRef("docs/ufm-mse.md#mse-bias-free"), {
 *   page: "ufm-mse",
 *   anchor: "mse-bias-free",
 * });
 * assert.equal(parseDocsRef("notes/x.txt"), null);
 * ```
 */
export function parseDocsRef(ref: string): DocsRef | null {
  const match = DOCS_REF.exec(ref);
  return match === null ? null : { page: match[1], anchor: match[2] ?? null };
}

/**
 * The site link of a docs citation: `docs/<page>.md#<anchor>` → `docs/<page>.html#<anchor>`.
 *
 * @throws {Error} when `ref` is not a docs citation ({@link parseDocsRef}).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(docsSiteHref("docs/metrics.md"), "docs/metrics.html");
 * ```
 */
export function docsSiteHref(ref: string): string {
  const parsed = parseDocsRef(ref);
  if (parsed === null) throw new Error(`not a docs citation: ${JSON.stringify(ref)}`);
  const anchor = parsed.anchor === null ? "" : `#${parsed.anchor}`;
  return relativeHref(`${DOCS_SITE_DIR}/${parsed.page}.html${anchor}`);
}

/**
 * The HTML of docs page `name` (the file `<name>.md`): its text escaped inside `<pre>`, the
 * `<a id>` anchors restored, and each link target `(<page>.md#<anchor>)` made a link to
 * `<page>.html#<anchor>` (links to other files stay text), in the site's page frame one folder
 * down.
 */
export function docsPageHtml(name: string, markdown: string, context: PageContext): string {
  const text = escapeHtml(markdown)
    .replace(ESCAPED_ANCHOR, '<a id="$1"></a>')
    .replace(
      PAGE_LINK,
      (_, page: string, anchor = "") =>
        `](<a href="${relativeHref(`${page}.html${anchor}`)}">${page}.md${anchor}</a>)`,
    );
  const body = `<header class="site-header">
<nav class="crumbs"><a href="../index.html">← all figures</a></nav>
<h1>docs/${escapeHtml(name)}.md</h1>
</header>
<main>
<pre class="docs-page">${text}</pre>
</main>`;
  return pageHtml(`${name}.md · ufmlab theory reference`, body, context, [], "../");
}

/** The repository's docs folder. */
export function defaultDocsDir(): string {
  return fileURLToPath(new URL("../../docs", import.meta.url));
}

/**
 * Writes every `<page>.md` of `docsDir` as `<siteDir>/docs/<page>.html` and returns the anchor
 * ids of each page (keyed by page name), for checking the figures' links. An absent `docsDir`
 * gives an empty map.
 */
export async function copyDocsPages(
  docsDir: string,
  siteDir: string,
  context: PageContext,
): Promise<Map<string, Set<string>>> {
  const anchors = new Map<string, Set<string>>();
  const pages: string[] = [];
  try {
    for await (const entry of Deno.readDir(docsDir)) {
      const page = entry.isFile ? /^([A-Za-z0-9_-]+)\.md$/.exec(entry.name)?.[1] : undefined;
      if (page !== undefined) pages.push(page);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return anchors;
    throw error;
  }
  for (const page of pages.sort()) {
    const markdown = await Deno.readTextFile(join(docsDir, `${page}.md`));
    anchors.set(page, new Set(anchorIds(markdown)));
    await writeTextFileAtomic(
      join(siteDir, DOCS_SITE_DIR, `${page}.html`),
      docsPageHtml(page, markdown, context),
    );
  }
  return anchors;
}
