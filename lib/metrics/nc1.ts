/**
 * NC1 (within-class variability collapse, docs/metrics.md#nc1, docs/metrics.md#nc1-quotient) with
 * matrices of size min(K, d) only.
 *
 * With M̃ the K×d matrix of centred class means and A = M̃ᵀ/√K (d×K), Σ_B = A·Aᵀ and
 * Σ_B^† = A·(AᵀA)^{†2}·Aᵀ, hence
 *
 *     Tr(Σ_W Σ_B^†) = Tr((AᵀA)^{†2} · AᵀΣ_W A) = Σ_{j<r} v_jᵀ (AᵀΣ_W A) v_j / λ_j²
 *
 * over the eigenpairs (λ_j, v_j) of the K×K matrix AᵀA, whose nonzero eigenvalues are those of
 * Σ_B. AᵀΣ_W A = (1/N)(X_c A)ᵀ(X_c A) comes from pass 2 of the accumulator (accumulator.ts).
 *
 * That needs only K×K matrices, so it is the form used when K ≤ d. When K > d the d×d
 * matrices are the smaller ones: Σ_W is accumulated directly and Tr(Σ_W Σ_B^†) =
 * Σ_{j<r} u_jᵀ Σ_W u_j / μ_j over the eigenpairs (μ_j, u_j) of Σ_B (form `"covariance"`).
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
 * const trace = traceWithinBetweenPinv([2, 0, 0, 0], [0.5, 0, 0, 0], 2, {
 *   rtol: 1e-15,
 *   maxRank: 1,
 * });
 * assert.deepEqual(trace, { value: 0.125, rank: 1 });
 * ```
 * @module
 */
import { gemm } from "../gemm.ts";
import { type PseudoInverseOptions, pseudoInverseRank, symmetricEigen } from "../linalg.ts";
import { Matrix } from "../matrix.ts";

/**
 * A = M̃ᵀ/√K as a d×K matrix: column k is (μ_k − center)/√K for the class means μ_k (rows of
 * `means`), so Σ_B = A·Aᵀ (docs/metrics.md#shared-objects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const means = Matrix.from(2, 1, [1, 3]);
 * const basis: Matrix = betweenClassBasis(means, [2]);
 * const [[first, second]] = basis.toRows(); // (μ_k − center)/√K = [−1/√2, 1/√2]
 * assert.ok(Math.abs(first + Math.SQRT1_2) < 1e-15 && Math.abs(second - Math.SQRT1_2) < 1e-15);
 * ```
 */
export function betweenClassBasis(means: Matrix, center: ArrayLike<number>): Matrix {
  const { rows: classes, cols: dim } = means;
  const basis = Matrix.zeros(dim, classes);
  const source = means.data;
  const out = basis.data;
  const scale = 1 / Math.sqrt(classes);
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j < dim; j++) out[j * classes + k] = (source[k * dim + j] - center[j]) * scale;
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
  options: PseudoInverseOptions & { form?: "gram" | "covariance" },
): PinvTrace {
  const size = classes;
  const { values, vectors } = symmetricEigen(betweenGram, size);
  const rank = pseudoInverseRank(values, options);
  const power = (options.form ?? "gram") === "gram" ? 2 : 1;
  let value = 0;
  for (let r = 0; r < rank; r++) {
    let quadratic = 0; // v_rᵀ G v_r
    for (let i = 0; i < size; i++) {
      let row = 0;
      for (let j = 0; j < size; j++) {
        row += withinProjected[i * size + j] * vectors[j * size + r];
      }
      quadratic += vectors[i * size + r] * row;
    }
    value += quadratic / values[r] ** power;
  }
  return { value, rank };
}

/**
 * What pass 2 of the accumulator collected about Σ_W: AᵀΣ_W A (K×K, A = M̃ᵀ/√K on the sample
 * mean) when K ≤ d, or Σ_W itself (d×d) when K > d.
 */
export type WithinMoments =
  | { form: "gram"; matrix: Float64Array }
  | { form: "covariance"; matrix: Float64Array };

/** The NC1 traces of {@link nc1Traces}, not yet divided by K. */
export interface Nc1Traces {
  /** Tr(Σ_W Σ_B^†), μ_G = sample mean (with the rank kept). */
  sample: PinvTrace;
  /** Tr(Σ_W Σ_B^†), μ_G = mean of class means. */
  meanOfMeans: PinvTrace;
}

/**
 * Tr(Σ_W Σ_B^†) for both global means, from the class means (K×d), the two centres and the
 * accumulated Σ_W moments, with scipy's pinv tolerance rtol = d·ε and the rank capped at
 * min(d, K−1) (module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * // K = 2, d = 1: means ±1, Σ_W = 0.5 → Σ_B = 1, Tr(Σ_W Σ_B^†) = 0.5.
 * const means = Matrix.from(2, 1, [-1, 1]);
 * const traces = nc1Traces(means, [0], [0], { form: "covariance", matrix: new Float64Array([0.5]) });
 * assert.ok(Math.abs(traces.sample.value - 0.5) < 1e-15);
 * ```
 */
export function nc1Traces(
  means: Matrix,
  sampleMean: ArrayLike<number>,
  meanOfMeans: ArrayLike<number>,
  within: WithinMoments,
): Nc1Traces {
  const { rows: classes, cols: dim } = means;
  const options = { rtol: dim * Number.EPSILON, maxRank: Math.min(dim, classes - 1) };
  if (within.form === "gram") {
    // AᵀA = M̃M̃ᵀ/K; the mean-of-means centring is M̃_mm = P·M̃ with P = I − J/K.
    const basis = betweenClassBasis(means, sampleMean);
    const gram = Matrix.zeros(classes, classes);
    try {
      gemm(gram, basis, basis, { transA: true });
      const betweenGram = gram.toFloat64Array();
      return {
        sample: traceWithinBetweenPinv(betweenGram, within.matrix, classes, options),
        meanOfMeans: traceWithinBetweenPinv(
          centerGram(betweenGram, classes),
          centerGram(within.matrix, classes),
          classes,
          options,
        ),
      };
    } finally {
      basis.free();
      gram.free();
    }
  }
  const covariance = (center: ArrayLike<number>): PinvTrace => {
    const basis = betweenClassBasis(means, center);
    const sigmaB = Matrix.zeros(dim, dim);
    try {
      gemm(sigmaB, basis, basis, { transB: true }); // Σ_B = A·Aᵀ
      return traceWithinBetweenPinv(sigmaB.toFloat64Array(), within.matrix, dim, {
        ...options,
        form: "covariance",
      });
    } finally {
      basis.free();
      sigmaB.free();
    }
  };
  return { sample: covariance(sampleMean), meanOfMeans: covariance(meanOfMeans) };
}

/**
 * P·S·P with P = I − J/K (re-centres a K×K Gram built on sample-mean-centred means onto the
 * mean of class means: M̃_mm = P·M̃_sample, because μ_k − (1/K)Σ_l μ_l = P applied to rows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(centerGram([1, 0, 0, 0], 2), new Float64Array([0.25, -0.25, -0.25, 0.25]));
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
