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
import { core, coreKernel, type GemmKernel } from "./core/wasm.ts";
import { activeThreads, runParts } from "./core/threads.ts";
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
  const threads = kernel === "simd" ? activeThreads() : 1;
  if (threads > 1 && 2 * m * n * k >= PARALLEL_MIN_FLOPS && m > 0 && n > 0) {
    gemmThreaded(threads, m, n, k, alpha, a.ptr, rsa, csa, b.ptr, rsb, csb, beta, c, a.dtype);
    return;
  }
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

/**
 * Products below this many flops (2·m·n·k) stay on one thread: a part must outlast the
 * hand-over (a few µs) by far. 5·10⁵ flops is ~12 µs on one core.
 */
export const PARALLEL_MIN_FLOPS = 5e5;

/** Parts per thread of a split product. */
const PARTS_PER_THREAD = 2;

/**
 * The product split over `threads` threads (lib/core/threads.ts) by panels of C: column panels
 * (each thread packs its own columns of B) when C is at least as wide as it is tall, row panels
 * otherwise. Every part runs on the path chosen for the whole product, so every element is
 * computed exactly as by the undivided kernel: the result does not depend on the thread count.
 */
function gemmThreaded(
  threads: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  rsa: number,
  csa: number,
  b: number,
  rsb: number,
  csb: number,
  beta: number,
  c: Matrix,
  dtype: "f64" | "f32",
): void {
  const size = dtype === "f64" ? 8 : 4;
  const path = (core.gemm_path as (...args: number[]) => number)(m, n, k, csa, rsb);
  const ldc = c.cols;
  const parts: number[][] = [];
  // Twice as many parts as threads, each worth at least half the threshold: a thread that is
  // late (a loaded machine) leaves its parts to the others.
  const count = Math.max(
    1,
    Math.min(PARTS_PER_THREAD * threads, Math.floor(4 * m * n * k / PARALLEL_MIN_FLOPS)),
  );
  if (n >= m) {
    // Column panels, multiples of 8 columns (one f32 micro-tile, two f64 ones).
    const width = Math.ceil(n / count / 8) * 8;
    for (let j0 = 0; j0 < n; j0 += width) {
      const cols = Math.min(width, n - j0);
      parts.push([
        path,
        m,
        cols,
        k,
        alpha,
        a,
        rsa,
        csa,
        b + j0 * csb * size,
        rsb,
        csb,
        beta,
        c.ptr + j0 * size,
        ldc,
      ]);
    }
  } else {
    // Row panels, multiples of 4 rows (the micro-tile height).
    const height = Math.ceil(m / count / 4) * 4;
    for (let i0 = 0; i0 < m; i0 += height) {
      const rows = Math.min(height, m - i0);
      parts.push([
        path,
        rows,
        n,
        k,
        alpha,
        a + i0 * rsa * size,
        rsa,
        csa,
        b,
        rsb,
        csb,
        beta,
        c.ptr + i0 * ldc * size,
        ldc,
      ]);
    }
  }
  runParts(`gemm_part_${dtype}`, parts);
}
