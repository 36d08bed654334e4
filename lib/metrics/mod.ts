/**
 * Neural-collapse metrics of labelled features and an optional linear classifier
 * (science.md §4), all in f64, in the conventions of the codes they come from.
 *
 * Two global means are in use, each where its source uses it (they coincide for balanced
 * classes):
 * - μ_G = sample mean (1/N)Σ_i x_i — tding1 / nc_loss (§4.1): `nc1`, `nc1_quotient`, `nc3`,
 *   `nc3_centered_w`, `wmu_g_b_norm`;
 * - μ_G = mean of class means (1/K)Σ_k μ_k — Papyan colab (§4.2), Tirer (§1, §4.3), rhubarbwu
 *   (§4.7): `sw_invsb_papyan`, `nc2_etf`, `self_duality_sq`, `norm_m_cov`, `equiangularity_m`,
 *   `coherence_m`, `per_class.mean_norm`, `per_class.cos_w_mean`.
 * Σ_W is divided by the total N and Σ_B by K (§4). No d×d matrix is ever formed: features of
 * N = 50,000 × d = 512 take one pass for the class sums, one for the variances and one
 * streaming pass of gemm products (see nc1.ts for the NC1 algebra and pinv tolerance).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { ncMetrics } from "./mod.ts";
 * const features = Matrix.from(4, 2, [1, 0, 1.2, 0, 0, 1, 0, 0.8]);
 * const metrics = ncMetrics({ features, labels: [0, 0, 1, 1] });
 * assert.ok(metrics.nc1 > 0 && metrics.nc1 < 0.1); // little within-class spread
 * assert.equal(metrics.per_class.within_variance.length, 2);
 * ```
 * @module
 */
import { Matrix } from "../matrix.ts";
import { gemm } from "../gemm.ts";
import { type ClassStatistics, classStatistics, withinClassProjection } from "./class_stats.ts";
import { centeredMeans, classifierMetrics } from "./duality.ts";
import {
  coefficientOfVariation,
  coherence,
  cosineMatrix,
  equiangularity,
  gramDistance,
  rowGram,
  rowNorms,
} from "./geometry.ts";
import { betweenClassBasis, cdnv, centerGram, traceWithinBetweenPinv } from "./nc1.ts";
import { type NcInput, validateInput } from "./validate.ts";

export type { NcInput } from "./validate.ts";
export {
  type ClassStatistics,
  classStatistics,
  type FeatureLayout,
  forEachCenteredBlock,
  withinClassProjection,
} from "./class_stats.ts";
export {
  coherence,
  cosineMatrix,
  equiangularity,
  gramDistance,
  type GramTarget,
  normalizedDistance,
  rowGram,
} from "./geometry.ts";
export { betweenClassBasis, cdnv, traceWithinBetweenPinv } from "./nc1.ts";
export { centeredMeans } from "./duality.ts";

/** Per-class values (arrays of length K, index = class). */
export interface PerClassMetrics {
  /** n_k, samples in class k. */
  count: number[];
  /** σ_k² = (1/n_k) Σ_{i∈k} ‖x_i − μ_k‖². */
  within_variance: number[];
  /** ‖μ_k − μ_G‖, μ_G = mean of class means (the norms behind `norm_m_cov`). */
  mean_norm: number[];
  /** ‖w_k‖ (null without weights). */
  w_norm: number[] | null;
  /** cos(w_k, μ_k − μ_G), μ_G = mean of class means (GNC3 / rhubarbwu `similarities`). */
  cos_w_mean: number[] | null;
  /** Fraction of class-k samples whose classifier and nearest-class-mean decisions differ. */
  ncc_mismatch: number[] | null;
}

/** Result of {@link ncMetrics}. Values that are undefined (e.g. 0/0) are NaN (null in JSON). */
export interface NcMetrics {
  /** K. */
  num_classes: number;
  /** N. */
  num_samples: number;
  /** d. */
  feature_dim: number;
  /** Tr(Σ_W Σ_B^†)/K, μ_G = sample mean, scipy pinv tolerance, clamped at 0 (§4.1, §8.3). */
  nc1: number;
  /** Tr Σ_W / Tr Σ_B (Tirer "NC1~", §4.3; rhubarbwu "quotient"), μ_G = sample mean. */
  nc1_quotient: number;
  /** Papyan colab `Sw_invSb`: Tr(Σ_W Σ_B^+) over the top K−1 eigenpairs, NOT divided by K. */
  sw_invsb_papyan: number;
  /** rhubarbwu CDNV: mean over k<l of (σ_k² + σ_l²)/(2‖μ_k − μ_l‖²), σ² divided by n_k. */
  cdnv: number;
  /** dist(M̃M̃ᵀ, E_K), class means centred on the mean of class means (§4.3 NC2). */
  nc2_etf: number;
  /** dist(MMᵀ, I/√K) on UNcentered class means (orthogonal frame, §4.3). */
  nc2_of: number;
  /** dist(WWᵀ, E_K), W uncentered (tding1). */
  nc2_w_etf: number | null;
  /** dist(WWᵀ, E_K) after W ← W − mean row (nc_loss / neural-collapse-MSE). */
  nc2_w_etf_centered: number | null;
  /** dist(WWᵀ, I/√K), W uncentered. */
  nc2_w_of: number | null;
  /** Zhu et al. NC3: dist(W M̃ᵀ, E_K), M̃ centred on the sample mean, W uncentered. */
  nc3: number | null;
  /** nc_loss NC3: as `nc3` with W centred. */
  nc3_centered_w: number | null;
  /** Papyan `W_M_dist`: ‖W/‖W‖_F − M̃/‖M̃‖_F‖_F², squared, M̃ on the mean of class means. */
  self_duality_sq: number | null;
  /** ‖W/‖W‖_F − M/‖M‖_F‖_F with UNcentered means (bias-free MSE UFM: w_k ∝ h̄_k). */
  self_duality_uncentered: number | null;
  /** std(‖μ_k − μ_G‖)/mean, unbiased std (Papyan `norm_M_CoV`). */
  norm_m_cov: number;
  /** std(‖w_k‖)/mean, unbiased std (Papyan `norm_W_CoV`). */
  norm_w_cov: number | null;
  /** Unbiased std over k<l of cos(μ̃_k, μ̃_l) (PNAS Fig. 3); 0 when K = 2. */
  equiangularity_m: number;
  /** Unbiased std over k<l of cos(w_k, w_l). */
  equiangularity_w: number | null;
  /** Papyan `cos_M`: mean over k≠l of |cos(μ̃_k, μ̃_l) + 1/(K−1)|. */
  coherence_m: number;
  /** Papyan `cos_W`: the same for the rows w_k. */
  coherence_w: number | null;
  /** Fraction of samples with argmax_k(Wh + b)_k ≠ argmin_k ‖h − μ_k‖ (bias used if given). */
  ncc_mismatch: number | null;
  /** ‖Wμ_G + b‖₂, μ_G = sample mean, b = 0 if absent (tding1 "NC4", §4.1). */
  wmu_g_b_norm: number | null;
  /** Number of eigenvalues of Σ_B (sample-mean centring) kept by the pseudo-inverse of `nc1`. */
  sigma_b_rank: number;
  /** Tr Σ_W. */
  tr_sigma_w: number;
  /** Tr Σ_B (μ_G = sample mean). */
  tr_sigma_b: number;
  /** Per-class values. */
  per_class: PerClassMetrics;
}

/**
 * One-line description of every scalar metric (for `--help` and documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(metricDescriptions.nc1, /^Tr\(Σ_W Σ_B\^†\)\/K/);
 * ```
 */
export const metricDescriptions: Readonly<Record<string, string>> = {
  nc1: "Tr(Σ_W Σ_B^†)/K, μ_G = sample mean (tding1/nc_loss)",
  nc1_quotient: "Tr Σ_W / Tr Σ_B (Tirer NC1~)",
  sw_invsb_papyan: "Tr(Σ_W Σ_B^+), top K−1 eigenpairs, μ_G = mean of means, not /K (Papyan)",
  cdnv: "mean_{k<l} (σ_k²+σ_l²)/(2‖μ_k−μ_l‖²) (rhubarbwu)",
  nc2_etf: "dist(M̃M̃ᵀ, ETF), means centred on the mean of means",
  nc2_of: "dist(MMᵀ, I/√K), uncentered means",
  nc2_w_etf: "dist(WWᵀ, ETF), W uncentered (tding1)",
  nc2_w_etf_centered: "dist(WWᵀ, ETF), W minus its mean row (nc_loss)",
  nc2_w_of: "dist(WWᵀ, I/√K)",
  nc3: "dist(WM̃ᵀ, ETF), μ_G = sample mean (Zhu et al.)",
  nc3_centered_w: "dist(WM̃ᵀ, ETF) with W centred (nc_loss)",
  self_duality_sq: "‖W/‖W‖ − M̃/‖M̃‖‖² (Papyan W_M_dist)",
  self_duality_uncentered: "‖W/‖W‖ − M/‖M‖‖, uncentered means",
  norm_m_cov: "std/mean of ‖μ_k − μ_G‖ (unbiased std)",
  norm_w_cov: "std/mean of ‖w_k‖ (unbiased std)",
  equiangularity_m: "std over k<l of cos(μ̃_k, μ̃_l)",
  equiangularity_w: "std over k<l of cos(w_k, w_l)",
  coherence_m: "mean_{k≠l} |cos(μ̃_k, μ̃_l) + 1/(K−1)| (Papyan cos_M)",
  coherence_w: "mean_{k≠l} |cos(w_k, w_l) + 1/(K−1)| (Papyan cos_W)",
  ncc_mismatch: "fraction with argmax(Wh+b) ≠ nearest class mean",
  wmu_g_b_norm: "‖Wμ_G + b‖, μ_G = sample mean",
  sigma_b_rank: "rank of Σ_B used by the pseudo-inverse in nc1",
  tr_sigma_w: "Tr Σ_W",
  tr_sigma_b: "Tr Σ_B",
};

/**
 * Computes every NC metric of {@link NcMetrics} for `input` (see the module notes for the
 * conventions). Throws a {@link UsageError} for invalid input (validate.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * // The UFM's H (d = 2 × N = 4, samples as columns, class-major) and classifier W (K×d).
 * const H = Matrix.from(2, 4, [1, 1.1, 0, 0, 0, 0, 1, 0.9]);
 * const W = Matrix.from(2, 2, [1, 0, 0, 1]);
 * const labels = [0, 0, 1, 1];
 * const metrics = ncMetrics({ features: H, layout: "samples-as-columns", labels, weights: W });
 * assert.ok(metrics.nc1 < 0.01);
 * assert.ok(metrics.nc2_w_of! < 1e-15); // W Wᵀ = I is an orthogonal frame
 * ```
 */
export function ncMetrics(input: NcInput): NcMetrics {
  const checked = validateInput(input);
  const { features, layout, labels, classes, weights, bias } = checked;
  const stats = classStatistics(features, labels, classes, layout);
  const { dim, samples } = stats;
  const owned: Matrix[] = [stats.means];
  let nccTally: NccTally | null = null;
  try {
    // NC1: A = M̃ᵀ/√K on the sample mean; AᵀA = M̃M̃ᵀ/K; AᵀΣ_W A from the streaming pass.
    const basis = betweenClassBasis(stats, stats.globalMean);
    owned.push(basis);
    const sampleCentered = centeredMeans(stats, stats.globalMean);
    owned.push(sampleCentered);
    const centeredGram = rowGram(sampleCentered); // M̃M̃ᵀ = K·AᵀA
    const betweenGram = centeredGram.map((value) => value / classes);

    nccTally = weights ? nccTallier(stats, weights, bias, centeredGram, labels) : null;
    const projected = withinClassProjection(features, labels, stats, basis, {
      layout,
      visit: nccTally?.visit,
    });
    owned.push(projected);
    const withinProjected = projected.toFloat64Array();

    // scipy.linalg.pinv(Σ_B) tolerance: rtol = max(d, d)·eps; rank ≤ min(d, K−1) (nc1.ts).
    const pinvOptions = { rtol: dim * Number.EPSILON, maxRank: Math.min(dim, classes - 1) };
    const nc1 = traceWithinBetweenPinv(betweenGram, withinProjected, classes, pinvOptions);
    // Papyan: means centred on the mean of class means, A_mm = A·P with P = I − J/K.
    const papyan = traceWithinBetweenPinv(
      centerGram(betweenGram, classes),
      centerGram(withinProjected, classes),
      classes,
      pinvOptions,
    );
    const trSigmaB = Array.from({ length: classes }, (_, k) => betweenGram[k * classes + k])
      .reduce((sum, value) => sum + value, 0);

    const meanCentered = centeredMeans(stats, stats.meanOfMeans);
    owned.push(meanCentered);
    const square = (data: Float64Array) => ({ rows: classes, cols: classes, data });
    const meanNorms = rowNorms(meanCentered);
    const meanCosines = cosineMatrix(meanCentered);
    const classifier = weights ? classifierMetrics(weights, bias, stats) : null;
    const mismatches = nccTally?.mismatches ?? null;
    const counts = Array.from(stats.counts);

    return {
      num_classes: classes,
      num_samples: samples,
      feature_dim: dim,
      nc1: Math.max(0, nc1.value / classes),
      nc1_quotient: stats.withinTrace / trSigmaB,
      sw_invsb_papyan: Math.max(0, papyan.value),
      cdnv: cdnv(stats),
      nc2_etf: gramDistance(square(rowGram(meanCentered)), "etf"),
      nc2_of: gramDistance(square(rowGram(stats.means)), "of"),
      nc2_w_etf: classifier?.nc2_w_etf ?? null,
      nc2_w_etf_centered: classifier?.nc2_w_etf_centered ?? null,
      nc2_w_of: classifier?.nc2_w_of ?? null,
      nc3: classifier?.nc3 ?? null,
      nc3_centered_w: classifier?.nc3_centered_w ?? null,
      self_duality_sq: classifier?.self_duality_sq ?? null,
      self_duality_uncentered: classifier?.self_duality_uncentered ?? null,
      norm_m_cov: coefficientOfVariation(meanNorms),
      norm_w_cov: classifier?.norm_w_cov ?? null,
      equiangularity_m: equiangularity(meanCosines, classes),
      equiangularity_w: classifier?.equiangularity_w ?? null,
      coherence_m: coherence(meanCosines, classes),
      coherence_w: classifier?.coherence_w ?? null,
      ncc_mismatch: mismatches ? mismatches.reduce((sum, m) => sum + m, 0) / samples : null,
      wmu_g_b_norm: classifier?.wmu_g_b_norm ?? null,
      sigma_b_rank: nc1.rank,
      tr_sigma_w: stats.withinTrace,
      tr_sigma_b: trSigmaB,
      per_class: {
        count: counts,
        within_variance: Array.from(stats.withinVariance),
        mean_norm: Array.from(meanNorms),
        w_norm: classifier?.w_norm ?? null,
        cos_w_mean: classifier?.cos_w_mean ?? null,
        ncc_mismatch: mismatches ? mismatches.map((m, k) => m / counts[k]) : null,
      },
    };
  } finally {
    nccTally?.dispose();
    for (const matrix of owned) matrix.free();
    if (checked.ownsFeatures) features.free();
  }
}

interface NccTally {
  /** Block visitor for {@link withinClassProjection}. */
  visit: (projected: Matrix, centered: Matrix, first: number) => void;
  /** Mismatch counts per class, filled by `visit`. */
  mismatches: number[];
  /** Frees the score blocks. */
  dispose: () => void;
}

/**
 * Per-sample NCC bookkeeping for the streaming pass (PNAS Fig. 7, §4.2). For sample i of class
 * y with centred features c = x_i − μ_y:
 * - classifier scores (Wx + b)_k = (W c)_k + (W μ_y)_k + b_k;
 * - ‖x − μ_k‖² = ‖c‖² + ‖μ_y − μ_k‖² − 2c·(μ_k − μ_G) + 2c·(μ_y − μ_G), so the nearest mean
 *   minimises ‖μ_y − μ_k‖² − 2√K (c·A)_k with A = M̃ᵀ/√K (the projection already computed).
 * Working from c avoids the cancellation of ‖x‖² − 2x·μ_k + ‖μ_k‖² once features collapse.
 * Ties go to the lowest class index (numpy / torch argmax).
 */
function nccTallier(
  stats: ClassStatistics,
  weights: Matrix,
  bias: Float64Array | null,
  centeredGram: Float64Array,
  labels: Int32Array,
): NccTally {
  const classes = stats.classes;
  const meanScores = rowGram(stats.means, weights); // (μ_y · w_k) at [y, k]
  const meanDistances = new Float64Array(classes * classes); // ‖μ_y − μ_k‖²
  for (let y = 0; y < classes; y++) {
    for (let k = 0; k < classes; k++) {
      meanDistances[y * classes + k] = centeredGram[y * classes + y] +
        centeredGram[k * classes + k] - 2 * centeredGram[y * classes + k];
    }
  }
  const mismatches = new Array<number>(classes).fill(0);
  const twoRootK = 2 * Math.sqrt(classes);
  const scoreBlocks = new Map<number, Matrix>();
  const visit = (projected: Matrix, centered: Matrix, first: number): void => {
    let scores = scoreBlocks.get(centered.rows);
    if (scores === undefined) {
      scores = Matrix.zeros(centered.rows, classes);
      scoreBlocks.set(centered.rows, scores);
    }
    gemm(scores, centered, weights, { transB: true });
    const scoreData = scores.data;
    const projectedData = projected.data;
    for (let r = 0; r < centered.rows; r++) {
      const y = labels[first + r];
      let best = 0;
      let bestScore = -Infinity;
      let nearest = 0;
      let nearestDistance = Infinity;
      for (let k = 0; k < classes; k++) {
        const score = scoreData[r * classes + k] + meanScores[y * classes + k] +
          (bias ? bias[k] : 0);
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
        const distance = meanDistances[y * classes + k] - twoRootK * projectedData[r * classes + k];
        if (distance < nearestDistance) {
          nearestDistance = distance;
          nearest = k;
        }
      }
      if (best !== nearest) mismatches[y]++;
    }
  };
  const dispose = (): void => {
    for (const block of scoreBlocks.values()) block.free();
  };
  return { visit, mismatches, dispose };
}
