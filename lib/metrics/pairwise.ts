/**
 * K×K quantities of class means and classifier rows without K×K memory, for any K.
 *
 * - Normalized-Gram distances dist(A·Bᵀ, T) = ‖A·Bᵀ/‖A·Bᵀ‖_F − T‖_F (docs/metrics.md#dist) of K×d
 *   matrices A, B. For K ≤ d + 1 the product is visited in blocks of rows computed by gemm and
 *   the distance sums (G_ij/s − T_ij)² elementwise, so a collapsed Gram gives 0 to rounding.
 *   For K > d + 1 everything comes from d×d matrices: with s² = ‖ABᵀ‖_F² = ⟨AᵀA, BᵀB⟩_F,
 *   dist² = 2 − 2⟨ABᵀ, T⟩/s, where ⟨ABᵀ, E_K⟩ = (Σ_k a_k·b_k − (Σ_k a_k)·(Σ_k b_k)/K)/√(K−1)
 *   and ⟨ABᵀ, I/√K⟩ = Σ_k a_k·b_k/√K (2Kd² flops instead of K²d). That form loses absolute
 *   accuracy near distance 0 (≈1e-8), which rank makes impossible there: ABᵀ has rank ≤ d < K−1,
 *   so its distance to either frame is at least √((K−1−d)/(K−1)) (Eckart–Young; 0.036 for
 *   K = d + 2 = 770) — far above the rounding.
 * - Pair statistics (cosines, CDNV, uniformity kernels) need every pair: one pass over the
 *   upper triangle of V·Vᵀ in blocks of rows (half the gemm of a full product).
 *
 * Blocks hold at most 2^22 values (32 MiB), so K = 10,000 classes never need the 800 MB Gram.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { productDistance } from "./pairwise.ts";
 * // Rows of the 3×3 identity: I·Iᵀ = I is an orthogonal frame, at √(2 − 2√(2/3)) from the ETF.
 * const identity = Matrix.from(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
 * assert.ok(productDistance(identity, identity, "of") < 1e-15);
 * assert.ok(Math.abs(productDistance(identity, identity, "etf") - 0.6058108931) < 1e-10);
 * identity.free();
 * ```
 * @module
 */
import { coreKernel, type GemmKernel } from "../core/wasm.ts";
import { gemm } from "../gemm.ts";
import { Matrix } from "../matrix.ts";

/** Target frame of a normalized-Gram distance. */
export type GramTarget = "etf" | "of";

/** Elements per block of rows of a product (32 MiB of f64). */
const BLOCK_ELEMENTS = 1 << 22;

/** Options of {@link forEachProductBlock}. */
export interface ProductBlockOptions {
  /** Rows per block (default: 2^22 / L, at least 1). */
  blockRows?: number;
  /**
   * Only the upper triangle of A·Aᵀ (b must be a): the block of rows first … first+rows−1
   * holds columns first … K−1 only (`columnStart` = first).
   */
  upper?: boolean;
}

/**
 * Calls `visit(block, first, rows, columnStart)` for consecutive blocks of rows of the product
 * A·Bᵀ: `block` holds rows first … first+rows−1 and columns columnStart … L−1 (L = b.rows),
 * row-major with row length L − columnStart; it is reused between calls. The rows of A and B
 * are read in place (gemm on offsets into core memory: nothing is copied).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const a = Matrix.from(3, 1, [1, 2, 3]);
 * const rows: number[][] = [];
 * forEachProductBlock(a, a, (block, first, count) => {
 *   for (let r = 0; r < count; r++) rows.push(Array.from(block.subarray(3 * r, 3 * r + 3)));
 * }, { blockRows: 2 });
 * assert.deepEqual(rows, [[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
 * a.free();
 * ```
 */
export function forEachProductBlock(
  a: Matrix,
  b: Matrix,
  visit: (block: Float64Array, first: number, rows: number, columnStart: number) => void,
  options: ProductBlockOptions = {},
): void {
  if (a.cols !== b.cols) {
    throw new RangeError(`forEachProductBlock: ${a.cols} vs ${b.cols} columns`);
  }
  if (options.upper && a !== b) throw new RangeError("forEachProductBlock: upper needs b = a");
  if (a.dtype !== "f64" || b.dtype !== "f64") throw new TypeError("forEachProductBlock: f64 only");
  const width = b.rows;
  const dim = a.cols;
  const blockRows = Math.min(
    a.rows,
    options.blockRows ?? Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, width))),
  );
  const kernel = coreKernel<GemmKernel>("gemm", "f64");
  const block = Matrix.zeros(blockRows, width);
  try {
    for (let first = 0; first < a.rows; first += blockRows) {
      const rows = Math.min(blockRows, a.rows - first);
      const columnStart = options.upper ? first : 0;
      const columns = width - columnStart;
      // C (rows × columns, ldc = columns) = A[first …] · B[columnStart …]ᵀ.
      kernel(
        rows,
        columns,
        dim,
        1,
        a.ptr + 8 * first * dim,
        dim,
        1,
        b.ptr + 8 * columnStart * dim,
        1,
        dim,
        0,
        block.ptr,
        columns,
      );
      visit(block.data.subarray(0, rows * columns) as Float64Array, first, rows, columnStart);
    }
  } finally {
    block.free();
  }
}

/**
 * ‖A·Bᵀ‖_F² by the cheaper of two exact routes: summing the squared entries of the K×L product
 * block by block (K·L·d flops), or ⟨AᵀA, BᵀB⟩_F from two d×d products (2(K+L)d² flops).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const a = Matrix.from(2, 2, [1, 2, 3, 4]);
 * assert.equal(productNormSquared(a, a), 5 * 5 + 11 * 11 * 2 + 25 * 25); // ‖A·Aᵀ‖_F²
 * a.free();
 * ```
 */
export function productNormSquared(a: Matrix, b: Matrix): number {
  const d = a.cols;
  if (a.rows * b.rows <= (a.rows + b.rows) * d) {
    let sum = 0;
    forEachProductBlock(a, b, (block, _first, rows) => {
      for (let i = 0; i < rows * b.rows; i++) sum += block[i] * block[i];
    });
    return sum;
  }
  const gramA = Matrix.zeros(d, d);
  const gramB = Matrix.zeros(d, d);
  try {
    gemm(gramA, a, a, { transA: true });
    gemm(gramB, b, b, { transA: true });
    const x = gramA.data;
    const y = gramB.data;
    let sum = 0;
    for (let i = 0; i < d * d; i++) sum += x[i] * y[i];
    return sum;
  } finally {
    gramA.free();
    gramB.free();
  }
}

/**
 * The unit-Frobenius target T_ij of a normalized-Gram distance: E_K = (I − J/K)/√(K−1) for
 * `"etf"` (the simplex ETF), I/√K for `"of"` (the orthogonal frame).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(targetEntry("of", 0, 0, 4), 0.5);
 * ```
 */
export function targetEntry(target: GramTarget, i: number, j: number, size: number): number {
  return target === "of"
    ? (i === j ? 1 / Math.sqrt(size) : 0)
    : ((i === j ? 1 : 0) - 1 / size) / Math.sqrt(size - 1);
}

/**
 * Accumulates Σ (G_ij/s − T_ij)² over rows of a square K×K matrix G given in blocks, for a
 * known Frobenius norm s = ‖G‖_F: the one formula behind every normalized-Gram distance
 * (`gramDistance` in geometry.ts for a dense G, {@link productDistance} for G = A·Bᵀ).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const distance = new GramDistance(2, "etf", 1);
 * distance.add(new Float64Array([0.5, -0.5, -0.5, 0.5]), 0, 2);
 * assert.ok(distance.value() < 1e-15);
 * ```
 */
export class GramDistance {
  #sum = 0;
  readonly #scale: number;

  /** A distance to `target` for a size×size matrix of Frobenius norm `norm`. */
  constructor(readonly size: number, readonly target: GramTarget, norm: number) {
    if (target === "etf" && size < 2) throw new RangeError("gramDistance: the ETF needs K ≥ 2");
    this.#scale = 1 / norm;
  }

  /** Adds rows first … first+rows−1 of G (row-major, `rows`×size). */
  add(block: ArrayLike<number>, first: number, rows: number): void {
    const size = this.size;
    const scale = this.#scale;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const i = first + r;
      for (let j = 0; j < size; j++) {
        const residual = block[r * size + j] * scale - targetEntry(this.target, i, j, size);
        sum += residual * residual;
      }
    }
    this.#sum += sum;
  }

  /** ‖G/‖G‖_F − T‖_F (NaN when G = 0). */
  value(): number {
    return Math.sqrt(this.#sum);
  }
}

/**
 * dist(A·Bᵀ, T) = ‖A·Bᵀ/‖A·Bᵀ‖_F − T‖_F for K×d matrices A and B (the normalized-Gram distance
 * of docs/metrics.md#dist; A = B gives NC2, A = W and B = M̃ gives NC3), without a K×K matrix:
 * blocked and elementwise when K ≤ d + 1, from d×d matrices when K > d + 1 (module notes). NaN when
 * A·Bᵀ = 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const centered = Matrix.from(2, 1, [1, -1]); // two centred means: already a simplex ETF
 * assert.ok(productDistance(centered, centered, "etf") < 1e-15);
 * centered.free();
 * ```
 */
export function productDistance(a: Matrix, b: Matrix, target: GramTarget): number {
  if (a.rows !== b.rows) {
    throw new RangeError(`productDistance: ${a.rows} vs ${b.rows} rows (need a square product)`);
  }
  const size = a.rows;
  if (target === "etf" && size < 2) throw new RangeError("gramDistance: the ETF needs K ≥ 2");
  const norm = Math.sqrt(productNormSquared(a, b));
  if (size > a.cols + 1) {
    const x = a.data;
    const y = b.data;
    const dim = a.cols;
    let trace = 0;
    const sumA = new Float64Array(dim);
    const sumB = new Float64Array(dim);
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < dim; j++) {
        trace += x[k * dim + j] * y[k * dim + j];
        sumA[j] += x[k * dim + j];
        sumB[j] += y[k * dim + j];
      }
    }
    let total = 0; // 1ᵀ·A·Bᵀ·1
    for (let j = 0; j < dim; j++) total += sumA[j] * sumB[j];
    const inner = target === "of"
      ? trace / Math.sqrt(size)
      : (trace - total / size) / Math.sqrt(size - 1);
    return Math.sqrt(Math.max(0, 2 - 2 * inner / norm));
  }
  const distance = new GramDistance(size, target, norm);
  forEachProductBlock(a, b, (block, first, rows) => distance.add(block, first, rows));
  return distance.value();
}

/**
 * Mean and variance of a stream of values by Welford's update (stable when the values are
 * nearly equal, e.g. the cosines of a collapsed simplex ETF).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const stats = new RunningMoments();
 * for (const value of [1, 2, 3, 4]) stats.add(value);
 * assert.equal(stats.mean, 2.5);
 * assert.equal(stats.variance(1), 5 / 3); // unbiased (n − 1)
 * ```
 */
export class RunningMoments {
  /** Number of values. */
  count = 0;
  /** Their mean. */
  mean = 0;
  #m2 = 0;

  /** Adds one value. */
  add(value: number): void {
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.#m2 += delta * (value - this.mean);
  }

  /** Σ(x − mean)² / (count − ddof): ddof 1 = unbiased (torch.std), 0 = population. */
  variance(ddof: 0 | 1): number {
    return this.#m2 / (this.count - ddof);
  }
}

/** Options of {@link gramStatistics}. */
export interface GramStatisticsOptions {
  /** Normalized-Gram distances of V·Vᵀ to compute (e.g. ["etf", "of"]). */
  targets?: readonly GramTarget[];
  /** Cosine statistics over the pairs (coherence, equiangularity; default true). */
  pairs?: boolean;
  /** Per-row within-class variances σ_k²: adds the CDNV (only for class means). */
  variances?: ArrayLike<number>;
  /** Exponent p of the CDNV denominator ‖μ_k − μ_l‖^{2p} (default 1, Galanti et al.). */
  cdnvExponent?: number;
  /** Also the hyperspherical-uniformity kernels (class means). */
  uniformity?: boolean;
  /** Riesz exponent s of the kernel sign(s)·‖μ̂_k − μ̂_l‖^{−s} (default d − 2, rhubarbwu). */
  rieszS?: number;
}

/** Result of {@link gramStatistics}; pair statistics are over the K(K−1)/2 pairs k < l. */
export interface GramStatistics {
  /** dist(V·Vᵀ, T) for each requested target (NaN if not requested). */
  etf: number;
  /** See `etf`. */
  of: number;
  /** Papyan `cos_M`/`cos_W`: mean over k ≠ l of |cos_kl + 1/(K−1)|. */
  coherence: number;
  /** Unbiased standard deviation of cos_kl (PNAS Fig. 3); 0 when K = 2. */
  equiangularity: number;
  /** Mean over pairs of (σ_k² + σ_l²)/(2‖v_k − v_l‖^{2p}) (NaN without variances). */
  cdnv: number;
  /** Mean and population variance of ‖v̂_k − v̂_l‖ (rhubarbwu `dist_kernel`, `nc2g_dist`). */
  distMean: number;
  /** See `distMean`. */
  distVariance: number;
  /** Mean and population variance of log(1/‖v̂_k − v̂_l‖) (rhubarbwu `log_kernel`, `nc2g_log`). */
  logMean: number;
  /** See `logMean`. */
  logVariance: number;
  /** Mean and population variance of sign(s)·‖v̂_k − v̂_l‖^{−s} (rhubarbwu `riesz_kernel`). */
  rieszMean: number;
  /** See `rieszMean`. */
  rieszVariance: number;
  /** The Riesz exponent s used. */
  rieszS: number;
}

/**
 * Everything about the rows v_k of a K×d matrix (centred class means or classifier rows) that
 * comes from their Gram matrix G = V·Vᵀ: normalized-Gram distances to the ETF / orthogonal
 * frame ({@link productDistance}), and, in one pass over the upper triangle of G, over the pairs
 * k < l the cosines cos_kl = G_kl/√(G_kk G_ll), squared distances ‖v_k − v_l‖² = G_kk + G_ll −
 * 2G_kl (CDNV) and distances of the normalized rows ‖v̂_k − v̂_l‖ = √(2 − 2cos_kl) (uniformity
 * kernels). The pair quantities lose relative accuracy only for two rows that nearly coincide
 * (distance below ~1e-6 of their norms).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * // Three unit vectors at 120°: a simplex ETF (coherence 0, equal cosines −1/2).
 * const c = Math.sqrt(3) / 2;
 * const etf = Matrix.from(3, 2, [1, 0, -0.5, c, -0.5, -c]);
 * const stats = gramStatistics(etf, { targets: ["etf"], uniformity: true });
 * assert.ok(stats.etf < 1e-15 && stats.coherence < 1e-15 && stats.equiangularity < 1e-15);
 * assert.ok(Math.abs(stats.distMean - Math.sqrt(3)) < 1e-15);
 * etf.free();
 * ```
 */
export function gramStatistics(
  vectors: Matrix,
  options: GramStatisticsOptions = {},
): GramStatistics {
  const classes = vectors.rows;
  const { targets = [], pairs = true, variances, cdnvExponent = 1, uniformity = false } = options;
  const rieszS = options.rieszS ?? vectors.cols - 2;
  const squaredNorms = new Float64Array(classes);
  const data = vectors.data;
  for (let k = 0; k < classes; k++) {
    let sum = 0;
    for (let j = 0; j < vectors.cols; j++) sum += data[k * vectors.cols + j] ** 2;
    squaredNorms[k] = sum;
  }
  const cosines = new RunningMoments();
  let coherenceSum = 0;
  let cdnvSum = 0;
  const dist = new RunningMoments();
  const log = new RunningMoments();
  const riesz = new RunningMoments();
  const etfCosine = -1 / (classes - 1);
  const rieszSign = Math.sign(rieszS) || 1;
  if (pairs || variances !== undefined || uniformity) {
    forEachProductBlock(vectors, vectors, (block, first, rows, columnStart) => {
      const columns = classes - columnStart;
      for (let r = 0; r < rows; r++) {
        const k = first + r;
        const row = r * columns - columnStart;
        for (let l = k + 1; l < classes; l++) {
          const gram = block[row + l];
          const cosine = gram / Math.sqrt(squaredNorms[k] * squaredNorms[l]);
          cosines.add(cosine);
          coherenceSum += Math.abs(cosine - etfCosine);
          if (variances !== undefined) {
            const distance2 = squaredNorms[k] + squaredNorms[l] - 2 * gram;
            cdnvSum += (variances[k] + variances[l]) / (2 * distance2 ** cdnvExponent);
          }
          if (uniformity) {
            const unitDistance = Math.sqrt(Math.max(0, 2 - 2 * cosine));
            dist.add(unitDistance);
            log.add(-Math.log(unitDistance));
            riesz.add(rieszSign * unitDistance ** -rieszS);
          }
        }
      }
    }, { upper: true });
  }
  const count = cosines.count;
  const distanceTo = (target: GramTarget) =>
    targets.includes(target) ? productDistance(vectors, vectors, target) : NaN;
  return {
    etf: distanceTo("etf"),
    of: distanceTo("of"),
    coherence: pairs ? coherenceSum / count : NaN,
    equiangularity: !pairs ? NaN : count < 2 ? 0 : Math.sqrt(cosines.variance(1)),
    cdnv: variances === undefined ? NaN : cdnvSum / count,
    distMean: uniformity ? dist.mean : NaN,
    distVariance: uniformity ? dist.variance(0) : NaN,
    logMean: uniformity ? log.mean : NaN,
    logVariance: uniformity ? log.variance(0) : NaN,
    rieszMean: uniformity ? riesz.mean : NaN,
    rieszVariance: uniformity ? riesz.variance(0) : NaN,
    rieszS,
  };
}
