/**
 * Streaming NC metrics: feed batches of (features, labels) and get the full metric set of
 * definitions.ts at the end, never holding all features. Two exact passes over the data, as
 * rhubarbwu's accumulators (docs/metrics.md#rhubarbwu) and as a PyTorch user iterates a data
 * loader:
 *
 * 1. `addMeans(batch)` for every batch, then `finishMeans()`: per-class counts and f64 sums,
 *    hence the class means, the sample mean and the mean of class means;
 * 2. `addDeviations(batch)` for the same batches: per-class Σ‖x − μ_k‖², the within-class
 *    covariance seen through the between-class basis A = M̃ᵀ/√K (K×K, when K ≤ d) or in full
 *    (d×d, when K > d), and the nearest-class-mean decisions;
 * 3. `metrics()`: the final stage (summary.ts).
 *
 * Every deviation is formed from the final means (x − μ_k), so nothing cancels and no
 * Welford-style correction is needed; sums of each pass are plain f64. Memory: the K×d sums and
 * means, a K×K or d×d matrix, and one block of the current batch — O(K·d + min(K, d)²), never
 * N·d. Batch size does not matter beyond rounding: batches of 1, 7 or N samples agree to
 * ~1e-15 relative (tests/accumulator_test.ts asserts 1e-12).
 *
 * `ncMetrics` (mod.ts) is this accumulator fed with one batch, so there is one implementation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { NcAccumulator } from "./accumulator.ts";
 * const batches = [
 *   { features: Matrix.from(2, 2, [1, 0, 1.2, 0]), labels: [0, 0] },
 *   { features: Matrix.from(2, 2, [0, 1, 0, 0.8]), labels: [1, 1] },
 * ];
 * const accumulator = new NcAccumulator({ classes: 2, dim: 2 });
 * for (const batch of batches) accumulator.addMeans(batch);
 * accumulator.finishMeans();
 * for (const batch of batches) accumulator.addDeviations(batch);
 * const metrics = accumulator.metrics();
 * accumulator.free();
 * assert.ok(metrics.nc1 > 0 && metrics.nc1 < 0.1);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { core } from "../core/wasm.ts";
import { gemm } from "../gemm.ts";
import { Matrix } from "../matrix.ts";
import {
  addClassSquaredDeviations,
  addClassSums,
  type FeatureLayout,
  featureStrides,
  forEachCenteredBlock,
  labelsInCore,
} from "./class_stats.ts";
import type { NcMetrics } from "./definitions.ts";
import { centeredRows } from "./duality.ts";
import { betweenClassBasis } from "./nc1.ts";
import { type NccTallies, summarize, type SummaryOptions } from "./summary.ts";
import {
  checkLabels,
  emptyClassError,
  requireFiniteFeatures,
  validateClassifier,
} from "./validate.ts";

/** One batch of labelled features. */
export interface FeatureBatch {
  /** Features: rows×d with samples as rows (default) or d×rows with samples as columns. */
  features: Matrix;
  /** Sample layout of `features` (default `"samples-as-rows"`). */
  layout?: FeatureLayout;
  /** Class labels of the batch's samples, integers in [0, K). */
  labels: ArrayLike<number>;
  /**
   * Names sample i of this batch in error messages, e.g. `feats_2.npy row 17`
   * (default: `sample <running index>`).
   */
  describe?: (index: number) => string;
}

/** Options of {@link NcAccumulator}. */
export interface NcAccumulatorOptions {
  /** Number of classes K (≥ 2). */
  classes: number;
  /** Feature dimension d. */
  dim: number;
  /** Classifier W (K×d); the metrics that need it are null without it. */
  weights?: Matrix | null;
  /** Classifier bias b (length K); needs `weights`. */
  bias?: ArrayLike<number> | null;
  /** Nearest-class-mean decisions in pass 2, N·K·d flops (default true). */
  ncc?: boolean;
  /** Samples per block in pass 2 (default 256). */
  blockRows?: number;
}

/** State of pass 2, created by `finishMeans`. */
interface DeviationState {
  means: Matrix;
  sampleMean: Float64Array;
  meanOfMeans: Float64Array;
  /** A = M̃ᵀ/√K (d×K) when K ≤ d; null when Σ_W is accumulated in full. */
  basis: Matrix | null;
  /** AᵀΣ_W A (K×K) or Σ_W (d×d), accumulated with the 1/N factor. */
  within: Matrix;
  sqDeviations: Float64Array;
  counts: Float64Array;
  samples: number;
  /** NCC: M̃ on the sample mean, its squared row norms, μ_G as a 1×d matrix. */
  centeredMeans: Matrix | null;
  centeredNorms: Float64Array | null;
  center: Matrix | null;
  /** (Wμ_G)_k + b_k and (Wμ_G)_k: scores of x = x_c + μ_G with and without the bias. */
  offsetWithBias: Float64Array | null;
  offsetNoBias: Float64Array | null;
  ncc: NccTallies | null;
}

/**
 * Core memory (bytes) an {@link NcAccumulator} needs for K classes and d features, excluding
 * the caller's batches: means and their centred copies (≈ 8 K×d matrices with the
 * classifier), a min(K, d)² matrix and its eigenvectors, pass-2 blocks, and the 32 MiB blocks
 * of the K×K products in the final stage. For `assertCoreFits` before a large run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(accumulatorBytes(10000, 768) < 2 ** 30); // K = 10,000 at d = 768 fits
 * ```
 */
export function accumulatorBytes(classes: number, dim: number, blockRows = 256): number {
  const small = Math.min(classes, dim);
  return 8 * (8 * classes * dim + 3 * small * small + blockRows * (2 * dim + 3 * classes)) +
    2 * 8 * (1 << 22) + 16 * dim * dim;
}

/** Streaming two-pass NC metrics (see the module notes). */
export class NcAccumulator {
  /** K. */
  readonly classes: number;
  /** d. */
  readonly dim: number;
  readonly #weights: Matrix | null;
  readonly #ownsWeights: boolean;
  readonly #bias: Float64Array | null;
  readonly #ncc: boolean;
  readonly #blockRows: number;
  #pass: 1 | 2 | 3 = 1;
  // Pass 1.
  #sums: Float64Array;
  #counts: Float64Array;
  #samples = 0;
  #batchSums: Matrix | null = null;
  // Pass 2.
  #state: DeviationState | null = null;

  /** A new accumulator in pass 1; throws a {@link UsageError} for an invalid classifier. */
  constructor(options: NcAccumulatorOptions) {
    const { classes, dim } = options;
    if (!Number.isInteger(classes) || classes < 2) {
      throw new UsageError(`need at least 2 classes, got K = ${classes}`);
    }
    if (!Number.isInteger(dim) || dim < 1) throw new UsageError(`features: d = ${dim}`);
    this.classes = classes;
    this.dim = dim;
    const classifier = validateClassifier(
      options.weights ?? null,
      options.bias ?? null,
      classes,
      dim,
    );
    this.#weights = classifier.weights;
    this.#ownsWeights = classifier.ownsWeights;
    this.#bias = classifier.bias;
    this.#ncc = options.ncc ?? true;
    this.#blockRows = options.blockRows ?? 256;
    this.#sums = new Float64Array(classes * dim);
    this.#counts = new Float64Array(classes);
  }

  /** 1 while collecting means, 2 while collecting deviations, 3 once `metrics()` ran. */
  get pass(): 1 | 2 | 3 {
    return this.#pass;
  }

  /** Samples seen in pass 1 so far. */
  get samples(): number {
    return this.#samples;
  }

  /** Pass 1: adds a batch to the class sums and counts (checks values and labels). */
  addMeans(batch: FeatureBatch): void {
    this.#expectPass(1, "addMeans");
    const first = this.#samples;
    const { features, layout, labels, count } = this.#prepare(batch, first);
    try {
      const describe = batch.describe ?? ((i: number) => `sample ${first + i}`);
      requireFiniteFeatures(features, layout, describe);
      const labelsPtr = labelsInCore(labels);
      try {
        this.#batchSums ??= Matrix.zeros(this.classes, this.dim);
        addClassSums(
          features,
          layout,
          labelsPtr,
          this.classes,
          this.#sums,
          this.#counts,
          this.#batchSums,
        );
      } finally {
        core.free(labelsPtr);
      }
      this.#samples += count;
    } finally {
      if (features !== batch.features) features.free();
    }
  }

  /** Ends pass 1: class means and global means; throws if a class has no samples. */
  finishMeans(): void {
    this.#expectPass(1, "finishMeans");
    const { classes, dim } = this;
    if (this.#samples === 0) throw new UsageError("no samples were added");
    const empty = this.#counts.indexOf(0);
    if (empty >= 0) throw emptyClassError(empty, classes);
    const samples = this.#samples;
    const means = Matrix.zeros(classes, dim);
    const meanData = means.data;
    const sampleMean = new Float64Array(dim);
    const meanOfMeans = new Float64Array(dim);
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) {
        const sum = this.#sums[k * dim + j];
        const mean = sum / this.#counts[k];
        meanData[k * dim + j] = mean;
        sampleMean[j] += sum / samples;
        meanOfMeans[j] += mean / classes;
      }
    }
    const gramForm = classes <= dim;
    const size = gramForm ? classes : dim;
    const state: DeviationState = {
      means,
      sampleMean,
      meanOfMeans,
      basis: gramForm ? betweenClassBasis(means, sampleMean) : null,
      within: Matrix.zeros(size, size),
      sqDeviations: new Float64Array(classes),
      counts: new Float64Array(classes),
      samples: 0,
      centeredMeans: null,
      centeredNorms: null,
      center: null,
      offsetWithBias: null,
      offsetNoBias: null,
      ncc: null,
    };
    if (this.#ncc) {
      const centered = centeredRows(means, sampleMean);
      const norms = new Float64Array(classes);
      const data = centered.data;
      for (let k = 0; k < classes; k++) {
        for (let j = 0; j < dim; j++) norms[k] += data[k * dim + j] ** 2;
      }
      state.centeredMeans = centered;
      state.centeredNorms = norms;
      state.center = Matrix.from(1, dim, sampleMean);
      const weights = this.#weights;
      state.ncc = {
        correct: new Float64Array(classes),
        mismatch: weights ? new Float64Array(classes) : null,
        agreeNoBias: weights ? new Float64Array(classes) : null,
      };
      if (weights) {
        const w = weights.data;
        state.offsetNoBias = new Float64Array(classes);
        for (let k = 0; k < classes; k++) {
          for (let j = 0; j < dim; j++) state.offsetNoBias[k] += w[k * dim + j] * sampleMean[j];
        }
        state.offsetWithBias = state.offsetNoBias.map((value, k) => value + (this.#bias?.[k] ?? 0));
      }
    }
    this.#state = state;
    this.#sums = new Float64Array(0);
    this.#batchSums?.free();
    this.#batchSums = null;
    this.#pass = 2;
  }

  /** Pass 2: adds a batch (the same data as pass 1, in any batching) to the deviations. */
  addDeviations(batch: FeatureBatch): void {
    this.#expectPass(2, "addDeviations");
    const state = this.#state as DeviationState;
    const { features, layout, labels, count } = this.#prepare(batch, state.samples);
    const labelsPtr = labelsInCore(labels);
    const products = new Map<string, Matrix>();
    const scratch = (name: string, rows: number, cols: number): Matrix => {
      const key = `${name}:${rows}`;
      let matrix = products.get(key);
      if (matrix === undefined) {
        matrix = Matrix.zeros(rows, cols);
        products.set(key, matrix);
      }
      return matrix;
    };
    try {
      addClassSquaredDeviations(features, layout, labelsPtr, state.means, state.sqDeviations);
      for (let i = 0; i < count; i++) state.counts[labels[i]]++;
      const scale = 1 / this.#samples;
      const classes = this.classes;
      forEachCenteredBlock(features, labelsPtr, state.means, (block, first, shifted) => {
        if (state.basis) {
          // AᵀΣ_W A += (X_c A)ᵀ(X_c A)/N.
          const projected = scratch("projected", block.rows, classes);
          gemm(projected, block, state.basis);
          gemm(state.within, projected, projected, { transA: true, beta: 1, alpha: scale });
        } else {
          gemm(state.within, block, block, { transA: true, beta: 1, alpha: scale });
        }
        if (shifted) this.#tallyNcc(state, shifted, labels, first, scratch);
      }, {
        layout,
        blockRows: this.#blockRows,
        alsoCenteredOn: state.center ?? undefined,
      });
      state.samples += count;
    } finally {
      core.free(labelsPtr);
      for (const matrix of products.values()) matrix.free();
      if (features !== batch.features) features.free();
    }
  }

  /**
   * The NC metrics (after both passes). Throws a {@link UsageError} if pass 2 did not see the
   * same samples per class as pass 1.
   */
  metrics(options: SummaryOptions = {}): NcMetrics {
    this.#expectPass(2, "metrics");
    const state = this.#state as DeviationState;
    for (let k = 0; k < this.classes; k++) {
      if (state.counts[k] !== this.#counts[k]) {
        throw new UsageError(
          `pass 2 saw ${state.counts[k]} samples of class ${k}, pass 1 saw ${this.#counts[k]}: ` +
            `both passes must feed the same data`,
        );
      }
    }
    const metrics = summarize({
      counts: this.#counts,
      means: state.means,
      sampleMean: state.sampleMean,
      meanOfMeans: state.meanOfMeans,
      sqDeviations: state.sqDeviations,
      within: {
        form: state.basis ? "gram" : "covariance",
        matrix: state.within.toFloat64Array(),
      },
      ncc: state.ncc,
      weights: this.#weights,
      bias: this.#bias,
    }, options);
    this.#pass = 3;
    return metrics;
  }

  /** Class means (K×d copy) once pass 1 is finished. */
  means(): Matrix {
    if (this.#state === null) throw new Error("NcAccumulator.means: call finishMeans() first");
    return this.#state.means.clone();
  }

  /** Releases the core memory (also released on garbage collection otherwise). */
  free(): void {
    this.#batchSums?.free();
    const state = this.#state;
    if (state) {
      for (const matrix of [state.means, state.basis, state.within, state.centeredMeans]) {
        matrix?.free();
      }
      state.center?.free();
    }
    if (this.#ownsWeights) this.#weights?.free();
  }

  #expectPass(pass: 1 | 2, method: string): void {
    if (this.#pass !== pass) {
      const now = ["", "pass 1 (addMeans)", "pass 2 (addDeviations)", "finished"][this.#pass];
      throw new Error(`NcAccumulator.${method}: the accumulator is in ${now}`);
    }
  }

  /** Shape checks and conversion: f64 features, Int32 labels in range. */
  #prepare(
    batch: FeatureBatch,
    first: number,
  ): { features: Matrix; layout: FeatureLayout; labels: Int32Array; count: number } {
    const layout = batch.layout ?? "samples-as-rows";
    const { samples, dim } = featureStrides(batch.features, layout);
    if (dim !== this.dim) {
      throw new UsageError(`features: batch has d = ${dim}, expected d = ${this.dim}`);
    }
    if (batch.labels.length !== samples) {
      throw new UsageError(
        `features: batch has ${samples} samples but ${batch.labels.length} labels`,
      );
    }
    const labels = checkLabels(batch.labels, this.classes, first);
    const features = batch.features.dtype === "f64" ? batch.features : batch.features.clone("f64");
    return { features, layout, labels, count: samples };
  }

  /**
   * NCC decisions of one block, from the samples centred on the sample mean (x_g = x − μ_G):
   * nearest mean = argmin_k ‖m̃_k‖² − 2 x_g·m̃_k, classifier = argmax_k (W x_g)_k + (Wμ_G)_k
   * (+ b_k). Ties go to the lowest class index (numpy / torch argmin, argmax).
   */
  #tallyNcc(
    state: DeviationState,
    shifted: Matrix,
    labels: Int32Array,
    first: number,
    scratch: (name: string, rows: number, cols: number) => Matrix,
  ): void {
    const classes = this.classes;
    const rows = shifted.rows;
    const ncc = state.ncc as NccTallies;
    const distances = scratch("distances", rows, classes);
    gemm(distances, shifted, state.centeredMeans as Matrix, { transB: true });
    const norms = state.centeredNorms as Float64Array;
    const weights = this.#weights;
    let scores: Float64Array | null = null;
    if (weights) {
      const product = scratch("scores", rows, classes);
      gemm(product, shifted, weights, { transB: true });
      scores = product.data as Float64Array;
    }
    const dots = distances.data;
    const withBias = state.offsetWithBias;
    const noBias = state.offsetNoBias;
    for (let r = 0; r < rows; r++) {
      const y = labels[first + r];
      const row = r * classes;
      let nearest = 0;
      let nearestValue = Infinity;
      for (let k = 0; k < classes; k++) {
        const value = norms[k] - 2 * dots[row + k];
        if (value < nearestValue) {
          nearestValue = value;
          nearest = k;
        }
      }
      if (nearest === y) ncc.correct[y]++;
      if (scores && withBias && noBias) {
        let best = 0;
        let bestScore = -Infinity;
        let bestNoBias = 0;
        let bestScoreNoBias = -Infinity;
        for (let k = 0; k < classes; k++) {
          const score = scores[row + k];
          if (score + withBias[k] > bestScore) {
            bestScore = score + withBias[k];
            best = k;
          }
          if (score + noBias[k] > bestScoreNoBias) {
            bestScoreNoBias = score + noBias[k];
            bestNoBias = k;
          }
        }
        if (best !== nearest) (ncc.mismatch as Float64Array)[y]++;
        if (bestNoBias === nearest) (ncc.agreeNoBias as Float64Array)[y]++;
      }
    }
  }
}
