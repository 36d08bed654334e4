/**
 * The final stage of the one metrics implementation: every NC metric of definitions.ts from
 * the moments an {@link NcAccumulator} collected (class counts and means, per-class squared
 * deviations, Σ_W through a basis or in full, NCC tallies) plus the classifier. In-memory
 * `ncMetrics` and the streaming accumulator both end here.
 *
 * A zero between-class variance (constant or all-zero features, e.g. a dead ReLU layer) makes
 * every metric that divides by Σ_B or normalizes the class means undefined: they are NaN (null
 * in JSON) and `undefined_reason` says so, never nc1 = 0 as if the features had collapsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { ncMetrics } from "./mod.ts";
 * const dead = ncMetrics({ features: Matrix.zeros(4, 3), labels: [0, 0, 1, 1] });
 * assert.ok(Number.isNaN(dead.nc1));
 * assert.match(dead.undefined_reason ?? "", /between-class variance is zero/);
 * ```
 * @module
 */
import type { Matrix } from "../matrix.ts";
import type { NcMetrics } from "./definitions.ts";
import { centeredRows, classifierMetrics, unitRowMargin } from "./duality.ts";
import { coefficientOfVariation, rowNorms } from "./geometry.ts";
import { nc1Traces, type WithinMoments } from "./nc1.ts";
import { gramStatistics, productDistance } from "./pairwise.ts";

/** Options of the final stage (pairwise kernels). */
export interface SummaryOptions {
  /** Exponent p of the CDNV denominator ‖μ_k − μ_l‖^{2p} (default 1). */
  cdnvExponent?: number;
  /** Riesz exponent s of the uniformity kernel (default d − 2, as rhubarbwu). */
  rieszS?: number;
}

/** Nearest-class-mean tallies per class (counts of samples). */
export interface NccTallies {
  /** Samples whose nearest class mean is their own. */
  correct: Float64Array;
  /** Samples whose classifier decision (with bias) differs from the nearest mean (or null). */
  mismatch: Float64Array | null;
  /** Samples whose bias-free classifier decision equals the nearest mean (or null). */
  agreeNoBias: Float64Array | null;
}

/** What the accumulator hands to {@link summarize}. */
export interface ClassMoments {
  /** Samples per class n_k. */
  counts: Float64Array;
  /** Class means μ_k (K×d). */
  means: Matrix;
  /** Sample mean (1/N)Σ_i x_i. */
  sampleMean: Float64Array;
  /** Mean of class means (1/K)Σ_k μ_k. */
  meanOfMeans: Float64Array;
  /** Σ_{i∈k} ‖x_i − μ_k‖² per class. */
  sqDeviations: Float64Array;
  /** Σ_W through the between-class basis (K ≤ d) or in full (K > d). */
  within: WithinMoments;
  /** NCC tallies, or null when the decision pass was skipped. */
  ncc: NccTallies | null;
  /** Classifier W (K×d, f64) or null. */
  weights: Matrix | null;
  /** Bias (K) or null. */
  bias: Float64Array | null;
}

/** Keys that depend on the class means differing (NaN when the between-class variance is 0). */
const NEEDS_BETWEEN = [
  "nc1",
  "nc1_mean_of_means",
  "nc1_quotient",
  "nc1_quotient_mean_of_means",
  "sw_invsb_papyan",
  "cdnv",
  "nc2_etf",
  "norm_m_cov",
  "equiangularity_m",
  "coherence_m",
  "uniformity_dist_mean",
  "uniformity_dist_var",
  "uniformity_log_mean",
  "uniformity_log_var",
  "uniformity_riesz_mean",
  "uniformity_riesz_var",
  "nc3",
  "nc3_centered_w",
  "nc3_mean_of_means",
  "self_duality_sq",
  "unc3_cosine",
  "gnc3",
  "gnc2_margin_means",
] as const;

/**
 * True when the class means are equal up to the rounding of their own computation: the RMS
 * between-class spread √Tr Σ_B is at most 4ε·max_k n_k (the error bound of a recursive sum of
 * n_k terms) times the RMS feature norm √(mean ‖x‖²). Exactly-zero features always qualify.
 */
function betweenIsZero(trSigmaB: number, meanSquaredNorm: number, largestClass: number): boolean {
  return Math.sqrt(trSigmaB) <= 4 * Number.EPSILON * largestClass * Math.sqrt(meanSquaredNorm);
}

/**
 * Every metric of {@link NcMetrics} from accumulated class moments (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * // K = 2 classes of d = 1 features {−0.5, 0.5} and {1.5, 2.5}: Tr Σ_W = 1/4, Σ_B = 1.
 * const metrics = summarize({
 *   counts: new Float64Array([2, 2]),
 *   means: Matrix.from(2, 1, [0, 2]),
 *   sampleMean: new Float64Array([1]),
 *   meanOfMeans: new Float64Array([1]),
 *   sqDeviations: new Float64Array([0.5, 0.5]),
 *   within: { form: "covariance", matrix: new Float64Array([0.25]) }, // Σ_W (d×d)
 *   ncc: null,
 *   weights: null,
 *   bias: null,
 * });
 * assert.ok(Math.abs(metrics.nc1 - 0.125) < 1e-15); // Tr(Σ_W Σ_B^†)/K
 * assert.ok(Math.abs(metrics.nc1_quotient - 0.25) < 1e-15); // Tr Σ_W / Tr Σ_B
 * ```
 */
export function summarize(moments: ClassMoments, options: SummaryOptions = {}): NcMetrics {
  const { counts, means, sampleMean, meanOfMeans, sqDeviations, weights, bias, ncc } = moments;
  const { rows: classes, cols: dim } = means;
  const samples = counts.reduce((sum, n) => sum + n, 0);
  const sampleCentered = centeredRows(means, sampleMean);
  const meanCentered = centeredRows(means, meanOfMeans);
  try {
    const trSigmaW = sqDeviations.reduce((sum, value) => sum + value, 0) / samples;
    const squaredNorm = (matrix: Matrix) => {
      let sum = 0;
      for (const value of matrix.data) sum += value * value;
      return sum;
    };
    const trSigmaB = squaredNorm(sampleCentered) / classes;
    const trSigmaBMeans = squaredNorm(meanCentered) / classes;
    const variances = Array.from(sqDeviations, (total, k) => total / counts[k]);
    const traces = nc1Traces(means, sampleMean, meanOfMeans, moments.within);
    const geometry = gramStatistics(meanCentered, {
      targets: ["etf"],
      variances,
      cdnvExponent: options.cdnvExponent ?? 1,
      uniformity: true,
      rieszS: options.rieszS,
    });
    const meanNorms = rowNorms(meanCentered);
    const classifier = weights
      ? classifierMetrics(weights, bias, { means, sampleCentered, meanCentered, sampleMean })
      : null;
    const fraction = (tally: Float64Array | null | undefined) =>
      tally ? tally.reduce((sum, value) => sum + value, 0) / samples : null;
    const perClass = (tally: Float64Array | null | undefined) =>
      tally ? Array.from(tally, (value, k) => value / counts[k]) : null;
    const metrics: NcMetrics = {
      num_classes: classes,
      num_samples: samples,
      feature_dim: dim,
      nc1: Math.max(0, traces.sample.value / classes),
      nc1_mean_of_means: Math.max(0, traces.meanOfMeans.value / classes),
      nc1_quotient: trSigmaW / trSigmaB,
      nc1_quotient_mean_of_means: trSigmaW / trSigmaBMeans,
      sw_invsb_papyan: Math.max(0, traces.meanOfMeans.value),
      cdnv: geometry.cdnv,
      cdnv_distance_exponent: options.cdnvExponent ?? 1,
      nc2_etf: geometry.etf,
      nc2_of: productDistance(means, means, "of"),
      nc2_w_etf: classifier?.nc2_w_etf ?? null,
      nc2_w_etf_centered: classifier?.nc2_w_etf_centered ?? null,
      nc2_w_of: classifier?.nc2_w_of ?? null,
      nc3: classifier?.nc3 ?? null,
      nc3_centered_w: classifier?.nc3_centered_w ?? null,
      nc3_mean_of_means: classifier?.nc3_mean_of_means ?? null,
      self_duality_sq: classifier?.self_duality_sq ?? null,
      self_duality_uncentered: classifier?.self_duality_uncentered ?? null,
      unc3: classifier?.unc3 ?? null,
      unc3_cosine: classifier?.unc3_cosine ?? null,
      nc3_uncentered: classifier?.nc3_uncentered ?? null,
      gnc3: classifier?.gnc3 ?? null,
      gnc2_margin_w: classifier?.gnc2_margin_w ?? null,
      gnc2_margin_means: unitRowMargin(meanCentered.data, classes, dim),
      norm_m_cov: coefficientOfVariation(meanNorms),
      norm_w_cov: classifier?.norm_w_cov ?? null,
      equiangularity_m: geometry.equiangularity,
      equiangularity_w: classifier?.equiangularity_w ?? null,
      coherence_m: geometry.coherence,
      coherence_w: classifier?.coherence_w ?? null,
      uniformity_dist_mean: geometry.distMean,
      uniformity_dist_var: geometry.distVariance,
      uniformity_log_mean: geometry.logMean,
      uniformity_log_var: geometry.logVariance,
      uniformity_riesz_mean: geometry.rieszMean,
      uniformity_riesz_var: geometry.rieszVariance,
      uniformity_riesz_s: geometry.rieszS,
      ncc_accuracy: fraction(ncc?.correct),
      ncc_mismatch: fraction(ncc?.mismatch),
      ncc_agreement_no_bias: fraction(ncc?.agreeNoBias),
      wmu_g_b_norm: classifier?.wmu_g_b_norm ?? null,
      sigma_b_rank: traces.sample.rank,
      tr_sigma_w: trSigmaW,
      tr_sigma_b: trSigmaB,
      tr_sigma_b_mean_of_means: trSigmaBMeans,
      undefined_reason: null,
      per_class: {
        count: Array.from(counts),
        within_variance: variances,
        mean_norm: Array.from(meanNorms),
        w_norm: classifier?.w_norm ?? null,
        cos_w_mean: classifier?.cos_w_mean ?? null,
        w_mean_dot: classifier?.w_mean_dot ?? null,
        ncc_mismatch: perClass(ncc?.mismatch),
        ncc_accuracy: perClass(ncc?.correct),
      },
    };
    // mean ‖x‖² = Tr Σ_W + Σ_k (n_k/N)‖μ_k − μ_G‖² + ‖μ_G‖² (μ_G the sample mean).
    let meanSquaredNorm = trSigmaW;
    for (const value of sampleMean) meanSquaredNorm += value * value;
    const centered = sampleCentered.data;
    for (let k = 0; k < classes; k++) {
      let norm2 = 0;
      for (let j = 0; j < dim; j++) norm2 += centered[k * dim + j] ** 2;
      meanSquaredNorm += (counts[k] / samples) * norm2;
    }
    if (betweenIsZero(trSigmaB, meanSquaredNorm, counts.reduce((a, b) => Math.max(a, b), 0))) {
      for (const key of NEEDS_BETWEEN) {
        if (metrics[key] !== null) (metrics as unknown as Record<string, number>)[key] = NaN;
      }
      metrics.sigma_b_rank = 0;
      metrics.per_class.cos_w_mean = metrics.per_class.cos_w_mean?.map(() => NaN) ?? null;
      metrics.undefined_reason = "between-class variance is zero: all class means are equal " +
        "(constant or all-zero features, e.g. a dead ReLU layer), so NC1, NC2 and NC3 of the " +
        "features are undefined (not collapsed)";
    }
    return metrics;
  } finally {
    sampleCentered.free();
    meanCentered.free();
  }
}
