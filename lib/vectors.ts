/**
 * Level-1 operations on f64 vectors held as {@link Matrix} storage in the WASM core: dot
 * products and y ← y + α·x (SIMD kernels of core-as/assembly/vectors.ts, scalar references
 * beside them). The L-BFGS two-loop recursion and Lanczos reorthogonalization run on these:
 * their vectors are as long as the parameter vector and, at small K, cost more than the
 * objective's gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { axpy, dot } from "./vectors.ts";
 * const x = Matrix.from(1, 3, [1, 2, 3]);
 * const y = Matrix.from(1, 3, [1, 1, 1]);
 * assert.equal(dot(x, y), 6);
 * axpy(2, x, y); // y ← y + 2x
 * assert.deepEqual(Array.from(y.data), [3, 5, 7]);
 * x.free();
 * y.free();
 * ```
 * @module
 */
import {
  type AxpyKernel,
  coreKernel,
  type DotKernel,
  type GemmKernel,
  type ScaleKernel,
} from "./core/wasm.ts";
import type { KernelChoice } from "./losses.ts";
import type { Matrix } from "./matrix.ts";

// Resolved once: these run thousands of times per Lanczos run, on short vectors.
const dotKernels = {
  simd: coreKernel<DotKernel>("dot", "f64", "simd"),
  reference: coreKernel<DotKernel>("dot", "f64", "reference"),
};
const axpyKernels = {
  simd: coreKernel<AxpyKernel>("axpy", "f64", "simd"),
  reference: coreKernel<AxpyKernel>("axpy", "f64", "reference"),
};
const scaleKernels = {
  simd: coreKernel<ScaleKernel>("scale", "f64", "simd"),
  reference: coreKernel<ScaleKernel>("scale", "f64", "reference"),
};

function checkPair(a: Matrix, b: Matrix, what: string): void {
  if (a.dtype !== "f64" || b.dtype !== "f64") throw new Error(`${what}: f64 vectors only`);
  if (a.size !== b.size) throw new Error(`${what}: sizes ${a.size} and ${b.size} differ`);
}

/**
 * Σ a[i]·b[i] over every element (any shapes of equal size, f64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const a = Matrix.from(2, 2, [1, 2, 3, 4]);
 * assert.equal(dot(a, a), 30);
 * assert.equal(dot(a, a, "reference"), 30);
 * a.free();
 * ```
 */
export function dot(a: Matrix, b: Matrix, kernel: KernelChoice = "simd"): number {
  checkPair(a, b, "dot");
  return dotKernels[kernel](a.ptr, b.ptr, a.size);
}

/**
 * y ← y + alpha·x over every element (any shapes of equal size, f64); the SIMD kernel rounds
 * exactly as the scalar reference (one multiplication, one addition per element).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const x = Matrix.from(1, 2, [1, -1]), y = Matrix.from(1, 2, [0.5, 0.5]);
 * axpy(-0.5, x, y);
 * assert.deepEqual(Array.from(y.data), [0, 1]);
 * x.free();
 * y.free();
 * ```
 */
export function axpy(alpha: number, x: Matrix, y: Matrix, kernel: KernelChoice = "simd"): void {
  checkPair(x, y, "axpy");
  axpyKernels[kernel](alpha, x.ptr, y.ptr, x.size);
}

/**
 * The Euclidean norm √(Σ x[i]²) (f64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const x = Matrix.from(1, 2, [3, 4]);
 * assert.equal(norm(x), 5);
 * x.free();
 * ```
 */
export function norm(x: Matrix, kernel: KernelChoice = "simd"): number {
  return Math.sqrt(dot(x, x, kernel));
}

/**
 * x ← factor·x over every element (f64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const x = Matrix.from(1, 2, [3, -4]);
 * scale(x, -0.5);
 * assert.deepEqual(Array.from(x.data), [-1.5, 2]);
 * x.free();
 * ```
 */
export function scale(x: Matrix, factor: number, kernel: KernelChoice = "simd"): void {
  if (x.dtype !== "f64") throw new Error("scale: f64 vectors only");
  scaleKernels[kernel](x.ptr, x.size, factor);
}

/**
 * One classical Gram–Schmidt pass: w ← w − Bᵀ(B·w) over the first `rows` rows of `basis`
 * (orthonormal rows of length w.size), as two matrix–vector products on the gemm kernel.
 * `coefficients` (at least `rows` elements) receives B·w. Run it twice for orthogonality to
 * working precision ("twice is enough", Giraud et al. 2005).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const basis = Matrix.from(2, 3, [1, 0, 0, 0, 1, 0]);
 * const w = Matrix.from(1, 3, [2, 3, 4]);
 * const coefficients = Matrix.zeros(1, 2);
 * orthogonalizeAgainst(w, basis, 2, coefficients);
 * assert.deepEqual(Array.from(w.data), [0, 0, 4]);
 * assert.deepEqual(Array.from(coefficients.data), [2, 3]);
 * for (const m of [basis, w, coefficients]) m.free();
 * ```
 */
export function orthogonalizeAgainst(
  w: Matrix,
  basis: Matrix,
  rows: number,
  coefficients: Matrix,
  kernel: KernelChoice = "simd",
): void {
  const P = w.size;
  if (basis.dtype !== "f64" || w.dtype !== "f64" || coefficients.dtype !== "f64") {
    throw new Error("orthogonalizeAgainst: f64 only");
  }
  if (basis.cols !== P || rows > basis.rows || coefficients.size < rows) {
    throw new Error(
      `orthogonalizeAgainst: basis ${basis.rows}×${basis.cols}, ${rows} rows, vector ${P}, ` +
        `${coefficients.size} coefficients`,
    );
  }
  if (rows === 0) return;
  const gemm = coreKernel<GemmKernel>("gemm", "f64", kernel);
  // c (rows×1) = B (rows×P) · w (P×1)
  gemm(rows, 1, P, 1, basis.ptr, P, 1, w.ptr, 1, 1, 0, coefficients.ptr, 1);
  // w (1×P) = w − cᵀ (1×rows) · B (rows×P)
  gemm(1, P, rows, -1, coefficients.ptr, rows, 1, basis.ptr, P, 1, 1, w.ptr, P);
}
