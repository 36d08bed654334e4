/**
 * Typed wrappers of the dense-layer kernels (core-as/assembly/nn.ts): bias broadcast with an
 * optional ReLU, the ReLU backward mask fused with the bias gradient (row sums), scaling and
 * sums of squares. Matrices hold features as rows and samples as columns (d×B), as everywhere in
 * lib/nn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { biasAct, maskRowSums } from "./kernels.ts";
 * const z = Matrix.from(2, 2, [1, -3, -1, 2]);
 * biasAct(z, Matrix.from(2, 1, [1, 0]), true);
 * assert.deepEqual(z.toRows(), [[2, 0], [0, 2]]);
 * const grad = Matrix.from(2, 2, [1, 1, 1, 1]);
 * const biasGrad = Matrix.zeros(2, 1);
 * maskRowSums(grad, z, biasGrad);
 * assert.deepEqual(grad.toRows(), [[1, 0], [0, 1]]);
 * assert.deepEqual(biasGrad.toRows(), [[1], [1]]);
 * ```
 * @module
 */
import {
  type BiasActKernel,
  coreKernel,
  type MaskRowSumsKernel,
  type ScaleKernel,
  type SumSqKernel,
} from "../core/wasm.ts";
import type { Matrix } from "../matrix.ts";

/** SIMD kernels (default) or their scalar references. */
export type NnKernel = "simd" | "reference";

function pick<T>(m: Matrix, kernel: NnKernel, name: string): T {
  return coreKernel<T>(name, m.dtype, kernel);
}

function checkVector(v: Matrix, length: number, dtype: string, what: string): void {
  if (v.size !== length || v.dtype !== dtype) {
    throw new RangeError(`${what}: expected ${length} ${dtype} values, got ${v.size} ${v.dtype}`);
  }
}

/** z ← act(z + b·1ᵀ) in place; `bias` (d values) may be null; act = ReLU if `relu`. */
export function biasAct(
  z: Matrix,
  bias: Matrix | null,
  relu: boolean,
  kernel: NnKernel = "simd",
): void {
  if (bias !== null) checkVector(bias, z.rows, z.dtype, "biasAct bias");
  pick<BiasActKernel>(z, kernel, "bias_act")(z.ptr, z.rows, z.cols, bias?.ptr ?? 0, relu ? 1 : 0);
}

/**
 * Backward through a ReLU and a bias: grad ← grad ⊙ [post > 0] (skipped if `post` is null;
 * `post` is the ReLU output, positive exactly where the pre-activation is), then
 * rowSums ← grad·1 (skipped if null).
 */
export function maskRowSums(
  grad: Matrix,
  post: Matrix | null,
  rowSums: Matrix | null,
  kernel: NnKernel = "simd",
): void {
  if (post !== null && (post.rows !== grad.rows || post.cols !== grad.cols)) {
    throw new RangeError(
      `maskRowSums: grad ${grad.rows}×${grad.cols} vs post ${post.rows}×${post.cols}`,
    );
  }
  if (post !== null && post.dtype !== grad.dtype) throw new TypeError("maskRowSums: mixed dtypes");
  if (rowSums !== null) checkVector(rowSums, grad.rows, grad.dtype, "maskRowSums rowSums");
  pick<MaskRowSumsKernel>(grad, kernel, "mask_row_sums")(
    grad.ptr,
    post?.ptr ?? 0,
    grad.rows,
    grad.cols,
    rowSums?.ptr ?? 0,
  );
}

/** x ← factor·x in place. */
export function scaleInPlace(x: Matrix, factor: number, kernel: NnKernel = "simd"): void {
  pick<ScaleKernel>(x, kernel, "scale")(x.ptr, x.size, factor);
}

/** Σ x², accumulated in f64. */
export function sumSquares(x: Matrix, kernel: NnKernel = "simd"): number {
  return pick<SumSqKernel>(x, kernel, "sum_sq")(x.ptr, x.size);
}
