/**
 * Loads the ufmlab WebAssembly core (building it first if `core-as/` changed) and types its
 * exports. All kernels take byte addresses into `core.memory`; use {@link Matrix} rather than
 * raw addresses.
 *
 * @example
 * ```ts
 * import { core } from "./wasm.ts";
 * const ptr: number = core.alloc(8 * 4);
 * core.free(ptr);
 * ```
 * @module
 */
import { ensureCoreBuilt } from "./build.ts";

/** Signature shared by every matrix-product kernel: C = alpha·A·B + beta·C (C row-major). */
export type GemmKernel = (
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  rowStrideA: number,
  colStrideA: number,
  b: number,
  rowStrideB: number,
  colStrideB: number,
  beta: number,
  c: number,
  ldc: number,
) => void;

/** The exports of `core-as` (see core-as/assembly/index.ts for each kernel's contract). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  gemm_f64: GemmKernel;
  gemm_f32: GemmKernel;
  gemm_ref_f64: GemmKernel;
  gemm_ref_f32: GemmKernel;
  [kernel: string]: unknown;
}

async function loadCore(): Promise<CoreExports> {
  const path = await ensureCoreBuilt();
  const module = await WebAssembly.compile(await Deno.readFile(path));
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`ufmlab core aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as CoreExports;
}

/** The single core instance of this process (one per Worker). */
export const core: CoreExports = await loadCore();
