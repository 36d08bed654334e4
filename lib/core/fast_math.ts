/**
 * Opt-in fast math: matrix products with relaxed-SIMD fused multiply-add (`gemm_fma_*` of
 * core-as/assembly/gemm.ts) instead of mul + add. Faster where the micro-kernels are bound by
 * arithmetic (measured in `deno task bench`), but `relaxed_madd` rounds once or twice depending
 * on the engine and the CPU: results are then not bitwise portable between machines (they stay
 * the same for every thread count on one machine). Off by default; scripts expose it as
 * `--fast-math` ({@link fastMathFlag}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fastMath, setFastMath } from "./fast_math.ts";
 * setFastMath(true);
 * assert.equal(fastMath(), true);
 * setFastMath(false);
 * ```
 * @module
 */
import type { FlagSpec } from "../flags.ts";

let enabled = false;

/** Turns fast math on or off for every later matrix product (SIMD kernels only). */
export function setFastMath(on: boolean): void {
  enabled = on;
}

/** Whether matrix products use fused multiply-add. */
export function fastMath(): boolean {
  return enabled;
}

/** The `--fast-math` option of scripts. */
export const fastMathFlag: FlagSpec = {
  type: "boolean",
  default: false,
  help: "matrix products with fused multiply-add (relaxed SIMD): faster, but results are not " +
    "bitwise portable across machines",
};
