/**
 * K×K quantities of class means and classifier rows without K×K memory: the product A·Bᵀ of two
 * row-stacked sets of vectors (K×d and L×d) is visited in blocks of rows computed by gemm, and
 * every metric that needs it (distances to the simplex ETF or orthogonal frame, cosine
 * statistics, pairwise kernels, CDNV) is a reduction over those blocks. K = 10,000 classes take
 * 32 MiB per block instead of an 800 MB Gram matrix; small K is one block.
 *
 * Normalized-Gram distances dist(A·Bᵀ, T) = ‖A·Bᵀ/‖A·Bᵀ‖_F − T‖_F (science.md §4) need the
 * Frobenius norm first. It comes from one extra pass over the blocks when K ≤ d, and otherwise
 * from the d×d matrices ‖A·Bᵀ‖_F² = ⟨AᵀA, BᵀB⟩_F (2Kd² flops instead of K²d). Either way the
 * distance itself sums (G_ij/s − T_ij)² elementwise, so a collapsed Gram gives 0 to rounding,
 * not √ε.
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
import { gemm } from "../gemm.ts";
import { Matrix } from "../matrix.ts";

/** Target frame of a normalized-Gram distance. */
export type GramTarget = "etf" | "of";

/** Elements per block of rows of a product (32 MiB of f64). */
const BLOCK_ELEMENTS = 1 << 22;

/** Copies rows [first, first + count) of `source` into `target` (count×cols, reused). */
function copyRows(source: Matrix, first: number, count: number, target: Matrix): void {
  target.data.set(source.data.subarray(first * source.cols, (first + count) * source.cols));
}

/**
 * Calls `visit(block, first, rows)` for consecutive blocks of rows of the product A·Bᵀ: `block`
 * holds rows first … first+rows−1 (row-major, rows×L with L = b.rows) and is reused between
 * calls. A and B must have the same number of columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const a = Matrix.from(3, 1, [1, 2, 3]);
 * const rows: number[][] = [];
 * forEachProductBlock(a, a, (block, first, count) => {
 *   for (let r = 0; r < count; r++) rows.push(Array.from(block.subarray(3 * r, 3 * r + 3)));
 * }, 2);
 * assert.deepEqual(rows, [[1, 2, 3], [2, 4, 6], [3, 6, 9]]);
 * a.free();
 * ```
 */
export function forEachProductBlock(
  a: Matrix,
  b: Matrix,
  visit: (block: Float64Array, first: number, rows: number) => void,
  blockRows: number = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, b.rows))),
): void {
  if (a.cols !== b.cols) {
    throw new RangeError(`forEachProductBlock: ${a.cols} vs ${b.cols} columns`);
  }
  if (blockRows >= a.rows) {
    const product = Matrix.zeros(a.rows, b.rows);
    try {
      gemm(product, a, b, { transB: true });
      visit(product.data as Float64Array, 0, a.rows);
    } finally {
      product.free();
    }
    return;
  }
  const slice = Matrix.zeros(blockRows, a.cols);
  const product = Matrix.zeros(blockRows, b.rows);
  try {
    for (let first = 0; first < a.rows; first += blockRows) {
      const rows = Math.min(blockRows, a.rows - first);
      if (rows < blockRows) {
        // Last, partial block: a fitting pair of matrices.
        const lastSlice = Matrix.zeros(rows, a.cols);
        const lastProduct = Matrix.zeros(rows, b.rows);
        try {
          copyRows(a, first, rows, lastSlice);
          gemm(lastProduct, lastSlice, b, { transB: true });
          visit(lastProduct.data as Float64Array, first, rows);
        } finally {
          lastSlice.free();
          lastProduct.free();
        }
      } else {
        copyRows(a, first, rows, slice);
        gemm(product, slice, b, { transB: true });
        visit(product.data as Float64Array, first, rows);
      }
    }
  } finally {
    slice.free();
    product.free();
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
 * of science.md §4; A = B gives NC2, A = W and B = M̃ gives NC3), without a K×K matrix.
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
  const distance = new GramDistance(a.rows, target, Math.sqrt(productNormSquared(a, b)));
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
 * comes from their Gram matrix G = V·Vᵀ, in one pass over its blocks: normalized-Gram distances
 * to the ETF / orthogonal frame, and over the pairs k < l the cosines cos_kl = G_kl/√(G_kk G_ll),
 * squared distances ‖v_k − v_l‖² = G_kk + G_ll − 2G_kl (CDNV) and distances of the normalized
 * rows ‖v̂_k − v̂_l‖ = √(2 − 2cos_kl) (uniformity kernels). The pair quantities lose relative
 * accuracy only for two rows that nearly coincide (distance below ~1e-6 of their norms).
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
  const norm = targets.length > 0 ? Math.sqrt(productNormSquared(vectors, vectors)) : NaN;
  const distances = targets.map((target) => new GramDistance(classes, target, norm));
  const cosines = new RunningMoments();
  let coherenceSum = 0;
  let cdnvSum = 0;
  const dist = new RunningMoments();
  const log = new RunningMoments();
  const riesz = new RunningMoments();
  const etfCosine = -1 / (classes - 1);
  const rieszSign = Math.sign(rieszS) || 1;
  const perPair = pairs || variances !== undefined || uniformity;
  forEachProductBlock(vectors, vectors, (block, first, rows) => {
    for (const distance of distances) distance.add(block, first, rows);
    if (!perPair) return;
    for (let r = 0; r < rows; r++) {
      const k = first + r;
      for (let l = k + 1; l < classes; l++) {
        const gram = block[r * classes + l];
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
  });
  const count = cosines.count;
  const distanceTo = (target: GramTarget) => {
    const index = targets.indexOf(target);
    return index < 0 ? NaN : distances[index].value();
  };
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
