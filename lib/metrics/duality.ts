/**
 * Classifier-side metrics (docs/metrics.md#zhu, docs/metrics.md#papyan, docs/metrics.md#rhubarbwu):
 * NC2 on the classifier W, NC3 / self-duality between W and the class means, UNC3, equinorm /
 * equiangularity / coherence of the rows w_k, and ‖Wμ_G + b‖. K×K products are visited in blocks
 * (pairwise.ts), so K = 10,000 classes need no K×K matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classifierMetrics, centeredRows } from "./duality.ts";
 * const means = Matrix.from(2, 2, [1, 0.1, 0.1, 1]);
 * const center = [0.55, 0.55];
 * const centered = centeredRows(means, center);
 * const weights = Matrix.from(2, 2, [1, -1, -1, 1]);
 * const metrics = classifierMetrics(weights, new Float64Array([0, 0]), {
 *   means, sampleCentered: centered, meanCentered: centered, sampleMean: center,
 * });
 * assert.ok(metrics.nc3 < 1e-15); // W ∝ centred means: self-dual
 * ```
 * @module
 */
import { oneVsRestMargin } from "../theory/softmax_code.ts";
import { Matrix } from "../matrix.ts";
import { coefficientOfVariation, normalizedDistance, rowNorms } from "./geometry.ts";
import { gramStatistics, productDistance } from "./pairwise.ts";

/** Metrics that need the classifier (each documented in `NcMetrics`, definitions.ts). */
export interface ClassifierMetrics {
  nc2_w_etf: number;
  nc2_w_etf_centered: number;
  nc2_w_of: number;
  nc3: number;
  nc3_centered_w: number;
  nc3_mean_of_means: number;
  self_duality_sq: number;
  self_duality_uncentered: number;
  unc3: number;
  unc3_cosine: number;
  nc3_uncentered: number;
  gnc3: number;
  gnc2_margin_w: number | null;
  norm_w_cov: number;
  equiangularity_w: number;
  coherence_w: number;
  wmu_g_b_norm: number;
  /** ‖w_k‖ per class. */
  w_norm: number[];
  /** cos(w_k, μ_k − μ_G) per class, μ_G = mean of class means. */
  cos_w_mean: number[];
  /** ⟨w_k, μ_k − μ_G⟩ per class, μ_G = mean of class means. */
  w_mean_dot: number[];
}

/** The class means of {@link classifierMetrics} in the centrings it needs (all K×d). */
export interface MeanViews {
  /** Uncentred class means M. */
  means: Matrix;
  /** M̃ centred on the sample mean. */
  sampleCentered: Matrix;
  /** M̃ centred on the mean of class means. */
  meanCentered: Matrix;
  /** The sample mean μ_G (for ‖Wμ_G + b‖). */
  sampleMean: ArrayLike<number>;
}

/**
 * Rows v_k − center of a K×d matrix (M̃ of docs/metrics.md#shared-objects when the rows are class
 * means; W − mean row when `center` is the mean of the rows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const centered: Matrix = centeredRows(Matrix.from(2, 1, [1, 3]), [2]);
 * assert.deepEqual(centered.toRows(), [[-1], [1]]);
 * ```
 */
export function centeredRows(rows: Matrix, center: ArrayLike<number>): Matrix {
  const { rows: count, cols: dim } = rows;
  const out = Matrix.zeros(count, dim);
  const source = rows.data;
  const data = out.data;
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < dim; j++) data[k * dim + j] = source[k * dim + j] - center[j];
  }
  return out;
}

/** Mean of the rows of a K×d matrix. */
function rowMean(rows: Matrix): Float64Array {
  const mean = new Float64Array(rows.cols);
  const data = rows.data;
  for (let k = 0; k < rows.rows; k++) {
    for (let j = 0; j < rows.cols; j++) mean[j] += data[k * rows.cols + j] / rows.rows;
  }
  return mean;
}

/** The rows of a K×d row-major array, each scaled to unit length (zero rows stay zero). */
export function unitRows(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, k) => {
    const row = Array.from({ length: cols }, (_, j) => data[k * cols + j]);
    const norm = Math.hypot(...row);
    return norm === 0 ? row : row.map((value) => value / norm);
  });
}

/**
 * Classes above which the GNC2 margins are not computed (null): the exact margin is K hull
 * distances of K − 1 points each, about O(K⁴) (measured per margin: a collapsed simplex ETF of
 * K = 128, 0.7 s — K = 256 would take ~11 s; random unit rows K = 200, d = 128, 1.0 s).
 */
export const GNC_MARGIN_MAX_CLASSES = 128;

/**
 * GNC2: the one-vs-rest margin of the unit rows of a K×d row-major array (lib/theory/
 * softmax_code.ts), or null when K > {@link GNC_MARGIN_MAX_CLASSES}.
 */
export function unitRowMargin(data: ArrayLike<number>, rows: number, cols: number): number | null {
  return rows > GNC_MARGIN_MAX_CLASSES ? null : oneVsRestMargin(unitRows(data, rows, cols));
}

/** Unbiased (n − 1) variance, as `torch.var`. */
function unbiasedVariance(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
}

/**
 * All classifier metrics for W (K×d, f64) and optional bias b; conventions per metric:
 * - nc2_w_etf = dist(WWᵀ, E_K), W uncentered (tding1 `ETF_metric`);
 * - nc2_w_etf_centered: W ← W − mean row first (nc_loss `compute_ETF`);
 * - nc2_w_of = dist(WWᵀ, I/√K) (Dang et al. `compute_NC2_Identity_W`, docs/metrics.md#nc2-w);
 * - nc3 = dist(W M̃ᵀ, E_K), M̃ centred on the sample mean (tding1 `WH_relation_metric`);
 * - nc3_centered_w: the same with W centred (nc_loss `compute_W_H_relation`);
 * - nc3_mean_of_means: M̃ centred on the mean of class means (rhubarbwu `self_duality_error`);
 * - self_duality_sq = ‖W/‖W‖_F − M̃/‖M̃‖_F‖_F², M̃ centred on the mean of class means
 *   (Papyan `W_M_dist`, squared);
 * - self_duality_uncentered = ‖W/‖W‖_F − M/‖M‖_F‖_F with uncentered means M (the NC3 of the
 *   bias-free MSE UFM, where w_k ∝ h̄_k, docs/ufm-mse.md#mse-bias-free);
 * - unc3 = unbiased variance over k of ⟨w_k, μ̃_k⟩ (rhubarbwu `similarities(W, M, m_G).var()`,
 *   μ̃ on the mean of class means); unc3_cosine the same for cos(w_k, μ̃_k);
 * - norm_w_cov, equiangularity_w, coherence_w on the uncentered rows w_k (Papyan colab);
 * - wmu_g_b_norm = ‖Wμ_G + b‖₂, μ_G the sample mean, b = 0 if absent (tding1 / nc_loss);
 * - nc3_uncentered = dist(W Mᵀ, E_K) with UNcentred means (Yaras et al. `nc3`, features
 *   normalized; docs/metrics.md#gnc);
 * - gnc3 = (1/K) Σ_k (1 − cos(w_k, μ_k − μ_G)), μ_G the mean of class means (Jiang et al. GNC3);
 * - gnc2_margin_w = ρ(W/‖w_k‖): the one-vs-rest margin of the unit classifier rows,
 *   min_k dist(ŵ_k, conv{ŵ_j : j ≠ k}) (Jiang et al. GNC2; lib/theory/softmax_code.ts), null
 *   above {@link GNC_MARGIN_MAX_CLASSES} classes.
 */
export function classifierMetrics(
  weights: Matrix,
  bias: Float64Array | null,
  views: MeanViews,
): ClassifierMetrics {
  const { rows: classes, cols: dim } = weights;
  const { means, sampleCentered, meanCentered, sampleMean } = views;
  const w = weights.data;
  const centeredW = centeredRows(weights, rowMean(weights));
  try {
    const own = gramStatistics(weights, { targets: ["etf", "of"] });
    const wNorms = rowNorms(weights);
    const mNorms = rowNorms(meanCentered);
    const dots = Array.from({ length: classes }, (_, k) => {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += w[k * dim + j] * meanCentered.data[k * dim + j];
      return dot;
    });
    const cosWithMean = dots.map((dot, k) => dot / (wNorms[k] * mNorms[k]));

    let offset2 = 0; // ‖Wμ_G + b‖²
    for (let k = 0; k < classes; k++) {
      let value = bias ? bias[k] : 0;
      for (let j = 0; j < dim; j++) value += w[k * dim + j] * sampleMean[j];
      offset2 += value * value;
    }
    return {
      nc2_w_etf: own.etf,
      nc2_w_etf_centered: gramStatistics(centeredW, { targets: ["etf"], pairs: false }).etf,
      nc2_w_of: own.of,
      nc3: productDistance(weights, sampleCentered, "etf"),
      nc3_centered_w: productDistance(centeredW, sampleCentered, "etf"),
      nc3_mean_of_means: productDistance(weights, meanCentered, "etf"),
      self_duality_sq: normalizedDistance(w, meanCentered.data) ** 2,
      self_duality_uncentered: normalizedDistance(w, means.data),
      unc3: unbiasedVariance(dots),
      unc3_cosine: unbiasedVariance(cosWithMean),
      nc3_uncentered: productDistance(weights, means, "etf"),
      gnc3: cosWithMean.reduce((sum, cosine) => sum + (1 - cosine), 0) / classes,
      gnc2_margin_w: unitRowMargin(w, classes, dim),
      norm_w_cov: coefficientOfVariation(wNorms),
      equiangularity_w: own.equiangularity,
      coherence_w: own.coherence,
      wmu_g_b_norm: Math.sqrt(offset2),
      w_norm: Array.from(wNorms),
      cos_w_mean: cosWithMean,
      w_mean_dot: dots,
    };
  } finally {
    centeredW.free();
  }
}
