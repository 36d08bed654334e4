/**
 * SVG → PNG with resvg (Rust, compiled to WASM: `@resvg/resvg-wasm`). resvg has no built-in
 * fonts and this renderer never reads system fonts (CI machines may have none), so the DejaVu
 * Sans TTF files of the `dejavu-fonts-ttf` npm package are loaded explicitly: that is the first
 * family of the figures' `font-family` (lib/plot/write_figure.ts `FIGURE_FONT`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPngRenderer } from "./png_export.ts";
 * const render = await createPngRenderer();
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">' +
 *   '<text x="2" y="15" font-family="DejaVu Sans">A1</text></svg>';
 * const { png, width, height } = render(svg);
 * assert.deepEqual([width, height], [80, 40]); // zoom 2
 * assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]); // "PNG"
 * ```
 * @module
 */
import { join } from "node:path";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { defaultNodeModulesDir } from "./vendor.ts";

/** Font files (below node_modules) loaded into resvg: DejaVu Sans in its four styles. */
export const PNG_FONT_FILES: readonly string[] = [
  "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
  "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf",
  "dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf",
  "dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf",
];

/** Default scale of the PNG relative to the SVG's size (2 = sharp on high-density screens). */
export const DEFAULT_PNG_ZOOM = 2;

/** Options for {@link createPngRenderer}. */
export interface PngRendererOptions {
  /** Where `@resvg/resvg-wasm` and `dejavu-fonts-ttf` are installed. Default: `<repo>/node_modules`. */
  nodeModulesDir?: string;
  /** Output scale; default {@link DEFAULT_PNG_ZOOM}. */
  zoom?: number;
}

/** One rendered image. */
export interface RenderedPng {
  /** PNG file bytes. */
  png: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

// The WASM module can be initialized once per process; later renderers reuse it.
let wasmReady: Promise<void> | null = null;

function initResvg(nodeModulesDir: string): Promise<void> {
  wasmReady ??= Deno.readFile(join(nodeModulesDir, "@resvg/resvg-wasm/index_bg.wasm"))
    .then((bytes) => initWasm(bytes))
    .catch((error) => {
      wasmReady = null;
      throw new Error(`cannot load resvg: ${(error as Error).message} (run \`npm ci\`)`);
    });
  return wasmReady;
}

/**
 * Loads resvg and the fonts once and returns a synchronous SVG → PNG function. Text in any
 * family is drawn with DejaVu Sans (it is also the default, sans-serif and serif family).
 *
 * @throws {Error} if the WASM file or a font file is missing (run `npm ci`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const render = await createPngRenderer({ zoom: 1 });
 * assert.equal(render('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>').width, 10);
 * ```
 */
export async function createPngRenderer(
  options: PngRendererOptions = {},
): Promise<(svg: string) => RenderedPng> {
  const nodeModulesDir = options.nodeModulesDir ?? defaultNodeModulesDir();
  const zoom = options.zoom ?? DEFAULT_PNG_ZOOM;
  if (!Number.isFinite(zoom) || zoom <= 0) throw new Error(`PNG zoom must be > 0, got ${zoom}`);
  await initResvg(nodeModulesDir);
  const fontBuffers: Uint8Array[] = [];
  for (const file of PNG_FONT_FILES) {
    const path = join(nodeModulesDir, file);
    try {
      fontBuffers.push(await Deno.readFile(path));
    } catch (error) {
      throw new Error(`font ${path}: ${(error as Error).message} (run \`npm ci\`)`);
    }
  }
  return (svg: string): RenderedPng => {
    const resvg = new Resvg(svg, {
      font: {
        fontBuffers,
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
        serifFamily: "DejaVu Sans",
      },
      fitTo: { mode: "zoom", value: zoom },
    });
    try {
      const image = resvg.render();
      try {
        return { png: image.asPng(), width: image.width, height: image.height };
      } finally {
        image.free();
      }
    } finally {
      resvg.free();
    }
  };
}
