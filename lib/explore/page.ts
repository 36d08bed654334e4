/**
 * The explorer page (`explore.html`) and its style sheet: the static frame the page script
 * (lib/explore/app.ts) fills — an empty form it builds from the registry, the run controls, the
 * message line, progress, the reproducing command, the views and the numbers. The page wraps
 * it in the site's head and footer (lib/site/templates.ts `pageHtml`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPLORE_CSS, explorePageBody } from "./page.ts";
 * const body = explorePageBody();
 * assert.match(body, /id="explore-form"/);
 * assert.match(body, /href="index.html"/);
 * assert.match(EXPLORE_CSS, /\.explore-controls/);
 * ```
 * @module
 */

/** Scripts of the explorer page, in load order: the vega globals, then the page script. */
export const EXPLORE_SCRIPTS: readonly string[] = [
  "vendor/vega.min.js",
  "vendor/vega-lite.min.js",
  "vendor/vega-embed.min.js",
  "explore/app.js",
];

/** The page's own style sheet (next to the site's `site.css`). */
export const EXPLORE_STYLESHEET = "explore/explore.css";

/** The body of `explore.html` (header, form frame, results frame). */
export function explorePageBody(): string {
  return `<header class="site-header">
<nav class="crumbs"><a href="index.html">← all figures</a></nav>
<h1>UFM explorer</h1>
<p>Solve an unconstrained features model in your browser — the same WebAssembly solver, model
registry, closed forms and NC metrics as <code>npx deno task solve</code>, running in a Web
Worker — and watch the class means and the classifier collapse onto the geometry the theory
predicts. The settings live in the address bar (one key per <code>solve</code> flag, without
the dashes), so a link reproduces a run; every setting is checked by the same parser as the
command line. What each view shows: <code>docs/explorer.md</code> in the repository.</p>
</header>
<main class="explore">
<form id="explore-form" class="explore-controls" novalidate>
<div id="explore-fields"></div>
<div class="explore-buttons">
<button type="submit" id="explore-run" disabled>Run</button>
<button type="button" id="explore-stop" disabled>Stop</button>
</div>
<div class="explore-buttons explore-export">Export the run:
<button type="button" id="explore-export-csv" disabled>CSV</button>
<button type="button" id="explore-export-spec" disabled>Vega-Lite spec</button>
</div>
<p class="explore-hint">Hover a label for the flag's help text. Fields a model, loss or
optimizer does not use are hidden.</p>
</form>
<section class="explore-results" aria-live="polite">
<p id="explore-message" class="explore-message" role="alert" hidden></p>
<div class="explore-progress"><progress id="explore-progress" max="1" value="0"></progress>
<span id="explore-status">This page needs JavaScript and WebAssembly.</span></div>
<div class="explore-command-box">
<pre class="command"><code id="explore-command">npx deno task solve</code></pre>
<a id="explore-share" href="explore.html">link to this run</a>
</div>
<div id="explore-trace" class="explore-view"></div>
<div id="explore-numbers"></div>
<div id="explore-cosines" class="explore-view"></div>
<div id="explore-projection" class="explore-view"></div>
<p id="explore-geometry-note" class="explore-note"></p>
<details><summary>Full report (what <code>npx deno task solve</code> prints)</summary>
<pre id="explore-report"></pre></details>
</section>
</main>`;
}

/** Layout of the explorer page (colors and fonts come from the site's `site.css`). */
export const EXPLORE_CSS = `/* ufmlab explorer: form on the left, views on the right. */
main.explore {
  display: grid;
  grid-template-columns: 310px minmax(0, 1fr);
  gap: 20px;
  align-items: start;
}
@media (max-width: 900px) { main.explore { grid-template-columns: minmax(0, 1fr); } }
.explore-controls {
  background: var(--paper);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 10px 14px;
}
.explore-controls fieldset { border: 0; border-top: 1px solid var(--line); margin: 6px 0 0; padding: 4px 0; }
.explore-controls legend { font-weight: bold; font-size: 13px; color: var(--muted); padding: 0 4px 0 0; }
.explore-controls .field { display: grid; grid-template-columns: 1fr 120px; gap: 6px; align-items: center; margin: 3px 0; }
.explore-controls .field[hidden] { display: none; }
.explore-controls .field[data-flag="model"] { grid-template-columns: 1fr; }
.explore-controls .field-note { font-size: 12px; color: var(--muted); margin: 0 0 2px; line-height: 1.3; }
.explore-controls .field-note:empty { display: none; }
.explore-controls label { font-size: 13px; line-height: 1.25; }
.explore-controls label code { color: var(--muted); font-size: 11px; }
.explore-controls input, .explore-controls select {
  font: inherit; font-size: 13px; width: 100%; padding: 2px 4px;
  border: 1px solid var(--line); border-radius: 4px; background: #fff;
}
.explore-controls .field.invalid input, .explore-controls .field.invalid select {
  border-color: #c0392b; background: #fdf0ee;
}
.explore-buttons { display: flex; gap: 8px; align-items: center; margin: 10px 0 4px; flex-wrap: wrap; font-size: 13px; }
.explore-buttons button { font: inherit; padding: 4px 14px; border-radius: 4px; border: 1px solid var(--line); background: var(--tint); cursor: pointer; }
.explore-buttons button[type="submit"] { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: bold; }
.explore-buttons button:disabled { opacity: 0.5; cursor: default; }
.explore-hint { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.explore-results { min-width: 0; }
.explore-message {
  margin: 0 0 10px; padding: 8px 12px; border-radius: 6px;
  background: #fdf0ee; border: 1px solid #e3a89f; color: #7a1e12; font-weight: bold;
}
.explore-message[data-kind="warning"] { background: var(--warn-bg); border-color: var(--warn-line); color: #6b4a00; font-weight: normal; }
.explore-progress { display: flex; gap: 10px; align-items: center; font-size: 13px; color: var(--muted); }
.explore-progress progress { width: 180px; flex: none; }
.explore-command-box { display: flex; gap: 10px; align-items: center; }
.explore-command-box pre.command { flex: 1; margin: 8px 0; white-space: pre-wrap; word-break: break-all; }
.explore-command-box a { font-size: 13px; white-space: nowrap; }
.explore-view {
  background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px; margin: 12px 0; overflow-x: auto;
}
.explore-view:empty { display: none; }
.explore-view .vega-bindings { font-size: 13px; margin: 4px 0 0 8px; }
.explore-view .vega-bind { display: inline-block; margin-right: 18px; }
.explore-view .vega-bind input[type="range"] { vertical-align: middle; width: 160px; }
#explore-numbers .numbers { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
#explore-numbers h3 { margin: 8px 0 0; font-size: 15px; }
#explore-numbers table.theory th { font-weight: normal; }
#explore-report { font-size: 12px; }
.explore-note { font-size: 13px; color: var(--muted); margin: -4px 0 12px; }
.explore-note:empty { display: none; }
`;
