/**
 * The browser's side of the core seam (lib/core/source.ts): the explorer's worker bundle maps
 * lib/core/source.ts to this module (lib/explore/import_map.json), so lib/core/wasm.ts — and
 * everything above it — runs unchanged on the `single` build of the same core-as sources
 * (lib/core/build.ts), fetched from beside the bundle and instantiated on an unshared memory: a
 * static page without cross-origin isolation cannot create a shared one. No thread pool is
 * started (lib/core/threads.ts is not in the bundle), so kernels run as with `--threads 1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CORE_WASM_FILE } from "./core_source.ts";
 * assert.equal(CORE_WASM_FILE, "ufmlab-core.wasm");
 * ```
 * @module
 */
import { memoryPages } from "../core/imports.ts";
import type { CoreSource } from "../core/source.ts";

/** File name of the `single` core build next to the worker bundle. */
export const CORE_WASM_FILE = "ufmlab-core.wasm";

/** Fetches and compiles the core from beside this bundle; a fresh unshared memory for it. */
export async function loadCoreSource(): Promise<CoreSource> {
  const url = new URL(CORE_WASM_FILE, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`could not load the solver core ${url.pathname}: HTTP ${response.status}`);
  }
  // compile, not compileStreaming: static hosts do not all serve .wasm as application/wasm.
  const module = await WebAssembly.compile(await response.arrayBuffer());
  const memory = new WebAssembly.Memory({
    initial: memoryPages.initial,
    maximum: memoryPages.maximum,
  });
  return { module, memory };
}
