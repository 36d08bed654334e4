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
  return n <= JACOBI_MAX_SIZE ? jacobiEigen(matrix, n) : tridiagonalEigen(matrix, n);
}

/**
 * Largest n solved by Jacobi rotations in {@link symmetricEigen}; larger matrices (the d×d
 * covariances of NC1 when K > d) go through Householder tridiagonalization and implicit QR,
 * about 6n³ flops instead of Jacobi's ≈ 40n³ (n = 768: 3 s instead of 84 s).
 */
export const JACOBI_MAX_SIZE = 64;

/** Cyclic Jacobi (see {@link symmetricEigen}); exported for tests that compare the two solvers. */
export function jacobiEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
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

/**
 * Householder tridiagonalization A = Q·T·Qᵀ followed by implicit symmetric QR steps with
 * Wilkinson shifts on T (Golub & Van Loan, Alg. 8.3.1 and 8.3.3), rotations accumulated into
 * Qᵀ row by row (contiguous memory). Same contract as {@link symmetricEigen}; eigenvalues with
 * absolute error about ε·‖A‖_F.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { values } = tridiagonalEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], 3);
 * assert.ok(Math.abs(values[0] - 5) < 1e-14 && Math.abs(values[2] - 1) < 1e-14);
 * ```
 */
export function tridiagonalEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
  }
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1)); // off[i] couples i and i + 1
  const betas = new Float64Array(n);
  // 1. Householder: step k maps row k right of the diagonal onto a multiple of e_{k+1}; the
  // vector v_k is kept in that part of row k (no longer needed) for the accumulation below.
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    let tail2 = 0;
    for (let i = k + 2; i < n; i++) tail2 += a[row + i] * a[row + i];
    const x0 = a[row + k + 1];
    diag[k] = a[row + k];
    if (tail2 === 0) {
      off[k] = x0;
      betas[k] = 0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail2);
    const alpha = x0 >= 0 ? -norm : norm;
    a[row + k + 1] = x0 - alpha; // v = x − α e_1, no cancellation given the sign of α
    const beta = 2 / ((x0 - alpha) ** 2 + tail2);
    betas[k] = beta;
    off[k] = alpha;
    // A22 ← P A22 P with P = I − β v vᵀ: p = β A22 v, w = p − (β pᵀv / 2) v, A22 −= v wᵀ + w vᵀ.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let sum = 0;
      for (let j = k + 1; j < n; j++) sum += a[i * n + j] * a[row + j];
      p[i] = beta * sum;
      pv += p[i] * a[row + i];
    }
    const half = 0.5 * beta * pv;
    for (let i = k + 1; i < n; i++) p[i] -= half * a[row + i];
    for (let i = k + 1; i < n; i++) {
      const vi = a[row + i];
      const wi = p[i];
      for (let j = k + 1; j < n; j++) a[i * n + j] -= vi * p[j] + wi * a[row + j];
    }
  }
  if (n >= 2) {
    diag[n - 2] = a[(n - 2) * n + n - 2];
    off[n - 2] = a[(n - 2) * n + n - 1];
  }
  if (n >= 1) diag[n - 1] = a[(n - 1) * n + n - 1];
  // Q = P_0 P_1 ⋯ P_{n−3}, accumulated backwards with row operations (Q ← P_k Q touches rows
  // and columns k+1… only), then transposed: the QR rotations combine rows of Qᵀ.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const row = k * n;
    u.fill(0, k + 1);
    for (let i = k + 1; i < n; i++) {
      const vi = a[row + i];
      for (let j = k + 1; j < n; j++) u[j] += vi * q[i * n + j];
    }
    for (let i = k + 1; i < n; i++) {
      const scaled = beta * a[row + i];
      for (let j = k + 1; j < n; j++) q[i * n + j] -= scaled * u[j];
    }
  }
  const vt = new Float64Array(n * n); // rows: Qᵀ, then the eigenvectors
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) vt[j * n + i] = q[i * n + j];
  }
  // 2. Implicit QR on (diag, off); each rotation combines two rows of Qᵀ.
  implicitQr(diag, off, (k, c, s) => {
    const rowK = k * n;
    const rowK1 = rowK + n;
    for (let j = 0; j < n; j++) {
      const first = vt[rowK + j];
      const second = vt[rowK1 + j];
      vt[rowK + j] = c * first + s * second;
      vt[rowK1 + j] = c * second - s * first;
    }
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => diag[j] - diag[i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = diag[from];
    for (let k = 0; k < n; k++) vectors[k * n + to] = vt[from * n + k];
  });
  return { values, vectors };
}

/**
 * Implicit symmetric QR steps with Wilkinson shifts (Golub & Van Loan, Alg. 8.3.2–8.3.3) on the
 * tridiagonal (diag, off), off[i] coupling i and i + 1, until every off-diagonal entry is below
 * ε(|d_i| + |d_{i+1}|); `diag` ends as the eigenvalues (unordered). Each Givens rotation in the
 * plane (k, k+1) is also handed to `rotate`, which applies it to whatever the caller tracks
 * (rows of Qᵀ, or one component of each eigenvector).
 */
function implicitQr(
  diag: Float64Array,
  off: Float64Array,
  rotate: (k: number, c: number, s: number) => void,
): void {
  const n = diag.length;
  let hi = n - 1;
  let steps = 0;
  while (hi > 0) {
    for (let i = 0; i < hi; i++) {
      if (Math.abs(off[i]) <= Number.EPSILON * (Math.abs(diag[i]) + Math.abs(diag[i + 1]))) {
        off[i] = 0;
      }
    }
    while (hi > 0 && off[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && off[lo - 1] !== 0) lo--;
    if (++steps > 60 * n) throw new Error(`tridiagonalEigen: no convergence (n = ${n})`);
    // Wilkinson shift: the eigenvalue of the trailing 2×2 block closer to diag[hi].
    const delta = (diag[hi - 1] - diag[hi]) / 2;
    const coupling = off[hi - 1];
    const shift = diag[hi] -
      coupling * coupling / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, coupling));
    let x = diag[lo] - shift;
    let z = off[lo];
    for (let k = lo; k < hi; k++) {
      // Rotation G = [[c, −s], [s, c]] in the plane (k, k+1) with Gᵀ(x, z) = (r, 0).
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : z / r;
      if (k > lo) off[k - 1] = r;
      const dk = diag[k];
      const ek = off[k];
      const dk1 = diag[k + 1];
      diag[k] = c * c * dk + 2 * c * s * ek + s * s * dk1;
      diag[k + 1] = s * s * dk - 2 * c * s * ek + c * c * dk1;
      off[k] = c * s * (dk1 - dk) + (c * c - s * s) * ek;
      if (k + 1 < hi) {
        z = s * off[k + 1]; // the bulge at (k, k+2)
        off[k + 1] *= c;
        x = off[k];
      }
      rotate(k, c, s);
    }
  }
}

/**
 * Eigenvalues (descending) of the symmetric tridiagonal matrix with diagonal `diagonal` and
 * off-diagonal `offDiagonal` (entry i couples i and i + 1), with the LAST component of each unit
 * eigenvector (same order, sign arbitrary) — all that Lanczos residual bounds |β_m y_m| need
 * (lib/optim/hessian.ts). The rotations update one number per eigenvector, so it costs O(n²)
 * where a full decomposition costs O(n³).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2.
 * const { values, last } = tridiagonalEigenLast([2, 2], [1]);
 * assert.ok(Math.abs(values[0] - 3) < 1e-15 && Math.abs(values[1] - 1) < 1e-15);
 * assert.ok(last.every((x) => Math.abs(Math.abs(x) - Math.SQRT1_2) < 1e-15));
 * ```
 */
export function tridiagonalEigenLast(
  diagonal: ArrayLike<number>,
  offDiagonal: ArrayLike<number>,
): { values: Float64Array; last: Float64Array } {
  const n = diagonal.length;
  if (offDiagonal.length < n - 1) {
    throw new RangeError(
      `tridiagonalEigenLast: ${n} diagonal entries need ${n - 1} off-diagonal ones`,
    );
  }
  const diag = Float64Array.from(diagonal);
  const off = Float64Array.from({ length: Math.max(0, n - 1) }, (_, i) => offDiagonal[i]);
  const lastRow = new Float64Array(n); // component n − 1 of each row of Qᵀ (Q = I at the start)
  if (n > 0) lastRow[n - 1] = 1;
  implicitQr(diag, off, (k, c, s) => {
    const first = lastRow[k];
    const second = lastRow[k + 1];
    lastRow[k] = c * first + s * second;
    lastRow[k + 1] = c * second - s * first;
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => diag[j] - diag[i]);
  return {
    values: Float64Array.from(order, (i) => diag[i]),
    last: Float64Array.from(order, (i) => lastRow[i]),
  };
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
