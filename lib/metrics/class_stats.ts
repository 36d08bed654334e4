/**
 * Class statistics of labelled features (science.md §4, shared objects): class counts and
 * means, the two global means in use (sample mean and mean of class means), per-class
 * within-class variances, and streaming access to the class-centred features x_i − μ_{y_i}
 * in blocks, so that products such as X_c·A never need an N×d copy.
 *
 * Features are a {@link Matrix} in core memory, either N×d with samples as rows (a `.npy`
 * file) or d×N with samples as columns (the UFM's H). Inputs are assumed valid here; the
 * checks live in `validate.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classStatistics } from "./class_stats.ts";
 * const features = Matrix.from(4, 2, [0, 0, 2, 0, 5, 5, 5, 7]);
 * const stats = classStatistics(features, new Int32Array([0, 0, 1, 1]), 2);
 * assert.deepEqual(stats.means.toRows(), [[1, 0], [5, 6]]);
 * assert.deepEqual([...stats.withinVariance], [1, 1]);
 * ```
 * @module
 */
import { core } from "../core/wasm.ts";
import { gemm } from "../gemm.ts";
import { Matrix } from "../matrix.ts";

/** How samples are laid out in a feature matrix. */
export type FeatureLayout = "samples-as-rows" | "samples-as-columns";

/** Class statistics of a labelled feature matrix (all f64). */
export interface ClassStatistics {
  /** Number of classes K. */
  classes: number;
  /** Number of samples N. */
  samples: number;
  /** Feature dimension d. */
  dim: number;
  /** Samples per class n_k. */
  counts: Int32Array;
  /** Class means μ_k as the rows of a K×d matrix (core memory). */
  means: Matrix;
  /** Sample mean (1/N)Σ_i x_i = Σ_k (n_k/N) μ_k (tding1 / nc_loss μ_G, §4.1). */
  globalMean: Float64Array;
  /** Mean of class means (1/K)Σ_k μ_k (Papyan colab / rhubarbwu μ_G, §4.2, §4.7). */
  meanOfMeans: Float64Array;
  /** σ_k² = (1/n_k) Σ_{i: y_i = k} ‖x_i − μ_k‖² (divided by n_k, rhubarbwu §4.7). */
  withinVariance: Float64Array;
  /** Tr Σ_W = (1/N) Σ_i ‖x_i − μ_{y_i}‖² (Σ_W divided by the total N, §4). */
  withinTrace: number;
}

/**
 * Sizes and element strides of sample i / feature j in a feature matrix of the given layout
 * (element (i, j) is `data[i * rowStride + j * colStride]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * assert.deepEqual(featureStrides(Matrix.zeros(5, 3), "samples-as-columns"),
 *   { samples: 3, dim: 5, rowStride: 1, colStride: 3 });
 * ```
 */
export function featureStrides(
  features: Matrix,
  layout: FeatureLayout,
): { samples: number; dim: number; rowStride: number; colStride: number } {
  return layout === "samples-as-rows"
    ? { samples: features.rows, dim: features.cols, rowStride: features.cols, colStride: 1 }
    : { samples: features.cols, dim: features.rows, rowStride: 1, colStride: features.cols };
}

/** Copies labels into core memory for a kernel call; the caller frees the address. */
function labelsInCore(labels: Int32Array): number {
  const ptr = core.alloc(Math.max(16, labels.length * 4));
  new Int32Array(core.memory.buffer, ptr, labels.length).set(labels);
  return ptr;
}

/**
 * Class counts, means, global means and within-class variances of `features` (two passes over
 * the data with the `class_sums_f64` and `class_sq_dev_f64` kernels). Every class must be
 * non-empty and every label in [0, classes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * // H = [h_1 h_2 h_3] (d = 2, samples as columns), classes 0, 0, 1.
 * const H = Matrix.from(2, 3, [1, 3, 0, 0, 0, 5]);
 * const stats = classStatistics(H, new Int32Array([0, 0, 1]), 2, "samples-as-columns");
 * assert.deepEqual(stats.means.toRows(), [[2, 0], [0, 5]]);
 * assert.deepEqual([...stats.globalMean].map((x) => x * 3), [4, 5]); // [4/3, 5/3]
 * stats.means.free(); // optional: released on garbage collection otherwise
 * ```
 */
export function classStatistics(
  features: Matrix,
  labels: Int32Array,
  classes: number,
  layout: FeatureLayout = "samples-as-rows",
): ClassStatistics {
  const { samples, dim, rowStride, colStride } = featureStrides(features, layout);
  const means = Matrix.zeros(classes, dim);
  const labelsPtr = labelsInCore(labels);
  const countsPtr = core.alloc(Math.max(16, classes * 4));
  const sqDevPtr = core.alloc(Math.max(16, classes * 8));
  try {
    core.class_sums_f64(
      features.ptr,
      samples,
      dim,
      rowStride,
      colStride,
      labelsPtr,
      classes,
      means.ptr,
      countsPtr,
    );
    const counts = new Int32Array(core.memory.buffer, countsPtr, classes).slice();
    const meanData = means.data;
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) meanData[k * dim + j] /= counts[k];
    }
    core.class_sq_dev_f64(
      features.ptr,
      samples,
      dim,
      rowStride,
      colStride,
      labelsPtr,
      classes,
      means.ptr,
      sqDevPtr,
    );
    const sqDeviations = new Float64Array(core.memory.buffer, sqDevPtr, classes).slice();

    const globalMean = new Float64Array(dim);
    const meanOfMeans = new Float64Array(dim);
    const data = means.data;
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) {
        globalMean[j] += (counts[k] / samples) * data[k * dim + j];
        meanOfMeans[j] += data[k * dim + j] / classes;
      }
    }
    const withinVariance = sqDeviations.map((total, k) => total / counts[k]);
    const withinTrace = sqDeviations.reduce((sum, total) => sum + total, 0) / samples;
    return {
      classes,
      samples,
      dim,
      counts,
      means,
      globalMean,
      meanOfMeans,
      withinVariance,
      withinTrace,
    };
  } finally {
    core.free(labelsPtr);
    core.free(countsPtr);
    core.free(sqDevPtr);
  }
}

/** Options of {@link forEachCenteredBlock}. */
export interface CenteredBlockOptions {
  /** Sample layout of `features` (default samples-as-rows). */
  layout?: FeatureLayout;
  /** Samples per block (default 256: a block of d = 512 features is 1 MiB). */
  blockRows?: number;
}

/**
 * Streams the class-centred features x_i − μ_{y_i} through `visit` in blocks of consecutive
 * samples: `block` is a rows×d matrix (samples as rows) holding samples first … first+rows−1.
 * The block matrices are reused between calls and freed afterwards; copy what you keep.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(3, 1, [1, 3, 7]);
 * const labels = new Int32Array([0, 0, 1]);
 * const stats = classStatistics(features, labels, 2);
 * const seen: [number, number[][]][] = [];
 * forEachCenteredBlock(features, labels, stats.means, (block, first) => {
 *   seen.push([first, block.toRows()]);
 * }, { blockRows: 1 });
 * assert.deepEqual(seen, [[0, [[-1]]], [1, [[1]]], [2, [[0]]]]);
 * ```
 */
export function forEachCenteredBlock(
  features: Matrix,
  labels: Int32Array,
  means: Matrix,
  visit: (block: Matrix, first: number) => void,
  options: CenteredBlockOptions = {},
): void {
  const { layout = "samples-as-rows", blockRows = 256 } = options;
  const { samples, dim, rowStride, colStride } = featureStrides(features, layout);
  const labelsPtr = labelsInCore(labels);
  const blocks = new Map<number, Matrix>();
  try {
    for (let first = 0; first < samples; first += blockRows) {
      const rows = Math.min(blockRows, samples - first);
      let block = blocks.get(rows);
      if (block === undefined) {
        block = Matrix.zeros(rows, dim);
        blocks.set(rows, block);
      }
      core.center_by_class_f64(
        features.ptr + 8 * first * rowStride,
        rows,
        dim,
        rowStride,
        colStride,
        labelsPtr + 4 * first,
        means.ptr,
        block.ptr,
      );
      visit(block, first);
    }
  } finally {
    core.free(labelsPtr);
    for (const block of blocks.values()) block.free();
  }
}

/** Options of {@link withinClassProjection}. */
export interface ProjectionOptions extends CenteredBlockOptions {
  /**
   * Called for every block with the projected block X_c·B (rows×p), the centred block X_c
   * (rows×d) and the index of its first sample — lets other per-sample statistics (the NCC
   * decisions in mod.ts) share the single pass over the data.
   */
  visit?: (projected: Matrix, centered: Matrix, first: number) => void;
}

/**
 * The within-class covariance seen through a basis: Bᵀ Σ_W B = (1/N)(X_c B)ᵀ(X_c B) for a
 * d×p matrix B (p×p result), computed block by block with {@link gemm} — the d×d Σ_W is
 * never formed. With B = M̃ᵀ/√K this is the K×K core of NC1 (see nc1.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(4, 2, [1, 0, 3, 0, 0, 1, 0, 3]);
 * const labels = new Int32Array([0, 0, 1, 1]);
 * const stats = classStatistics(features, labels, 2);
 * const basis = Matrix.from(2, 1, [1, 1]); // B = (1, 1)ᵀ
 * const projected: Matrix = withinClassProjection(features, labels, stats, basis);
 * assert.equal(projected.get(0, 0), 1); // Bᵀ Σ_W B
 * ```
 */
export function withinClassProjection(
  features: Matrix,
  labels: Int32Array,
  stats: ClassStatistics,
  basis: Matrix,
  options: ProjectionOptions = {},
): Matrix {
  if (basis.rows !== stats.dim) {
    throw new RangeError(
      `withinClassProjection: basis has ${basis.rows} rows, expected d = ${stats.dim}`,
    );
  }
  const gram = Matrix.zeros(basis.cols, basis.cols);
  const projected = new Map<number, Matrix>();
  try {
    forEachCenteredBlock(features, labels, stats.means, (block, first) => {
      let product = projected.get(block.rows);
      if (product === undefined) {
        product = Matrix.zeros(block.rows, basis.cols);
        projected.set(block.rows, product);
      }
      gemm(product, block, basis);
      gemm(gram, product, product, { transA: true, beta: 1, alpha: 1 / stats.samples });
      options.visit?.(product, block, first);
    }, options);
  } finally {
    for (const product of projected.values()) product.free();
  }
  return gram;
}
