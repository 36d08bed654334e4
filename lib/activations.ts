/**
 * ReLU on matrices in core memory (SIMD kernels, core-as/assembly/activations.ts), shared by the
 * extended/deep UFM and network training.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { relu, reluBackward } from "./activations.ts";
 * const pre = Matrix.from(1, 3, [-1, 0.5, 2]);
 * const post = Matrix.zeros(1, 3);
 * relu(pre, post);
 * assert.deepEqual(post.toRows(), [[0, 0.5, 2]]);
 * const grad = Matrix.from(1, 3, [1, 1, 1]);
 * reluBackward(grad, pre);
 * assert.deepEqual(grad.toRows(), [[0, 1, 1]]);
 * for (const m of [pre, post, grad]) m.free();
 * ```
 * @module
 */
import { coreKernel, type ReluKernel } from "./core/wasm.ts";
import type { Matrix } from "./matrix.ts";

function check(a: Matrix, b: Matrix, name: string): void {
  if (a.size !== b.size || a.dtype !== b.dtype) {
    throw new RangeError(
      `${name}: shapes/types differ (${a.rows}×${a.cols} ${a.dtype} vs ${b.rows}×${b.cols} ${b.dtype})`,
    );
  }
}

/** out ← max(x, 0) elementwise (out may be x). */
export function relu(x: Matrix, out: Matrix, kernel: "simd" | "reference" = "simd"): void {
  check(x, out, "relu");
  coreKernel<ReluKernel>("relu", x.dtype, kernel)(x.ptr, out.ptr, x.size);
}

/** grad ← grad ⊙ [pre > 0] (backward through ReLU, in place). */
export function reluBackward(
  grad: Matrix,
  pre: Matrix,
  kernel: "simd" | "reference" = "simd",
): void {
  check(grad, pre, "reluBackward");
  coreKernel<ReluKernel>("relu_backward", grad.dtype, kernel)(grad.ptr, pre.ptr, grad.size);
}
