/**
 * The site's own static files, written next to the pages by the site build: the style sheet,
 * the client script that swaps each static SVG for the interactive vega-embed view, and the
 * icon (a simplex ETF: three equiangular unit vectors).
 *
 * The client script marks its progress on the DOM so that a test can wait for it:
 * `section[data-spec]` gets `data-render-state="ok" | "error"`, and `<body>` gets
 * `data-figures-state="done"` plus `data-figures-rendered="<count>"` once every figure settled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SITE_ASSETS } from "./assets.ts";
 * const dir = await Deno.makeTempDir();
 * for (const [name, text] of Object.entries(SITE_ASSETS)) {
 *   await Deno.writeTextFile(`${dir}/${name}`, text);
 * }
 * assert.match(await Deno.readTextFile(`${dir}/site.css`), /font-face/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

/** Style sheet (`site.css`). DejaVu Sans is shipped in `vendor/` so text matches the PNGs. */
export const SITE_CSS = `@font-face {
  font-family: "DejaVu Sans";
  src: url("vendor/DejaVuSans.ttf") format("truetype");
  font-weight: normal;
  font-display: swap;
}
@font-face {
  font-family: "DejaVu Sans";
  src: url("vendor/DejaVuSans-Bold.ttf") format("truetype");
  font-weight: bold;
  font-display: swap;
}
:root {
  --ink: #1d232b;
  --muted: #5b6570;
  --line: #d9dee4;
  --paper: #ffffff;
  --tint: #f4f6f8;
  --accent: #2f6ea6;
  --warn-bg: #fff6e0;
  --warn-line: #e0b44a;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  color: var(--ink);
  background: var(--tint);
  font: 15px/1.55 "DejaVu Sans", Helvetica, Arial, sans-serif;
}
a { color: var(--accent); }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
.site-header, main, .site-footer { max-width: 1360px; margin: 0 auto; padding: 0 24px; }
.site-header { padding-top: 20px; padding-bottom: 8px; }
.site-header h1 { margin: 4px 0 6px; font-size: 26px; }
.site-header p { margin: 4px 0; color: var(--muted); max-width: 900px; }
.crumbs { font-size: 14px; }
.citation { font-style: italic; }
.toc ul { margin: 8px 0; padding-left: 20px; }
.site-footer { color: var(--muted); font-size: 13px; padding-top: 12px; padding-bottom: 32px; }
.notice {
  background: var(--warn-bg);
  border: 1px solid var(--warn-line);
  border-radius: 6px;
  padding: 10px 14px;
  margin: 16px 0;
}
.paper-card, .figure {
  background: var(--paper);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 16px 20px;
  margin: 18px 0;
}
.paper-card h2 { margin: 0 0 4px; font-size: 21px; }
.paper-card .citation { margin: 0 0 12px; color: var(--muted); }
.cards {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
  gap: 14px;
}
.card {
  display: block;
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 10px;
  text-decoration: none;
  color: var(--ink);
  background: var(--paper);
}
.card:hover { border-color: var(--accent); }
.card img { width: 100%; height: 170px; object-fit: contain; background: #fff; }
.card .card-title { display: block; font-weight: bold; margin-top: 6px; }
.card .card-error { display: block; color: var(--muted); font-size: 13px; }
.card.missing { background: var(--warn-bg); border-color: var(--warn-line); }
.figure h2 { margin: 0 0 10px; font-size: 20px; }
.figure h3 { margin: 16px 0 6px; font-size: 15px; }
.figure-view { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.figure-fallback { display: block; max-width: none; }
.figure-fallback[hidden] { display: none; }
.figure-note { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
.figure-note:empty { display: none; }
.caption { max-width: 1000px; }
.caption p { margin: 10px 0; }
.caption .label { font-weight: bold; }
table.theory { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
table.theory caption { text-align: left; font-weight: bold; padding-bottom: 4px; white-space: nowrap; }
table.theory th, table.theory td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; }
table.theory td { font-variant-numeric: tabular-nums; font-family: "DejaVu Sans Mono", monospace; }
table.theory thead th { background: var(--tint); }
table.theory tr.headline th, table.theory tr.headline td { font-weight: bold; }
.no-theory { color: var(--muted); }
pre.command { background: var(--tint); border: 1px solid var(--line); border-radius: 4px; padding: 8px 12px; overflow-x: auto; }
.files a { margin-right: 4px; }
details { margin-top: 10px; }
details pre { background: var(--tint); padding: 8px 12px; overflow-x: auto; max-height: 360px; }
.warnings { color: #8a5a00; }
pre.docs-page { white-space: pre-wrap; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
`;

/** Client script (`site.js`): fetch each spec, embed it as SVG, hide the static fallback. */
export const SITE_JS =
  `// ufmlab figure site: replaces each static SVG by the interactive vega-embed view.
"use strict";
(() => {
  const sections = Array.from(document.querySelectorAll("section[data-spec]"));
  document.body.dataset.figuresTotal = String(sections.length);
  // Vega measures text on a canvas: load the page font first so labels are sized for it.
  const fontsReady = document.fonts
    ? Promise.all([
      document.fonts.load('11px "DejaVu Sans"'),
      document.fonts.load('bold 11px "DejaVu Sans"'),
    ]).catch(() => undefined)
    : Promise.resolve();
  let rendered = 0;
  const embedOne = async (section) => {
    const view = section.querySelector(".figure-embed");
    const fallback = section.querySelector(".figure-fallback");
    const note = section.querySelector(".figure-note");
    try {
      if (typeof vegaEmbed !== "function") throw new Error("vega-embed did not load");
      const response = await fetch(section.dataset.spec);
      if (!response.ok) throw new Error(section.dataset.spec + ": HTTP " + response.status);
      const spec = await response.json();
      await fontsReady;
      await vegaEmbed(view, spec, {
        renderer: "svg",
        actions: { export: true, source: true, compiled: false, editor: false },
      });
      if (fallback) fallback.hidden = true;
      section.dataset.renderState = "ok";
      rendered += 1;
    } catch (error) {
      section.dataset.renderState = "error";
      if (note) {
        note.textContent = "Interactive view unavailable (" + error.message +
          "); showing the static SVG. Serve the folder over HTTP, e.g. npx deno task serve.";
      }
      console.error("figure " + section.id + ": " + error.message);
    }
  };
  Promise.all(sections.map(embedOne)).then(() => {
    document.body.dataset.figuresRendered = String(rendered);
    document.body.dataset.figuresState = "done";
  });
})();
`;

/** Site icon (`favicon.svg`): a simplex ETF, three unit vectors 120° apart. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#2f6ea6"/>
<g stroke="#fff" stroke-width="2.5" stroke-linecap="round">
<line x1="16" y1="18" x2="16" y2="5"/><line x1="16" y1="18" x2="27.3" y2="24.5"/>
<line x1="16" y1="18" x2="4.7" y2="24.5"/>
</g>
</svg>
`;

/** Every asset by file name, as written into the site folder. */
export const SITE_ASSETS: Readonly<Record<string, string>> = {
  "site.css": SITE_CSS,
  "site.js": SITE_JS,
  "favicon.svg": FAVICON_SVG,
  // GitHub Pages: serve the folder as-is (no Jekyll processing).
  ".nojekyll": "",
};
