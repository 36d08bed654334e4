/**
 * The imports of the core module: its (shared) memory and the abort handler. Kept apart from
 * wasm.ts so that thread workers (threads.ts) can instantiate the module without loading a core
 * of their own.
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
