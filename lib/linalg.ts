/**
 * Dense linear algebra for small symmetric matrices (K×K Gram matrices of class means): a
 * cyclic Jacobi eigendecomposition and a pseudo-inverse with scipy's default tolerance. Plain
 * row-major `Float64Array`s; nothing here touches core memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pseudoInverseSymmetric, symmetricEigen } from "./linalg.ts";
 * const { values } = symmetricEigen([2, 1, 1, 2], 2);
 * assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
 * const pinv = pseudoInverseSymmetric([1, 1, 1, 1], 2);
 * assert.ok([...pinv].every((x) => Math.abs(x - 0.25) < 1e-12));
 * ```
 * @module
 */

/** Result of {@link symmetricEigen}. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Eigenvectors as the columns of an n×n row-major matrix: column j (elements
   * `vectors[i * n + j]`) belongs to `values[j]`. Orthonormal.
   */
  vectors: Float64Array;
}

/**
 * Eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric n×n matrix (row-major) by cyclic Jacobi
 * rotations (Golub & Van Loan, Alg. 8.5.3). The two triangles are averaged first, so a matrix
 * that is symmetric up to rounding is accepted. Eigenvalues come with absolute error about
 * ε·‖A‖_F; meant for small n (cost ≈ 10 sweeps × 4n³).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { values, vectors } = symmetricEigen([4, 0, 0, 1], 2);
 * assert.deepEqual([...values], [4, 1]);
 * assert.deepEqual([...vectors].map(Math.abs), [1, 0, 0, 1]); // identity (up to sign)
 * ```
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || matrix.length !== n * n) {
    throw new RangeError(
      `symmetricEigen: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`,
    );
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let frobenius2 = 0;
  for (let i = 0; i < n * n; i++) frobenius2 += a[i] * a[i];
  // Converged once the off-diagonal mass is negligible next to ‖A‖_F (or A is zero).
  const tolerance2 = frobenius2 * Number.EPSILON * Number.EPSILON;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off2 = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) off2 += 2 * a[p * n + q] * a[p * n + q];
    }
    if (off2 <= tolerance2) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a_pq: t = tan θ, the smaller root of t² + 2τt − 1 = 0.
        const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // A ← Jᵀ A J with J = [[c, s], [−s, c]] in the (p, q) plane; V ← V J.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => a[j * n + j] - a[i * n + i],
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from];
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

/** Options of {@link pseudoInverseRank} and {@link pseudoInverseSymmetric}. */
export interface PseudoInverseOptions {
  /**
   * Relative tolerance: eigenvalues with |λ| ≤ rtol·max|λ| count as zero. Default n·ε, the
   * default of `scipy.linalg.pinv` (rtol = max(M, N)·eps) for an n×n matrix.
   */
  rtol?: number;
  /** Keep at most this many eigenvalues (the largest), e.g. a rank known from the structure. */
  maxRank?: number;
}

/**
 * How many of the eigenvalues `values` (descending, as from {@link symmetricEigen}) a
 * pseudo-inverse keeps: those with |λ| > rtol·max|λ| (scipy.linalg.pinv's rule, applied to
 * eigenvalues of a symmetric matrix), at most `maxRank`. Only the leading run of kept values
 * is counted, so for positive semi-definite input the kept ones are `values[0..rank)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(pseudoInverseRank(new Float64Array([2, 1, 1e-18]), { rtol: 3 * Number.EPSILON }), 2);
 * ```
 */
export function pseudoInverseRank(
  values: Float64Array,
  options: PseudoInverseOptions = {},
): number {
  const n = values.length;
  const { rtol = n * Number.EPSILON, maxRank = n } = options;
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  const cutoff = rtol * largest;
  let rank = 0;
  while (rank < Math.min(n, maxRank) && values[rank] > cutoff) rank++;
  return rank;
}

/**
 * Moore–Penrose pseudo-inverse of a symmetric positive semi-definite n×n matrix (row-major):
 * V·diag(1/λ)·Vᵀ over the eigenvalues kept by {@link pseudoInverseRank}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...pseudoInverseSymmetric([2, 0, 0, 0], 2)], [0.5, 0, 0, 0]);
 * ```
 */
export function pseudoInverseSymmetric(
  matrix: ArrayLike<number>,
  n: number,
  options: PseudoInverseOptions = {},
): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const rank = pseudoInverseRank(values, options);
  const out = new Float64Array(n * n);
  for (let r = 0; r < rank; r++) {
    const inverse = 1 / values[r];
    for (let i = 0; i < n; i++) {
      const vi = vectors[i * n + r] * inverse;
      for (let j = 0; j < n; j++) out[i * n + j] += vi * vectors[j * n + r];
    }
  }
  return out;
}
