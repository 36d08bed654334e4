/**
 * The NC metric set: the result types and, for every key, its formula, how the class means are
 * centred, and the code it reproduces (docs/metrics.md#metric-definitions). `--help` and the JSON
 * output of `deno task metrics` print these definitions, so every number says which convention it
 * is.
 *
 * Two global means are in use; they coincide for balanced classes and differ otherwise:
 * - μ_G = sample mean (1/N)Σ_i x_i: tding1 / nc_loss / Zhu et al. (docs/metrics.md#zhu),
 *   Tirer's NC1~;
 * - μ_G = mean of class means (1/K)Σ_k μ_k: Papyan colab (docs/metrics.md#papyan), rhubarbwu
 *   (docs/metrics.md#rhubarbwu, its
 *   default `weighted=False`).
 * Where the peers differ, each convention has its own key (`nc1` / `nc1_mean_of_means`,
 * `nc1_quotient` / `nc1_quotient_mean_of_means`, `nc3` / `nc3_mean_of_means`). Σ_W is
 * divided by the total N and Σ_B by K everywhere (docs/metrics.md#shared-objects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricDefinitions } from "./definitions.ts";
 * assert.equal(metricDefinitions.nc1.centring, "sample mean");
 * ```
 * @module
 */

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
  /** ⟨w_k, μ_k − μ_G⟩, μ_G = mean of class means (rhubarbwu `similarities`, behind `unc3`). */
  w_mean_dot: number[] | null;
  /** Fraction of class-k samples whose classifier and nearest-class-mean decisions differ. */
  ncc_mismatch: number[] | null;
  /** Fraction of class-k samples whose nearest class mean is μ_k. */
  ncc_accuracy: number[] | null;
}

/**
 * Result of `ncMetrics` and of `NcAccumulator.metrics()`. Values that are undefined (0/0, a
 * zero between-class variance) are NaN, printed as null in JSON, and `undefined_reason` says
 * why.
 */
export interface NcMetrics {
  /** K. */
  num_classes: number;
  /** N. */
  num_samples: number;
  /** d. */
  feature_dim: number;
  /** Tr(Σ_W Σ_B^†)/K, μ_G = sample mean, scipy pinv tolerance, ≥ 0 (docs/metrics.md#nc1). */
  nc1: number;
  /** Tr(Σ_W Σ_B^†)/K with μ_G = mean of class means (rhubarbwu `nc1_pinv`; PNAS Fig. 6). */
  nc1_mean_of_means: number;
  /** Tr Σ_W / Tr Σ_B (Tirer "NC1~", docs/metrics.md#nc1-quotient), μ_G = sample mean. */
  nc1_quotient: number;
  /** Tr Σ_W / Tr Σ_B with μ_G = mean of class means (rhubarbwu `nc1_quot`). */
  nc1_quotient_mean_of_means: number;
  /** Papyan colab `Sw_invSb`: Tr(Σ_W Σ_B^+) over the top K−1 eigenpairs, NOT divided by K. */
  sw_invsb_papyan: number;
  /** CDNV: mean over k<l of (σ_k² + σ_l²)/(2‖μ_k − μ_l‖^{2p}), σ² divided by n_k. */
  cdnv: number;
  /** The distance exponent p of `cdnv` (1 = Galanti et al.; rhubarbwu `dist_exp`). */
  cdnv_distance_exponent: number;
  /** dist(M̃M̃ᵀ, E_K), class means centred on the mean of class means (docs/metrics.md#nc2-etf). */
  nc2_etf: number;
  /** dist(MMᵀ, I/√K) on UNcentered class means (orthogonal frame, docs/metrics.md#nc2-of). */
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
  /** dist(W M̃ᵀ, E_K), M̃ centred on the mean of class means (rhubarbwu `nc3_dual_err`). */
  nc3_mean_of_means: number | null;
  /** Papyan `W_M_dist`: ‖W/‖W‖_F − M̃/‖M̃‖_F‖_F², squared, M̃ on the mean of class means. */
  self_duality_sq: number | null;
  /** ‖W/‖W‖_F − M/‖M‖_F‖_F with UNcentered means (bias-free MSE UFM: w_k ∝ h̄_k). */
  self_duality_uncentered: number | null;
  /** UNC3: unbiased variance over k of ⟨w_k, μ_k − μ_G⟩, μ_G = mean of means (rhubarbwu). */
  unc3: number | null;
  /** Unbiased variance over k of cos(w_k, μ_k − μ_G), μ_G = mean of class means. */
  unc3_cosine: number | null;
  /** Yaras et al. NC3: dist(W Mᵀ, E_K) with UNcentred class means. */
  nc3_uncentered: number | null;
  /** GNC3: (1/K) Σ_k (1 − cos(w_k, μ_k − μ_G)), μ_G = mean of class means (Jiang et al.). */
  gnc3: number | null;
  /** GNC2: one-vs-rest margin ρ of the unit classifier rows (higher is better; Jiang et al.). */
  gnc2_margin_w: number | null;
  /** GNC2 on the features: one-vs-rest margin of the unit centred class means μ̂_k. */
  gnc2_margin_means: number | null;
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
  /** Mean over k<l of ‖μ̂_k − μ̂_l‖, μ̂ = normalized centred means (rhubarbwu `dist_kernel`). */
  uniformity_dist_mean: number;
  /** Population variance of the same (rhubarbwu `nc2g_dist`). */
  uniformity_dist_var: number;
  /** Mean over k<l of log(1/‖μ̂_k − μ̂_l‖) (rhubarbwu `log_kernel`; Liu et al. 2023). */
  uniformity_log_mean: number;
  /** Population variance of the same (rhubarbwu `nc2g_log`). */
  uniformity_log_var: number;
  /** Mean over k<l of the Riesz s-energy sign(s)·‖μ̂_k − μ̂_l‖^{−s} (rhubarbwu `riesz_kernel`). */
  uniformity_riesz_mean: number;
  /** Population variance of the same. */
  uniformity_riesz_var: number;
  /** The Riesz exponent s (default d − 2, as rhubarbwu). */
  uniformity_riesz_s: number;
  /** Fraction of samples whose nearest class mean (Euclidean) is their own class. */
  ncc_accuracy: number | null;
  /** Fraction with argmax_k(Wh + b)_k ≠ argmin_k ‖h − μ_k‖ (bias used if given; Papyan NC4). */
  ncc_mismatch: number | null;
  /** Fraction with argmax_k (Wh)_k = argmin_k ‖h − μ_k‖, NO bias (rhubarbwu `nc4_agree`). */
  ncc_agreement_no_bias: number | null;
  /** ‖Wμ_G + b‖₂, μ_G = sample mean, b = 0 if absent (tding1 "NC4", docs/metrics.md#nc4-bias). */
  wmu_g_b_norm: number | null;
  /** Number of eigenvalues of Σ_B (sample-mean centring) kept by the pseudo-inverse of `nc1`. */
  sigma_b_rank: number;
  /** Tr Σ_W. */
  tr_sigma_w: number;
  /** Tr Σ_B (μ_G = sample mean). */
  tr_sigma_b: number;
  /** Tr Σ_B with μ_G = mean of class means. */
  tr_sigma_b_mean_of_means: number;
  /** Why some values are NaN (e.g. a zero between-class variance), or null. */
  undefined_reason: string | null;
  /** Per-class values. */
  per_class: PerClassMetrics;
}

/** Definition of one metric key. */
export interface MetricDefinition {
  /** The formula, in one line. */
  formula: string;
  /**
   * How the vectors are centred: "sample mean", "mean of class means", "class means"
   * (within-class deviations), "uncentred", "W rows centred", or "—" (no centring involved).
   */
  centring: string;
  /** The code or paper whose convention this is (docs/metrics.md#by-source). */
  source: string;
}

const SAMPLE = "sample mean";
const MEANS = "mean of class means";

/**
 * Formula, centring and source of every scalar key of {@link NcMetrics} (and the per-class
 * keys, prefixed `per_class.`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(metricDefinitions.nc1_mean_of_means.centring, "mean of class means");
 * ```
 */
export const metricDefinitions: Readonly<Record<string, MetricDefinition>> = {
  num_classes: { formula: "K", centring: "—", source: "—" },
  num_samples: { formula: "N", centring: "—", source: "—" },
  feature_dim: { formula: "d", centring: "—", source: "—" },
  nc1: {
    formula: "Tr(Σ_W Σ_B^†)/K",
    centring: SAMPLE,
    source: "tding1 / nc_loss (docs/metrics.md#zhu)",
  },
  nc1_mean_of_means: {
    formula: "Tr(Σ_W Σ_B^†)/K",
    centring: MEANS,
    source: "rhubarbwu nc1_pinv (and nc1_svd at full rank); Papyan PNAS Fig. 6",
  },
  nc1_quotient: {
    formula: "Tr Σ_W / Tr Σ_B",
    centring: SAMPLE,
    source: "Tirer NC1~ (docs/metrics.md#tirer)",
  },
  nc1_quotient_mean_of_means: {
    formula: "Tr Σ_W / Tr Σ_B",
    centring: MEANS,
    source: "rhubarbwu nc1_quot",
  },
  sw_invsb_papyan: {
    formula: "Tr(Σ_W Σ_B^+), top K−1 eigenpairs, not divided by K",
    centring: MEANS,
    source: "Papyan colab Sw_invSb (docs/metrics.md#papyan)",
  },
  cdnv: {
    formula: "mean_{k<l} (σ_k²+σ_l²)/(2‖μ_k−μ_l‖^{2p}), σ_k² over n_k",
    centring: "class means (distances need none)",
    source: "Galanti et al.; rhubarbwu nc1_cdnv (docs/metrics.md#rhubarbwu)",
  },
  cdnv_distance_exponent: {
    formula: "the exponent p of cdnv",
    centring: "—",
    source: "rhubarbwu dist_exp",
  },
  nc2_etf: { formula: "dist(M̃M̃ᵀ, ETF)", centring: MEANS, source: "Tirer NC2; rhubarbwu" },
  nc2_of: {
    formula: "dist(MMᵀ, I/√K)",
    centring: "uncentred",
    source: "Tirer / Dang (docs/metrics.md#tirer)",
  },
  nc2_w_etf: { formula: "dist(WWᵀ, ETF)", centring: "uncentred W", source: "tding1" },
  nc2_w_etf_centered: {
    formula: "dist(WWᵀ, ETF)",
    centring: "W rows centred",
    source: "nc_loss / neural-collapse-MSE",
  },
  nc2_w_of: { formula: "dist(WWᵀ, I/√K)", centring: "uncentred W", source: "Dang et al." },
  nc3: {
    formula: "dist(WM̃ᵀ, ETF)",
    centring: SAMPLE,
    source: "Zhu et al. / tding1 (docs/metrics.md#zhu)",
  },
  nc3_centered_w: {
    formula: "dist(WM̃ᵀ, ETF), W rows centred",
    centring: SAMPLE,
    source: "nc_loss",
  },
  nc3_mean_of_means: {
    formula: "dist(WM̃ᵀ, ETF)",
    centring: MEANS,
    source: "rhubarbwu nc3_dual_err",
  },
  self_duality_sq: {
    formula: "‖W/‖W‖ − M̃/‖M̃‖‖_F² (squared)",
    centring: MEANS,
    source: "Papyan W_M_dist (docs/metrics.md#papyan)",
  },
  self_duality_uncentered: {
    formula: "‖W/‖W‖ − M/‖M‖‖_F",
    centring: "uncentred",
    source: "bias-free MSE UFM (docs/ufm-mse.md#mse-bias-free)",
  },
  unc3: {
    formula: "unbiased var_k ⟨w_k, μ̃_k⟩",
    centring: MEANS,
    source: "rhubarbwu nc3u_uni_dual (UNC3)",
  },
  unc3_cosine: { formula: "unbiased var_k cos(w_k, μ̃_k)", centring: MEANS, source: "—" },
  nc3_uncentered: {
    formula: "dist(WMᵀ, ETF)",
    centring: "uncentred",
    source: "Yaras et al. nc3 (normalized features)",
  },
  gnc3: { formula: "mean_k (1 − cos(w_k, μ̃_k))", centring: MEANS, source: "Jiang et al. GNC3" },
  gnc2_margin_w: {
    formula: "min_k dist(ŵ_k, conv{ŵ_j : j ≠ k}), ŵ = w/‖w‖ (higher is better; not computed " +
      "above 128 classes)",
    centring: "uncentred W",
    source: "Jiang et al. GNC2 (one-vs-rest margin)",
  },
  gnc2_margin_means: {
    formula: "min_k dist(μ̂_k, conv{μ̂_j : j ≠ k}), μ̂ = μ̃/‖μ̃‖ (higher is better; not " +
      "computed above 128 classes)",
    centring: MEANS,
    source: "Jiang et al. GNC2 on the class means",
  },
  norm_m_cov: { formula: "std/mean of ‖μ̃_k‖ (unbiased std)", centring: MEANS, source: "Papyan" },
  norm_w_cov: { formula: "std/mean of ‖w_k‖", centring: "uncentred W", source: "Papyan" },
  equiangularity_m: {
    formula: "unbiased std_{k<l} cos(μ̃_k, μ̃_l)",
    centring: MEANS,
    source: "PNAS Fig. 3",
  },
  equiangularity_w: {
    formula: "unbiased std_{k<l} cos(w_k, w_l)",
    centring: "uncentred W",
    source: "PNAS Fig. 3",
  },
  coherence_m: {
    formula: "mean_{k≠l} |cos(μ̃_k, μ̃_l) + 1/(K−1)|",
    centring: MEANS,
    source: "Papyan cos_M",
  },
  coherence_w: {
    formula: "mean_{k≠l} |cos(w_k, w_l) + 1/(K−1)|",
    centring: "uncentred W",
    source: "Papyan cos_W",
  },
  uniformity_dist_mean: {
    formula: "mean_{k<l} ‖μ̂_k − μ̂_l‖, μ̂ = μ̃/‖μ̃‖",
    centring: MEANS,
    source: "rhubarbwu dist_kernel",
  },
  uniformity_dist_var: {
    formula: "population var_{k<l} ‖μ̂_k − μ̂_l‖",
    centring: MEANS,
    source: "rhubarbwu nc2g_dist",
  },
  uniformity_log_mean: {
    formula: "mean_{k<l} log(1/‖μ̂_k − μ̂_l‖)",
    centring: MEANS,
    source: "rhubarbwu log_kernel (Liu et al. 2023)",
  },
  uniformity_log_var: {
    formula: "population var_{k<l} log(1/‖μ̂_k − μ̂_l‖)",
    centring: MEANS,
    source: "rhubarbwu nc2g_log",
  },
  uniformity_riesz_mean: {
    formula: "mean_{k<l} sign(s)‖μ̂_k − μ̂_l‖^{−s}",
    centring: MEANS,
    source: "rhubarbwu riesz_kernel",
  },
  uniformity_riesz_var: {
    formula: "population var_{k<l} sign(s)‖μ̂_k − μ̂_l‖^{−s}",
    centring: MEANS,
    source: "rhubarbwu riesz_kernel",
  },
  uniformity_riesz_s: {
    formula: "the Riesz exponent s (default d − 2)",
    centring: "—",
    source: "rhubarbwu",
  },
  ncc_accuracy: {
    formula: "fraction with argmin_k ‖h − μ_k‖ = label",
    centring: "uncentred (distances)",
    source: "GNC / NCC accuracy",
  },
  ncc_mismatch: {
    formula: "fraction with argmax(Wh + b) ≠ argmin_k ‖h − μ_k‖",
    centring: "uncentred (distances)",
    source: "Papyan NCC_mismatch (PNAS Fig. 7)",
  },
  ncc_agreement_no_bias: {
    formula: "fraction with argmax(Wh) = argmin_k ‖h − μ_k‖ (no bias)",
    centring: "uncentred (distances)",
    source: "rhubarbwu nc4_agree",
  },
  wmu_g_b_norm: {
    formula: "‖Wμ_G + b‖",
    centring: SAMPLE,
    source: 'tding1 "NC4" (docs/metrics.md#zhu)',
  },
  sigma_b_rank: { formula: "rank of Σ_B used by the pinv of nc1", centring: SAMPLE, source: "—" },
  tr_sigma_w: {
    formula: "Tr Σ_W = (1/N)Σ_i ‖x_i − μ_{y_i}‖²",
    centring: "class means",
    source: "—",
  },
  tr_sigma_b: { formula: "Tr Σ_B = (1/K)Σ_k ‖μ_k − μ_G‖²", centring: SAMPLE, source: "—" },
  tr_sigma_b_mean_of_means: { formula: "Tr Σ_B", centring: MEANS, source: "—" },
  undefined_reason: {
    formula: "why some values are null (e.g. zero between-class variance), else null",
    centring: "—",
    source: "—",
  },
  "per_class.count": { formula: "n_k", centring: "—", source: "—" },
  "per_class.within_variance": {
    formula: "σ_k² = (1/n_k)Σ_{i∈k} ‖x_i − μ_k‖²",
    centring: "class means",
    source: "rhubarbwu VarNormAccumulator",
  },
  "per_class.mean_norm": { formula: "‖μ_k − μ_G‖", centring: MEANS, source: "—" },
  "per_class.w_norm": { formula: "‖w_k‖", centring: "uncentred W", source: "—" },
  "per_class.cos_w_mean": { formula: "cos(w_k, μ_k − μ_G)", centring: MEANS, source: "GNC3" },
  "per_class.w_mean_dot": {
    formula: "⟨w_k, μ_k − μ_G⟩",
    centring: MEANS,
    source: "rhubarbwu similarities",
  },
  "per_class.ncc_mismatch": {
    formula: "ncc_mismatch within class k",
    centring: "uncentred",
    source: "—",
  },
  "per_class.ncc_accuracy": {
    formula: "ncc_accuracy within class k",
    centring: "uncentred",
    source: "—",
  },
};

/**
 * One-line description of every key (formula; centring; source), for `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(metricDescriptions.nc1, /Tr\(Σ_W Σ_B\^†\)\/K \[centring: sample mean\]/);
 * ```
 */
export const metricDescriptions: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(metricDefinitions).map(([key, { formula, centring, source }]) => [
    key,
    `${formula} [centring: ${centring === "—" ? "none" : centring}]${
      source === "—" ? "" : ` (${source})`
    }`,
  ]),
);
