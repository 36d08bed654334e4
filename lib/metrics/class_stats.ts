/**
 * Class statistics of labelled features (docs/metrics.md#shared-objects): class counts and
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
 * assert.deepEqual(stats.withinVariance, new Float64Array([1, 1]));
 * ```
 * @module
 */
import { coreAlloc } from "../core/budget.ts";
import { core } from "../core/wasm.ts";
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
  /** Sample mean (1/N)Σ_i x_i = Σ_k (n_k/N) μ_k (tding1 / nc_loss; docs/metrics.md#global-mean). */
  globalMean: Float64Array;
  /** Mean of class means (1/K)Σ_k μ_k (Papyan colab / rhubarbwu; docs/metrics.md#global-mean). */
  meanOfMeans: Float64Array;
  /** σ_k² = (1/n_k) Σ_{i: y_i = k} ‖x_i − μ_k‖² (divided by n_k, docs/metrics.md#cdnv). */
  withinVariance: Float64Array;
  /** Tr Σ_W = (1/N) Σ_i ‖x_i − μ_{y_i}‖² (over the total N, docs/metrics.md#shared-objects). */
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
 * assert.deepEqual(featureStrides(Matrix.zeros(5, 3), "samples-as-columns"), {
 *   samples: 3,
 *   dim: 5,
 *   rowStride: 1,
 *   colStride: 3,
 * });
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

/**
 * Copies labels into core memory for a kernel call; the caller frees the address with
 * `core.free`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "../core/wasm.ts";
 * const ptr = labelsInCore(new Int32Array([0, 1, 1]));
 * assert.deepEqual(new Int32Array(core.memory.buffer, ptr, 3), new Int32Array([0, 1, 1]));
 * core.free(ptr);
 * ```
 */
export function labelsInCore(labels: Int32Array): number {
  const ptr = coreAlloc(Math.max(16, labels.length * 4), `${labels.length} labels`);
  new Int32Array(core.memory.buffer, ptr, labels.length).set(labels);
  return ptr;
}

/**
 * Adds the per-class sums Σ_{i: y_i = k} x_i of a batch to `sums` (K×d row-major, plain f64)
 * and its class counts to `counts` (the `class_sums_f64` kernel on the batch, then one add per
 * class present). `labelsPtr` holds the batch's labels in core memory ({@link labelsInCore});
 * `scratch`, an optional K×d matrix, receives the batch sums (reused across batches).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "../core/wasm.ts";
 * import { Matrix } from "../matrix.ts";
 * const batch = Matrix.from(3, 1, [1, 2, 5]);
 * const labels = labelsInCore(new Int32Array([0, 1, 1]));
 * const sums = new Float64Array(2);
 * const counts = new Float64Array(2);
 * addClassSums(batch, "samples-as-rows", labels, 2, sums, counts);
 * core.free(labels);
 * assert.deepEqual([...sums, ...counts], [1, 7, 1, 2]);
 * ```
 */
export function addClassSums(
  features: Matrix,
  layout: FeatureLayout,
  labelsPtr: number,
  classes: number,
  sums: Float64Array,
  counts: Float64Array,
  scratch?: Matrix,
): void {
  const { samples, dim, rowStride, colStride } = featureStrides(features, layout);
  // The kernel overwrites its K×d output: a caller's scratch matrix saves an allocation per batch.
  const batchSums = scratch ?? Matrix.zeros(classes, dim);
  const countsPtr = coreAlloc(Math.max(16, classes * 4), `${classes} class counts`);
  try {
    core.class_sums_f64(
      features.ptr,
      samples,
      dim,
      rowStride,
      colStride,
      labelsPtr,
      classes,
      batchSums.ptr,
      countsPtr,
    );
    const batchCounts = new Int32Array(core.memory.buffer, countsPtr, classes);
    const data = batchSums.data;
    for (let k = 0; k < classes; k++) {
      if (batchCounts[k] === 0) continue;
      counts[k] += batchCounts[k];
      for (let j = 0; j < dim; j++) sums[k * dim + j] += data[k * dim + j];
    }
  } finally {
    if (batchSums !== scratch) batchSums.free();
    core.free(countsPtr);
  }
}

/**
 * Adds Σ_{i: y_i = k} ‖x_i − μ_k‖² of a batch to `out` (length K) with the `class_sq_dev_f64`
 * kernel: computed from the differences themselves, never as Σ‖x‖² − n‖μ‖² (which cancels once
 * features collapse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "../core/wasm.ts";
 * import { Matrix } from "../matrix.ts";
 * const batch = Matrix.from(3, 1, [1, 2, 4]);
 * const means = Matrix.from(2, 1, [1, 3]);
 * const labels = labelsInCore(new Int32Array([0, 1, 1]));
 * const out = new Float64Array(2);
 * addClassSquaredDeviations(batch, "samples-as-rows", labels, means, out);
 * core.free(labels);
 * assert.deepEqual(Array.from(out), [0, 2]);
 * ```
 */
export function addClassSquaredDeviations(
  features: Matrix,
  layout: FeatureLayout,
  labelsPtr: number,
  means: Matrix,
  out: Float64Array,
): void {
  const { samples, dim, rowStride, colStride } = featureStrides(features, layout);
  const classes = means.rows;
  const ptr = coreAlloc(Math.max(16, classes * 8), `${classes} squared deviations`);
  try {
    core.class_sq_dev_f64(
      features.ptr,
      samples,
      dim,
      rowStride,
      colStride,
      labelsPtr,
      classes,
      means.ptr,
      ptr,
    );
    const batch = new Float64Array(core.memory.buffer, ptr, classes);
    for (let k = 0; k < classes; k++) out[k] += batch[k];
  } finally {
    core.free(ptr);
  }
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
 * assert.deepEqual(stats.globalMean, new Float64Array([4 / 3, 5 / 3]));
 * stats.means.free(); // optional: released on garbage collection otherwise
 * ```
 */
export function classStatistics(
  features: Matrix,
  labels: Int32Array,
  classes: number,
  layout: FeatureLayout = "samples-as-rows",
): ClassStatistics {
  const { samples, dim } = featureStrides(features, layout);
  const labelsPtr = labelsInCore(labels);
  try {
    const sums = new Float64Array(classes * dim);
    const counts = new Float64Array(classes);
    addClassSums(features, layout, labelsPtr, classes, sums, counts);
    const means = Matrix.zeros(classes, dim);
    const meanData = means.data;
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) meanData[k * dim + j] = sums[k * dim + j] / counts[k];
    }
    const sqDeviations = new Float64Array(classes);
    addClassSquaredDeviations(features, layout, labelsPtr, means, sqDeviations);
    const globalMean = new Float64Array(dim);
    const meanOfMeans = new Float64Array(dim);
    const data = means.data;
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) {
        globalMean[j] += sums[k * dim + j] / samples;
        meanOfMeans[j] += data[k * dim + j] / classes;
      }
    }
    return {
      classes,
      samples,
      dim,
      counts: Int32Array.from(counts),
      means,
      globalMean,
      meanOfMeans,
      withinVariance: sqDeviations.map((total, k) => total / counts[k]),
      withinTrace: sqDeviations.reduce((sum, total) => sum + total, 0) / samples,
    };
  } finally {
    core.free(labelsPtr);
  }
}

/** Options of {@link forEachCenteredBlock}. */
export interface CenteredBlockOptions {
  /** Sample layout of `features` (default samples-as-rows). */
  layout?: FeatureLayout;
  /** Samples per block (default 256: a block of d = 512 features is 1 MiB). */
  blockRows?: number;
  /**
   * A 1×d matrix c: each block is also handed out centred on it, x_i − c (the NCC decisions
   * work on features centred on the global mean).
   */
  alsoCenteredOn?: Matrix;
}

/**
 * Streams the class-centred features x_i − μ_{y_i} through `visit` in blocks of consecutive
 * samples: `block` is a rows×d matrix (samples as rows) holding samples first … first+rows−1
 * (and `shifted` the same samples centred on `options.alsoCenteredOn`, if given). The block
 * matrices are reused between calls and freed afterwards; copy what you keep. `labelsPtr`
 * holds the labels in core memory ({@link labelsInCore}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "../core/wasm.ts";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(3, 1, [1, 3, 7]);
 * const labels = labelsInCore(new Int32Array([0, 0, 1]));
 * const means = Matrix.from(2, 1, [2, 7]);
 * const seen: [number, number[][]][] = [];
 * forEachCenteredBlock(features, labels, means, (block, first) => {
 *   seen.push([first, block.toRows()]); // copy: the block is reused
 * }, { blockRows: 1 });
 * assert.deepEqual(seen, [[0, [[-1]]], [1, [[1]]], [2, [[0]]]]);
 * core.free(labels);
 * ```
 */
export function forEachCenteredBlock(
  features: Matrix,
  labelsPtr: number,
  means: Matrix,
  visit: (block: Matrix, first: number, shifted: Matrix | null) => void,
  options: CenteredBlockOptions = {},
): void {
  const { layout = "samples-as-rows", blockRows = 256, alsoCenteredOn } = options;
  const { samples, dim, rowStride, colStride } = featureStrides(features, layout);
  const blocks = new Map<number, { block: Matrix; shifted: Matrix | null }>();
  // All-zero labels select row 0 of the 1×d centre for every sample.
  const zerosPtr = alsoCenteredOn
    ? coreAlloc(Math.max(16, 4 * Math.min(blockRows, samples)), "block labels")
    : 0;
  if (zerosPtr !== 0) {
    new Int32Array(core.memory.buffer, zerosPtr, Math.min(blockRows, samples)).fill(0);
  }
  try {
    for (let first = 0; first < samples; first += blockRows) {
      const rows = Math.min(blockRows, samples - first);
      let pair = blocks.get(rows);
      if (pair === undefined) {
        pair = {
          block: Matrix.zeros(rows, dim),
          shifted: alsoCenteredOn ? Matrix.zeros(rows, dim) : null,
        };
        blocks.set(rows, pair);
      }
      const start = features.ptr + 8 * first * rowStride;
      core.center_by_class_f64(
        start,
        rows,
        dim,
        rowStride,
        colStride,
        labelsPtr + 4 * first,
        means.ptr,
        pair.block.ptr,
      );
      if (pair.shifted && alsoCenteredOn) {
        core.center_by_class_f64(
          start,
          rows,
          dim,
          rowStride,
          colStride,
          zerosPtr,
          alsoCenteredOn.ptr,
          pair.shifted.ptr,
        );
      }
      visit(pair.block, first, pair.shifted);
    }
  } finally {
    if (zerosPtr !== 0) core.free(zerosPtr);
    for (const pair of blocks.values()) {
      pair.block.free();
      pair.shifted?.free();
    }
  }
}
