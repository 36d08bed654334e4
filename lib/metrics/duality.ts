/**
 * Classifier-side metrics (science.md §4.1, §4.2, §4.7): NC2 on the classifier W, NC3 /
 * self-duality between W and the class means, equinorm / equiangularity / coherence of the
 * rows w_k, and ‖Wμ_G + b‖.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classStatistics } from "./class_stats.ts";
 * import { classifierMetrics } from "./duality.ts";
 * const features = Matrix.from(4, 2, [1, 0, 1, 0.2, 0, 1, 0.2, 1]);
 * const stats = classStatistics(features, new Int32Array([0, 0, 1, 1]), 2);
 * const weights = Matrix.from(2, 2, [1, -1, -1, 1]);
 * const metrics = classifierMetrics(weights, new Float64Array([0, 0]), stats);
 * assert.ok(metrics.nc3 >= 0 && Number.isFinite(metrics.nc3));
 * assert.ok(Math.abs(metrics.wmu_g_b_norm) < 1e-12); // W μ_G = 0 for these symmetric means
 * ```
 * @module
 */
import { Matrix } from "../matrix.ts";
import type { ClassStatistics } from "./class_stats.ts";
import {
  coefficientOfVariation,
  coherence,
  cosineMatrix,
  equiangularity,
  gramDistance,
  normalizedDistance,
  rowGram,
  rowNorms,
} from "./geometry.ts";

/** Metrics that need the classifier (each documented in `NcMetrics`, mod.ts). */
export interface ClassifierMetrics {
  nc2_w_etf: number;
  nc2_w_etf_centered: number;
  nc2_w_of: number;
  nc3: number;
  nc3_centered_w: number;
  self_duality_sq: number;
  self_duality_uncentered: number;
  norm_w_cov: number;
  equiangularity_w: number;
  coherence_w: number;
  wmu_g_b_norm: number;
  /** ‖w_k‖ per class. */
  w_norm: number[];
  /** cos(w_k, μ_k − μ_G) per class, μ_G = mean of class means. */
  cos_w_mean: number[];
}

/**
 * Rows μ_k − center of the class means as a K×d matrix (M̃ in §4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { classStatistics } from "./class_stats.ts";
 * const stats = classStatistics(Matrix.from(2, 1, [1, 3]), new Int32Array([0, 1]), 2);
 * const centered: Matrix = centeredMeans(stats, stats.meanOfMeans);
 * assert.deepEqual(centered.toRows(), [[-1], [1]]);
 * ```
 */
export function centeredMeans(stats: ClassStatistics, center: ArrayLike<number>): Matrix {
  const { classes, dim } = stats;
  const out = Matrix.zeros(classes, dim);
  const means = stats.means.data;
  const data = out.data;
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j < dim; j++) data[k * dim + j] = means[k * dim + j] - center[j];
  }
  return out;
}

/**
 * All classifier metrics for W (K×d, f64) and optional bias b; conventions per metric:
 * - nc2_w_etf = dist(WWᵀ, E_K), W uncentered (tding1 `ETF_metric`);
 * - nc2_w_etf_centered: W ← W − mean row first (nc_loss `compute_ETF`);
 * - nc2_w_of = dist(WWᵀ, I/√K) (Dang et al. `compute_NC2_Identity_W`, §4.3);
 * - nc3 = dist(W M̃ᵀ, E_K), M̃ centred on the sample mean (tding1 `WH_relation_metric`);
 * - nc3_centered_w: the same with W centred (nc_loss `compute_W_H_relation`);
 * - self_duality_sq = ‖W/‖W‖_F − M̃/‖M̃‖_F‖_F², M̃ centred on the mean of class means
 *   (Papyan `W_M_dist`, squared);
 * - self_duality_uncentered = ‖W/‖W‖_F − M/‖M‖_F‖_F with uncentered means M (the NC3 of the
 *   bias-free MSE UFM, where w_k ∝ h̄_k, §3.1);
 * - norm_w_cov, equiangularity_w, coherence_w on the uncentered rows w_k (Papyan colab);
 * - wmu_g_b_norm = ‖Wμ_G + b‖₂, μ_G the sample mean, b = 0 if absent (tding1 / nc_loss).
 */
export function classifierMetrics(
  weights: Matrix,
  bias: Float64Array | null,
  stats: ClassStatistics,
): ClassifierMetrics {
  const { classes, dim } = stats;
  const w = weights.data;
  const centeredW = Matrix.zeros(classes, dim);
  const sampleCentered = centeredMeans(stats, stats.globalMean);
  const meanCentered = centeredMeans(stats, stats.meanOfMeans);
  try {
    const cw = centeredW.data;
    for (let j = 0; j < dim; j++) {
      let mean = 0;
      for (let k = 0; k < classes; k++) mean += w[k * dim + j] / classes;
      for (let k = 0; k < classes; k++) cw[k * dim + j] = w[k * dim + j] - mean;
    }
    const square = (data: Float64Array) => ({ rows: classes, cols: classes, data });
    const wwt = rowGram(weights);

    const wNorms = rowNorms(weights);
    const cosines = cosineMatrix(weights);
    const mNorms = rowNorms(meanCentered);
    const cosWithMean = Array.from({ length: classes }, (_, k) => {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += w[k * dim + j] * meanCentered.data[k * dim + j];
      return dot / (wNorms[k] * mNorms[k]);
    });

    let offset2 = 0; // ‖Wμ_G + b‖²
    for (let k = 0; k < classes; k++) {
      let value = bias ? bias[k] : 0;
      for (let j = 0; j < dim; j++) value += w[k * dim + j] * stats.globalMean[j];
      offset2 += value * value;
    }
    return {
      nc2_w_etf: gramDistance(square(wwt), "etf"),
      nc2_w_etf_centered: gramDistance(square(rowGram(centeredW)), "etf"),
      nc2_w_of: gramDistance(square(wwt), "of"),
      nc3: gramDistance(square(rowGram(weights, sampleCentered)), "etf"),
      nc3_centered_w: gramDistance(square(rowGram(centeredW, sampleCentered)), "etf"),
      self_duality_sq: normalizedDistance(w, meanCentered.data) ** 2,
      self_duality_uncentered: normalizedDistance(w, stats.means.data),
      norm_w_cov: coefficientOfVariation(wNorms),
      equiangularity_w: equiangularity(cosines, classes),
      coherence_w: coherence(cosines, classes),
      wmu_g_b_norm: Math.sqrt(offset2),
      w_norm: Array.from(wNorms),
      cos_w_mean: cosWithMean,
    };
  } finally {
    centeredW.free();
    sampleCentered.free();
    meanCentered.free();
  }
}
