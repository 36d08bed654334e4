/**
 * The theory-vs-measured table of a figure section: one row per named error of
 * `meta.theoryErrors` (each the largest |solver − closed form| of that quantity over the
 * figure's runs), the headline `maxTheoryError` marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { theoryTableHtml } from "./theory_table.ts";
 * const html = theoryTableHtml({ theoryErrors: { objective: 2.5e-7 }, maxTheoryError: 2.5e-7 });
 * assert.match(html, /objective/);
 * assert.match(html, /2\.50e-7/);
 * ```
 * @module
 */
import { escapeHtml } from "./escape.ts";

/**
 * An error for the table: `0` as "0", otherwise 3 significant digits in exponent form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatError(2.5469e-7), "2.55e-7");
 * ```
 */
export function formatError(value: number): string {
  return value === 0 ? "0" : value.toExponential(2);
}

/** The meta fields the table reads. */
export interface TheoryErrors {
  /** Named max |solver − theory| errors. */
  theoryErrors: Record<string, number>;
  /** Headline error, or null. */
  maxTheoryError: number | null;
}

/**
 * The table as HTML, or a one-line note when the figure has no closed form to compare with.
 * Names are shown with `_` as spaces (`final_nc_distance` → "final nc distance"). A headline
 * error that is not one of the named errors gets its own "headline" row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(theoryTableHtml({ theoryErrors: {}, maxTheoryError: null }), /No closed form/);
 * ```
 */
export function theoryTableHtml(meta: TheoryErrors): string {
  const entries = Object.entries(meta.theoryErrors);
  const headline = meta.maxTheoryError;
  if (entries.length === 0 && headline === null) {
    return `<p class="no-theory">No closed form to compare with: this figure is checked ` +
      `against the paper's qualitative claim only.</p>`;
  }
  const rows = entries.map(([name, value]) => {
    const isHeadline = headline !== null && value === headline;
    return `<tr${isHeadline ? ' class="headline"' : ""}><th scope="row">${
      escapeHtml(name.replaceAll("_", " "))
    }</th><td>${formatError(value)}</td></tr>`;
  });
  if (headline !== null && !entries.some(([, value]) => value === headline)) {
    rows.push(
      `<tr class="headline"><th scope="row">headline</th><td>${formatError(headline)}</td></tr>`,
    );
  }
  return [
    `<table class="theory">`,
    `<caption>Theory vs measured: largest |ufmlab − closed form|</caption>`,
    `<thead><tr><th scope="col">quantity</th><th scope="col">max |error|</th></tr></thead>`,
    `<tbody>${rows.join("")}</tbody>`,
    `</table>`,
  ].join("\n");
}
