/**
 * Matrix products on the WASM core: `C ← alpha·op(A)·op(B) + beta·C`, where op is the
 * identity or the transpose. Transposes cost nothing: they only swap the strides that the
 * kernel's packing step reads.
 *
 * @example
 * ```ts
 * import { Matrix } from "./matrix.ts";
 * import { gemm } from "./gemm.ts";
 * const a = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6]);
 * const c = Matrix.zeros(2, 2);
 * gemm(c, a, a, { transB: true }); // c = a·aᵀ = [[14, 32], [32, 77]]
 * ```
 * @module
 */
import { coreKernel, type GemmKernel } from "./core/wasm.ts";
import type { Matrix } from "./matrix.ts";

/** Options of {@link gemm}. */
export interface GemmOptions {
  /** Use Aᵀ instead of A. */
  transA?: boolean;
  /** Use Bᵀ instead of B. */
  transB?: boolean;
  /** Scale of the product (default 1). */
  alpha?: number;
  /** Scale of the previous C (default 0: C is overwritten). */
  beta?: number;
  /** `simd` (default) or the scalar `reference` kernel. */
  kernel?: "simd" | "reference";
}

/** C ← alpha·op(A)·op(B) + beta·C. All three matrices must share one dtype. */
export function gemm(c: Matrix, a: Matrix, b: Matrix, options: GemmOptions = {}): void {
  const { transA = false, transB = false, alpha = 1, beta = 0, kernel = "simd" } = options;
  if (a.dtype !== c.dtype || b.dtype !== c.dtype) {
    throw new TypeError(`gemm: mixed element types ${a.dtype}, ${b.dtype} -> ${c.dtype}`);
  }
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kB = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kB || c.rows !== m || c.cols !== n) {
    throw new RangeError(
      `gemm: shapes do not match: op(A) ${m}×${k}, op(B) ${kB}×${n}, C ${c.rows}×${c.cols}`,
    );
  }
  // Row-major A: element (i, p) at i·cols + p. Transposing swaps the two strides.
  const [rsa, csa] = transA ? [1, a.cols] : [a.cols, 1];
  const [rsb, csb] = transB ? [1, b.cols] : [b.cols, 1];
  coreKernel<GemmKernel>("gemm", c.dtype, kernel)(
    m,
    n,
    k,
    alpha,
    a.ptr,
    rsa,
    csa,
    b.ptr,
    rsb,
    csb,
    beta,
    c.ptr,
    c.cols,
  );
}
