/**
 * HTML escaping and relative links for the figure site. Every piece of text that comes from a
 * meta file (claim, measured, command, parameter names…) passes through {@link escapeHtml}, and
 * every link through {@link relativeHref}, so a figure's meta cannot inject markup or point the
 * site at another host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml, relativeHref } from "./escape.ts";
 * assert.equal(escapeHtml(`a < b & "c"`), "a &lt; b &amp; &quot;c&quot;");
 * assert.equal(relativeHref("A1 data.csv"), "A1%20data.csv");
 * ```
 * @module
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes `& < > " '` so `text` is safe both as element content and inside a double- or
 * single-quoted attribute value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(escapeHtml("<script>"), "&lt;script&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * Whether `name` is a plain file name inside the site folder: non-empty, no path separators,
 * not `.`/`..`, no control characters. Meta files name their data files; anything else is
 * refused rather than linked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isPlainFileName("A1.csv"), true);
 * assert.equal(isPlainFileName("../secret"), false);
 * ```
 */
export function isPlainFileName(name: string): boolean {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) return false;
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/**
 * A relative URL for a file of the site: each `/`-separated segment must be a plain file name
 * (see {@link isPlainFileName}) and is percent-encoded, so the result never has a scheme, a
 * leading `/`, or a `..` segment. An optional `#fragment` is kept (encoded).
 *
 * @throws {Error} for an empty segment, `.`/`..`, or control characters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(relativeHref("vendor/vega.min.js"), "vendor/vega.min.js");
 * assert.equal(relativeHref("paper-a.html#A1"), "paper-a.html#A1");
 * assert.throws(() => relativeHref("../up.html"), /not a relative site path/);
 * ```
 */
export function relativeHref(path: string): string {
  const hashAt = path.indexOf("#");
  const filePart = hashAt < 0 ? path : path.slice(0, hashAt);
  const fragment = hashAt < 0 ? "" : `#${encodeURIComponent(path.slice(hashAt + 1))}`;
  const segments = filePart.split("/");
  for (const segment of segments) {
    if (!isPlainFileName(segment)) {
      throw new Error(`not a relative site path: ${JSON.stringify(path)}`);
    }
  }
  return segments.map(encodeURIComponent).join("/") + fragment;
}
