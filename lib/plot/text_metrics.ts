/**
 * Text widths for headless rendering. Without a canvas, Vega estimates every string as
 * 0.8 × font size per character — about 40% too wide for DejaVu Sans — and lays figures out by
 * that estimate: titles push the SVG wider than its plots (empty space on the right), and
 * labels are cut with "…" long before they reach their limit. {@link installTextMetrics} gives
 * Vega the real advance widths of DejaVu Sans, the font the figures name first and the PNG
 * export draws with (lib/site/png_export.ts), read from the font files of the `dejavu-fonts-ttf`
 * package (regular and bold; kerning is ignored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFontMetrics } from "./text_metrics.ts";
 * const regular = await loadFontMetrics("DejaVuSans.ttf");
 * assert.ok(regular !== null);
 * // DejaVu Sans: "i" is narrow, "M" wide, and both far below Vega's 0.8 em estimate.
 * assert.ok(regular.width("i", 10) < 3.5 && regular.width("M", 10) > 8);
 * assert.ok(regular.width("iiii", 10) < 0.8 * 4 * 10 / 2);
 * ```
 * @module
 */
import * as vega from "vega";

/** Advance widths of one font. */
export interface FontMetrics {
  /** Width in pixels of `text` at `fontSize` pixels. */
  width(text: string, fontSize: number): number;
}

/** Directory of the DejaVu TTF files (the `dejavu-fonts-ttf` npm package). */
const FONT_DIR = new URL("../../node_modules/dejavu-fonts-ttf/ttf/", import.meta.url);

/**
 * Reads the advance widths of a TrueType font of `FONT_DIR` (tables head, hhea, hmtx and the
 * Unicode BMP cmap, format 4), or null if the file is missing or not a font this reader knows.
 */
export async function loadFontMetrics(file: string): Promise<FontMetrics | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(new URL(file, FONT_DIR));
  } catch {
    return null;
  }
  try {
    return parseFont(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return null;
  }
}

function parseFont(view: DataView): FontMetrics | null {
  const tables = new Map<string, number>();
  const count = view.getUint16(4);
  for (let i = 0; i < count; i++) {
    const record = 12 + 16 * i;
    const tag = String.fromCharCode(
      ...[0, 1, 2, 3].map((k) => view.getUint8(record + k)),
    );
    tables.set(tag, view.getUint32(record + 8));
  }
  const head = tables.get("head"), hhea = tables.get("hhea");
  const hmtx = tables.get("hmtx"), cmap = tables.get("cmap");
  if (head === undefined || hhea === undefined || hmtx === undefined || cmap === undefined) {
    return null;
  }
  const unitsPerEm = view.getUint16(head + 18);
  const metricCount = view.getUint16(hhea + 34);
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, metricCount - 1));
  const subtable = unicodeSubtable(view, cmap);
  if (subtable === null) return null;
  const glyphOf = format4Lookup(view, subtable);
  const cache = new Map<number, number>();
  const unitWidth = (code: number): number => {
    let width = cache.get(code);
    if (width === undefined) {
      width = advance(glyphOf(code)) / unitsPerEm;
      cache.set(code, width);
    }
    return width;
  };
  return {
    width(text: string, fontSize: number): number {
      let total = 0;
      for (const char of text) total += unitWidth(char.codePointAt(0)!);
      return total * fontSize;
    },
  };
}

/** Offset of the format-4 Unicode BMP subtable of the cmap at `cmap`, or null. */
function unicodeSubtable(view: DataView, cmap: number): number | null {
  const count = view.getUint16(cmap + 2);
  for (let i = 0; i < count; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = view.getUint16(record), encoding = view.getUint16(record + 2);
    const offset = cmap + view.getUint32(record + 4);
    const unicode = (platform === 3 && encoding === 1) || platform === 0;
    if (unicode && view.getUint16(offset) === 4) return offset;
  }
  return null;
}

/** Code point → glyph index of a format-4 cmap subtable (0, the missing glyph, outside the BMP). */
function format4Lookup(view: DataView, table: number): (code: number) => number {
  const segments = view.getUint16(table + 6) / 2;
  const ends = table + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (code) => {
    if (code > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (code > view.getUint16(ends + 2 * s)) continue;
      const start = view.getUint16(starts + 2 * s);
      if (code < start) return 0;
      const delta = view.getInt16(deltas + 2 * s);
      const rangeOffset = view.getUint16(rangeOffsets + 2 * s);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = view.getUint16(rangeOffsets + 2 * s + rangeOffset + 2 * (code - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

/** A Vega text item, as far as its width goes. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

let installed: Promise<boolean> | null = null;

/**
 * Makes Vega measure text with DejaVu Sans (bold for bold text) instead of its estimate, once
 * per process. Resolves to false, leaving Vega's estimate, when the font files are missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await installTextMetrics(), true);
 * ```
 */
export function installTextMetrics(): Promise<boolean> {
  installed ??= Promise.all([
    loadFontMetrics("DejaVuSans.ttf"),
    loadFontMetrics("DejaVuSans-Bold.ttf"),
  ]).then(([regular, bold]) => {
    if (regular === null || bold === null) return false;
    // vega-scenegraph's documented hook for custom text measurement (vl-convert uses it too);
    // vega's type declarations do not list it.
    const { textMetrics: metrics } = vega as unknown as {
      textMetrics: { width: (item: TextItem, text: string) => number };
    };
    metrics.width = (item, text) => {
      const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
      const weight = item.fontWeight;
      const font = weight === "bold" || (typeof weight === "number" && weight >= 600)
        ? bold
        : regular;
      const width = font.width(String(text ?? "").trim(), size);
      // Vega truncates a text to `limit` (with an ellipsis) before drawing it.
      return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
    };
    return true;
  });
  return installed;
}
