/**
 * NC1 (within-class variability collapse, science.md §4.1–4.3, §4.7) without d×d matrices.
 *
 * With M̃ the K×d matrix of centred class means and A = M̃ᵀ/√K (d×K), Σ_B = A·Aᵀ and
 * Σ_B^† = A·(AᵀA)^{†2}·Aᵀ, hence
 *
 *     Tr(Σ_W Σ_B^†) = Tr((AᵀA)^{†2} · AᵀΣ_W A) = Σ_{j<r} v_jᵀ (AᵀΣ_W A) v_j / λ_j²
 *
 * over the eigenpairs (λ_j, v_j) of the K×K matrix AᵀA, whose nonzero eigenvalues are those of
 * Σ_B. AᵀΣ_W A = (1/N)(X_c A)ᵀ(X_c A) comes from one streaming pass (class_stats.ts).
 *
 * Pseudo-inverse tolerance, as `scipy.linalg.pinv(Σ_B)` (tding1 / nc_loss): eigenvalues
 * λ ≤ d·ε·λ_max count as zero (rtol = max(d, d)·eps for the d×d Σ_B). In addition the rank is
 * capped at min(d, K−1): the centred means satisfy Σ_k w_k (μ_k − μ_G) = 0 (w = n for the
 * sample mean, w = 1 for the mean of class means), so rank Σ_B ≤ K−1 exactly, and the K×K
 * form must not invert the rounding noise of that structural zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceWithinBetweenPinv } from "./nc1.ts";
 * // K = 2, AᵀA = diag(2, 0), AᵀΣ_W A = diag(0.5, 0): Tr = 0.5 / 2² = 0.125
 * const { value } = traceWithinBetweenPinv([2, 0, 0, 0], [0.5, 0, 0, 0], 2, {
 *   rtol: 1e-15, maxRank: 1 });
 * assert.ok(Math.abs(value - 0.125) < 1e-15);
 * ```
 * @module
 */
import { type PseudoInverseOptions, pseudoInverseRank, symmetricEigen } from "../linalg.ts";
import { Matrix } from "../matrix.ts";
import type { ClassStatistics } from "./class_stats.ts";

/**
 * A = M̃ᵀ/√K as a d×K matrix: column k is (μ_k − center)/√K, so Σ_B = A·Aᵀ (§4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classStatistics } from "./class_stats.ts";
 * const stats = classStatistics(Matrix.from(2, 1, [1, 3]), new Int32Array([0, 1]), 2);
 * const basis: Matrix = betweenClassBasis(stats, stats.globalMean);
 * assert.ok(basis.toRows()[0].every((x, k) => Math.abs(x - [-1, 1][k] * Math.SQRT1_2) < 1e-15));
 * ```
 */
export function betweenClassBasis(stats: ClassStatistics, center: ArrayLike<number>): Matrix {
  const { classes, dim } = stats;
  const basis = Matrix.zeros(dim, classes);
  const means = stats.means.data;
  const out = basis.data;
  const scale = 1 / Math.sqrt(classes);
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j < dim; j++) out[j * classes + k] = (means[k * dim + j] - center[j]) * scale;
  }
  return basis;
}

/** Result of {@link traceWithinBetweenPinv}. */
export interface PinvTrace {
  /** Tr(Σ_W Σ_B^†) (not divided by K). */
  value: number;
  /** Number of eigenvalues of Σ_B treated as nonzero. */
  rank: number;
}

/**
 * Tr(Σ_W Σ_B^†) from the K×K matrices AᵀA (`betweenGram`) and AᵀΣ_W A (`withinProjected`),
 * both row-major; see the module notes for the tolerance options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // K = 2 with AᵀA = [[1, −1], [−1, 1]] (rank 1, eigenvector (1, −1)/√2, λ = 2) and
 * // AᵀΣ_W A = 0.5·AᵀA: Tr = 0.5·2 / 2² = 0.25.
 * const { value, rank } = traceWithinBetweenPinv(
 *   [1, -1, -1, 1],
 *   [0.5, -0.5, -0.5, 0.5],
 *   2,
 *   { rtol: 4 * Number.EPSILON, maxRank: 1 },
 * );
 * assert.ok(Math.abs(value - 0.25) < 1e-15);
 * assert.equal(rank, 1);
 * ```
 */
export function traceWithinBetweenPinv(
  betweenGram: ArrayLike<number>,
  withinProjected: ArrayLike<number>,
  classes: number,
  options: PseudoInverseOptions,
): PinvTrace {
  const { values, vectors } = symmetricEigen(betweenGram, classes);
  const rank = pseudoInverseRank(values, options);
  let value = 0;
  for (let r = 0; r < rank; r++) {
    let quadratic = 0; // v_rᵀ G v_r
    for (let i = 0; i < classes; i++) {
      let row = 0;
      for (let j = 0; j < classes; j++) {
        row += withinProjected[i * classes + j] * vectors[j * classes + r];
      }
      quadratic += vectors[i * classes + r] * row;
    }
    value += quadratic / (values[r] * values[r]);
  }
  return { value, rank };
}

/**
 * P·S·P with P = I − J/K (re-centres a K×K Gram built on sample-mean-centred means onto the
 * mean of class means: M̃_mm = P·M̃_sample, because μ_k − (1/K)Σ_l μ_l = P applied to rows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...centerGram([1, 0, 0, 0], 2)], [0.25, -0.25, -0.25, 0.25]);
 * ```
 */
export function centerGram(gram: ArrayLike<number>, classes: number): Float64Array {
  const rowMeans = new Float64Array(classes);
  const colMeans = new Float64Array(classes);
  let total = 0;
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      const value = gram[i * classes + j];
      rowMeans[i] += value / classes;
      colMeans[j] += value / classes;
      total += value / (classes * classes);
    }
  }
  const out = new Float64Array(classes * classes);
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      out[i * classes + j] = gram[i * classes + j] - rowMeans[i] - colMeans[j] + total;
    }
  }
  return out;
}

/**
 * Class-distance-normalized variance (rhubarbwu `variability_cdnv`, §4.7): the mean over pairs
 * k < l of (σ_k² + σ_l²) / (2‖μ_k − μ_l‖²), with σ_k² divided by n_k.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classStatistics } from "./class_stats.ts";
 * // σ² = 1 in both classes, ‖μ_0 − μ_1‖ = 4: CDNV = (1 + 1)/(2·16) = 1/16.
 * const features = Matrix.from(4, 1, [-1, 1, 3, 5]);
 * const value: number = cdnv(classStatistics(features, new Int32Array([0, 0, 1, 1]), 2));
 * assert.equal(value, 1 / 16);
 * ```
 */
export function cdnv(stats: ClassStatistics): number {
  const { classes, dim, withinVariance } = stats;
  const means = stats.means.data;
  let sum = 0;
  let pairs = 0;
  for (let k = 0; k < classes; k++) {
    for (let l = k + 1; l < classes; l++) {
      let distance2 = 0;
      for (let j = 0; j < dim; j++) distance2 += (means[k * dim + j] - means[l * dim + j]) ** 2;
      sum += (withinVariance[k] + withinVariance[l]) / (2 * distance2);
      pairs++;
    }
  }
  return sum / pairs;
}
