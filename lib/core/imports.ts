/**
 * The imports of the core module: its memory (shared in Deno, unshared in the browser) and the
 * abort handler, and the memory's size. Kept apart from wasm.ts so that thread workers
 * (threads.ts) and the browser loader (lib/explore/core_source.ts) can use them without loading
 * a core of their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coreImports } from "./imports.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
 * assert.equal((coreImports(memory).env as { memory: unknown }).memory, memory);
 * ```
 * @module
 */

/**
 * Initial and maximum memory of the core in 64 KiB pages (its `--initialMemory` and
 * `--maximumMemory` flags, lib/core/build.ts; the maximum, 4 GiB, is the 32-bit limit).
 */
export const memoryPages: { initial: number; maximum: number } = {
  initial: 64,
  maximum: 65536,
};

/** `env.memory` and `env.abort` for an instance of the core on `memory`. */
export function coreImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`ufmlab core aborted at ${line}:${column}`);
      },
    },
  };
}
