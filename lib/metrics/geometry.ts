/**
 * Geometry of K vectors (class means or classifier rows) held in memory: the normalized-Gram
 * distance of a dense K×K matrix to a simplex ETF or an orthogonal frame (docs/metrics.md#dist),
 * norms, cosines and the coefficient of variation (docs/metrics.md#papyan). Metrics of any K go
 * through the blocked versions in pairwise.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gramDistance } from "./geometry.ts";
 * const identity = { rows: 3, cols: 3, data: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
 * assert.ok(gramDistance(identity, "of") < 1e-15); // already I/√3 after normalization
 * const ofToEtf = Math.sqrt(2 - 2 * Math.sqrt(2 / 3)); // ≈ 0.6058108931
 * assert.ok(Math.abs(gramDistance(identity, "etf") - ofToEtf) < 1e-12);
 * ```
 * @module
 */
import { gemm } from "../gemm.ts";
import { Matrix } from "../matrix.ts";
import { GramDistance, type GramTarget } from "./pairwise.ts";

/** A dense row-major matrix view (a {@link Matrix} qualifies). */
export interface DenseMatrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Row-major elements. */
  readonly data: ArrayLike<number>;
}

/**
 * A·Bᵀ for row-stacked vectors A (K×d) and B (L×d, default A), as a K×L row-major array:
 * the Gram matrix of class means or classifier rows, computed with {@link gemm}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const weights = Matrix.from(2, 2, [1, 2, 3, 4]);
 * const wwt: Float64Array = rowGram(weights);
 * assert.deepEqual(wwt, new Float64Array([5, 11, 11, 25])); // W·Wᵀ
 * ```
 */
export function rowGram(a: Matrix, b: Matrix = a): Float64Array {
  const product = Matrix.zeros(a.rows, b.rows);
  try {
    gemm(product, a, b, { transB: true });
    return product.toFloat64Array();
  } finally {
    product.free();
  }
}

export type { GramTarget } from "./pairwise.ts";

/**
 * dist(A, T) = ‖A/‖A‖_F − T‖_F for a square K×K matrix A (docs/metrics.md#dist), with
 * T = E_K = (I − J/K)/√(K−1) (simplex ETF, `"etf"`) or T = I/√K (orthogonal frame, `"of"`);
 * both targets have unit Frobenius norm. A need not be symmetric (NC3 uses A = W·M̃ᵀ).
 * NaN when A = 0. The same formula as the blocked `productDistance` (pairwise.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const etf = { rows: 2, cols: 2, data: [0.5, -0.5, -0.5, 0.5] };
 * assert.ok(gramDistance(etf, "etf") < 1e-15);
 * ```
 */
export function gramDistance(gram: DenseMatrix, target: GramTarget): number {
  const size = gram.rows;
  if (gram.cols !== size || gram.data.length !== size * size) {
    throw new RangeError(`gramDistance: expected a square matrix, got ${gram.rows}×${gram.cols}`);
  }
  let norm2 = 0;
  for (let i = 0; i < size * size; i++) norm2 += gram.data[i] * gram.data[i];
  const distance = new GramDistance(size, target, Math.sqrt(norm2));
  distance.add(gram.data, 0, size);
  return distance.value();
}

/**
 * ‖A/‖A‖_F − B/‖B‖_F‖_F for two matrices of the same size (self-duality,
 * docs/metrics.md#self-duality).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(normalizedDistance([1, 0], [2, 0]), 0);
 * assert.ok(Math.abs(normalizedDistance([1, 0], [0, 3]) - Math.SQRT2) < 1e-15);
 * ```
 */
export function normalizedDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`normalizedDistance: sizes differ (${a.length} vs ${b.length})`);
  }
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  normA = Math.sqrt(normA);
  normB = Math.sqrt(normB);
  let distance2 = 0;
  for (let i = 0; i < a.length; i++) {
    const r = a[i] / normA - b[i] / normB;
    distance2 += r * r;
  }
  return Math.sqrt(distance2);
}

/**
 * Euclidean norms of the rows of a rows×cols row-major array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rowNorms({ rows: 2, cols: 2, data: [3, 4, 0, 1] }), new Float64Array([5, 1]));
 * ```
 */
export function rowNorms(matrix: DenseMatrix): Float64Array {
  const out = new Float64Array(matrix.rows);
  for (let k = 0; k < matrix.rows; k++) {
    let sum = 0;
    for (let j = 0; j < matrix.cols; j++) sum += matrix.data[k * matrix.cols + j] ** 2;
    out[k] = Math.sqrt(sum);
  }
  return out;
}

/**
 * std/mean of `values`, with the unbiased (n − 1) standard deviation as `torch.std` in the
 * Papyan colab (`norm_M_CoV`, `norm_W_CoV`, docs/metrics.md#papyan).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(coefficientOfVariation([1, 3]) - Math.SQRT2 / 2) < 1e-15);
 * ```
 */
export function coefficientOfVariation(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2 / (n - 1);
  return Math.sqrt(variance) / mean;
}

/**
 * K×K matrix of cosines between the rows of a K×d matrix (cos(v_k, v_l)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const cosines = cosineMatrix({ rows: 2, cols: 2, data: [1, 0, 1, 1] });
 * const expected = [1, Math.SQRT1_2, Math.SQRT1_2, 1];
 * assert.ok(cosines.every((cosine, i) => Math.abs(cosine - expected[i]) < 1e-15));
 * ```
 */
export function cosineMatrix(vectors: DenseMatrix): Float64Array {
  const k = vectors.rows;
  const d = vectors.cols;
  const norms = rowNorms(vectors);
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += vectors.data[a * d + j] * vectors.data[b * d + j];
      out[a * k + b] = out[b * k + a] = dot / (norms[a] * norms[b]);
    }
  }
  return out;
}

/**
 * Mean pairwise cosine of the classifier rows of `classes` (the minority-collapse angle of
 * Fang et al. 2021: → 1 as the minority classifiers merge; docs/imbalanced.md#minority-collapse).
 * Rows that are exactly zero are skipped; NaN when fewer than two rows remain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const W = { rows: 3, cols: 2, data: [1, 0, 0, 1, 0, 2] };
 * assert.equal(classifierCosine(W, [1, 2]), 1);
 * ```
 */
export function classifierCosine(classifier: DenseMatrix, classes: readonly number[]): number {
  const width = classifier.cols;
  const w = classifier.data;
  const rows = classes.filter((k) => {
    let sq = 0;
    for (let i = 0; i < width; i++) sq += w[k * width + i] ** 2;
    return sq > 0;
  });
  if (rows.length < 2) return NaN;
  let total = 0, pairs = 0;
  for (let a = 0; a < rows.length; a++) {
    for (let c = a + 1; c < rows.length; c++) {
      let dot = 0, na = 0, nc = 0;
      for (let i = 0; i < width; i++) {
        const x = w[rows[a] * width + i], y = w[rows[c] * width + i];
        dot += x * y;
        na += x * x;
        nc += y * y;
      }
      total += dot / Math.sqrt(na * nc);
      pairs++;
    }
  }
  return total / pairs;
}
