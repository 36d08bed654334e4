/**
 * Neural-collapse metrics of labelled features and an optional linear classifier
 * (docs/metrics.md#shared-objects), all in f64, in the conventions of the codes they come from.
 *
 * Two global means are in use, each where its source uses it (they coincide for balanced
 * classes):
 * - μ_G = sample mean (1/N)Σ_i x_i — tding1 / nc_loss (docs/metrics.md#zhu): `nc1`,
 *   `nc1_quotient`, `nc3`, `nc3_centered_w`, `wmu_g_b_norm`, `tr_sigma_b`;
 * - μ_G = mean of class means (1/K)Σ_k μ_k — Papyan colab (docs/metrics.md#papyan), Tirer
 *   (docs/metrics.md#tirer), rhubarbwu (docs/metrics.md#rhubarbwu): `nc1_mean_of_means`,
 *   `nc1_quotient_mean_of_means`, `sw_invsb_papyan`, `nc2_etf`, `nc3_mean_of_means`,
 *   `self_duality_sq`, `unc3`, `norm_m_cov`, `equiangularity_m`, `coherence_m`, the
 *   `uniformity_*` kernels, `per_class.mean_norm`, `per_class.cos_w_mean`.
 * Σ_W is divided by the total N and Σ_B by K (docs/metrics.md#shared-objects). Every key, with its
 * formula, centring and source, is in definitions.ts (`metricDefinitions`); where the peers differ,
 * each convention has its own key (`nc1` / `nc1_mean_of_means`, `nc3` / `nc3_mean_of_means`, …).
 *
 * One implementation: `ncMetrics` validates its input and feeds it as one batch to the
 * streaming {@link NcAccumulator} (accumulator.ts), which datasets of any size feed batch by
 * batch; both end in the same final stage (summary.ts). Memory is O(K·d + min(K, d)²) beyond
 * the features themselves: no d×d matrix when K ≤ d, no K×K matrix when K > d (nc1.ts,
 * pairwise.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { ncMetrics } from "./mod.ts";
 * const features = Matrix.from(4, 2, [1, 0, 1.2, 0, 0, 1, 0, 0.8]);
 * const metrics = ncMetrics({ features, labels: [0, 0, 1, 1] });
 * assert.ok(metrics.nc1 > 0 && metrics.per_class.within_variance[0] > 0);
 * ```
 * @module
 */
import { NcAccumulator } from "./accumulator.ts";
import type { NcMetrics } from "./definitions.ts";
import type { SummaryOptions } from "./summary.ts";
import { type NcInput, validateInput } from "./validate.ts";

export type { NcInput } from "./validate.ts";
export {
  accumulatorBytes,
  type FeatureBatch,
  NcAccumulator,
  type NcAccumulatorOptions,
} from "./accumulator.ts";
export {
  type ClassStatistics,
  classStatistics,
  type FeatureLayout,
  forEachCenteredBlock,
} from "./class_stats.ts";
export {
  type MetricDefinition,
  metricDefinitions,
  metricDescriptions,
  type NcMetrics,
  type PerClassMetrics,
} from "./definitions.ts";
export {
  classifierCosine,
  cosineMatrix,
  gramDistance,
  normalizedDistance,
  rowGram,
} from "./geometry.ts";
export {
  forEachProductBlock,
  GramDistance,
  type GramStatistics,
  gramStatistics,
  type GramTarget,
  productDistance,
  RunningMoments,
} from "./pairwise.ts";
export { betweenClassBasis, nc1Traces, traceWithinBetweenPinv } from "./nc1.ts";
export { centeredRows } from "./duality.ts";
export type { SummaryOptions } from "./summary.ts";
export {
  type LabelSetMetrics,
  type MultiHotBatch,
  MultiLabelAccumulator,
  type MultiLabelAccumulatorOptions,
  type MultiLabelInput,
  type MultiLabelMetrics,
  multiLabelMetrics,
} from "./multilabel.ts";

/** Options of {@link ncMetrics}. */
export interface NcMetricsOptions extends SummaryOptions {
  /** Nearest-class-mean decisions (N·K·d flops; default true). */
  ncc?: boolean;
}

/**
 * Computes every NC metric of {@link NcMetrics} for `input` (see the module notes for the
 * conventions). Throws a {@link UsageError} for invalid input (validate.ts, accumulator.ts).
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
 * assert.ok(metrics.nc1 > 0 && metrics.nc1 < 0.01); // nearly collapsed
 * assert.ok(metrics.nc2_w_of !== null && metrics.nc2_w_of < 1e-15); // W = I: an orthogonal frame
 * ```
 */
export function ncMetrics(input: NcInput, options: NcMetricsOptions = {}): NcMetrics {
  const checked = validateInput(input);
  const accumulator = new NcAccumulator({
    classes: checked.classes,
    dim: input.layout === "samples-as-columns" ? input.features.rows : input.features.cols,
    weights: checked.weights,
    bias: checked.bias,
    ncc: options.ncc,
  });
  try {
    const batch = { features: checked.features, layout: checked.layout, labels: checked.labels };
    accumulator.addMeans(batch);
    accumulator.finishMeans();
    accumulator.addDeviations(batch);
    return accumulator.metrics(options);
  } finally {
    accumulator.free();
    if (checked.weights && checked.weights !== input.weights) checked.weights.free();
  }
}
