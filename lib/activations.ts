/**
 * ReLU on matrices in core memory (SIMD kernels, core-as/assembly/activations.ts), shared by the
 * extended/deep UFM and network training.
 *
 * @example
 * ```ts
 * import { Matrix } from "./matrix.ts";
 * import { relu, reluBackward } from "./activations.ts";
 * const pre = Matrix.from(1, 3, [-1, 0.5, 2]);
 * const post = Matrix.zeros(1, 3);
 * relu(pre, post); // [0, 0.5, 2]
 * const grad = Matrix.from(1, 3, [1, 1, 1]);
 * reluBackward(grad, pre); // [0, 1, 1]
 * ```
 * @module
 */
import { core, type ReluKernel } from "./core/wasm.ts";
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
  const run =
    (x.dtype === "f64"
      ? (kernel === "simd" ? core.relu_f64 : core.relu_ref_f64)
      : (kernel === "simd" ? core.relu_f32 : core.relu_ref_f32)) as ReluKernel;
  run(x.ptr, out.ptr, x.size);
}

/** grad ← grad ⊙ [pre > 0] (backward through ReLU, in place). */
export function reluBackward(
  grad: Matrix,
  pre: Matrix,
  kernel: "simd" | "reference" = "simd",
): void {
  check(grad, pre, "reluBackward");
  const run =
    (grad.dtype === "f64"
      ? (kernel === "simd" ? core.relu_backward_f64 : core.relu_backward_ref_f64)
      : (kernel === "simd" ? core.relu_backward_f32 : core.relu_backward_ref_f32)) as ReluKernel;
  run(grad.ptr, pre.ptr, grad.size);
}
