/**
 * Where the core comes from: the one seam between Deno and the browser. In Deno (this module)
 * it is the `threads` build of core-as (compiled first if its sources changed, lib/core/build.ts)
 * on a shared memory, so that lib/core/threads.ts can add thread instances. The explorer's
 * browser bundle replaces this module — and only this one — by lib/explore/core_source.ts
 * (fetch the `single` build, unshared memory) through its import map
 * (lib/explore/import_map.json). wasm.ts instantiates whatever this returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCoreSource } from "./source.ts";
 * const { module, memory } = await loadCoreSource();
 * assert.ok(WebAssembly.Module.exports(module).some((entry) => entry.name === "gemm_f64"));
 * assert.ok(memory.buffer instanceof SharedArrayBuffer);
 * ```
 * @module
 */
import { ensureCoreBuilt } from "./build.ts";
import { memoryPages } from "./imports.ts";

/** A compiled core and the memory to instantiate it on. */
export interface CoreSource {
  /** The compiled core-as module. */
  module: WebAssembly.Module;
  /** Its memory (imported as `env.memory`). */
  memory: WebAssembly.Memory;
}

/** The `threads` build of the core and a fresh shared memory for it. */
export async function loadCoreSource(): Promise<CoreSource> {
  const path = await ensureCoreBuilt();
  const module = await WebAssembly.compile(await Deno.readFile(path));
  const memory = new WebAssembly.Memory({
    initial: memoryPages.initial,
    maximum: memoryPages.maximum,
    shared: true,
  });
  return { module, memory };
}
