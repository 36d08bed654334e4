/**
 * Per-layer neural-collapse metrics of an extended / deep UFM state (paper A §4;
 * docs/extended-deep.md#l-factor-reduction, docs/extended-deep.md#ext-relu-numerics): NC1 of
 * every feature layer (H1, and H2 … H_m before and after the ReLU), the orthogonal-frame
 * distance of the uncentered class means (H̄2 of the ReLU model is a nonnegative OF at the global
 * minimum), the pairwise cosines of H̄1 (not an OF for the ReLU model: all ≤ 0),
 * the alignment of the classifier W_m with H̄_m, and the singular values of every W_l.
 * Every NC number comes from the one metrics implementation (lib/metrics/mod.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DenseUfm } from "./dense.ts";
 * import { layerMetrics } from "./layer_metrics.ts";
 * import { resolveProblem } from "./problem.ts";
 * const model = new DenseUfm(resolveProblem({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1,
 *   lambdaB: 0, bias: "none", norm: "tb", loss: "mse", targetScale: 1, model: "ext-relu" }),
 *   { seed: 1, initStd: 1 });
 * const report = layerMetrics(model);
 * assert.deepEqual(report.features.map((f) => f.name), ["H1", "H2 pre-ReLU", "H2"]);
 * model.free();
 * ```
 * @module
 */
import { symmetricEigen } from "../linalg.ts";
import type { Matrix } from "../matrix.ts";
import { classStatistics, gramDistance, ncMetrics, normalizedDistance } from "../metrics/mod.ts";
import { DenseUfm } from "./dense.ts";
import type { UfmObjective } from "./models/types.ts";
import { labelledFeatures } from "./metrics.ts";
import type { ResolvedProblem } from "./problem.ts";

/** NC metrics of one feature layer. */
export interface FeatureLayerMetrics {
  /** "H1", "H2 pre-ReLU", "H2", … */
  name: string;
  /** Feature layer index l (H_l). */
  layer: number;
  /** Free features, pre- or post-ReLU, or a linear layer. */
  stage: "free" | "pre-relu" | "post-relu" | "linear";
  /** Tr(Σ_W Σ_B^†)/K (lib/metrics `nc1`). */
  nc1: number;
  /** Tr Σ_W / Tr Σ_B. */
  nc1_quotient: number;
  /** dist(H̄ᵀH̄, I/√K) of the uncentered class means. */
  nc2_of: number;
  /** dist(centered Gram, simplex ETF). */
  nc2_etf: number;
  /** Mean over classes of ‖h̄_k‖² (uncentered). */
  mean_sq: number;
  /** Smallest entry of the class means (≥ 0: nonnegative means). */
  min_mean_entry: number;
  /** Smallest cos(h̄_k, h̄_l) over k ≠ l (uncentered). */
  cosine_min: number;
  /** Largest cos(h̄_k, h̄_l) over k ≠ l (uncentered). */
  cosine_max: number;
}

/** Everything {@link layerMetrics} reports. */
export interface LayerMetricsReport {
  /** H1, then for l = 2 … m: H_l pre-ReLU and post-ReLU (ReLU models) or H_l (linear). */
  features: FeatureLayerMetrics[];
  /** cos(h̄1_k, h̄1_l) for the pairs k < l in order (0,1), (0,2), …, (K−2, K−1). */
  h1_cosines: number[];
  /** OF distance of the uncentered means of the penultimate features H_m (post-ReLU). */
  penultimate_of: number;
  /** ‖W_m/‖W_m‖_F − H̄_mᵀ/‖H̄_m‖_F‖_F: 0 when every classifier row is ∝ its class mean. */
  classifier_alignment: number;
  /** dist(W_mW_mᵀ, I/√K). */
  classifier_of: number;
  /** dist(W_mH̄_m, I/√K): the class-mean logits are ∝ I at the bias-free minimum. */
  logits_of: number;
  /** Squared singular values of each W_l (descending, the largest min(K, rows, cols)). */
  weight_sigma_sq: number[][];
  /** ‖W_l‖_F² per layer. */
  weight_sq_norms: number[];
}

interface LayerGeometry {
  metrics: FeatureLayerMetrics;
  /** Class means, K×width row-major. */
  means: Float64Array;
  width: number;
}

/** Per-layer metrics of the model's current state (runs a forward pass first). */
export function layerMetrics(model: UfmObjective): LayerMetricsReport {
  if (!(model instanceof DenseUfm)) {
    throw new TypeError("layerMetrics: per-layer metrics need a dense-layer model");
  }
  model.forward();
  const K = model.problem.K;
  const problem = model.problem;
  const features: FeatureLayerMetrics[] = [];
  const h1 = featureGeometry(model.features(1), problem, "H1", 1, "free");
  features.push(h1.metrics);
  let penultimate = h1;
  for (let l = 2; l <= model.depth; l++) {
    if (model.relu) {
      features.push(
        featureGeometry(model.preActivation(l), problem, `H${l} pre-ReLU`, l, "pre-relu").metrics,
      );
      penultimate = featureGeometry(model.features(l), problem, `H${l}`, l, "post-relu");
    } else {
      penultimate = featureGeometry(model.features(l), problem, `H${l}`, l, "linear");
    }
    features.push(penultimate.metrics);
  }
  const classifier = toF64(model.classifier);
  const width = penultimate.width;
  // W_m H̄_mᵀ… as K×K: (W_m)_{k,:} · h̄_l.
  const logits = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) {
      let dot = 0;
      for (let i = 0; i < width; i++) {
        dot += classifier[k * width + i] * penultimate.means[l * width + i];
      }
      logits[k * K + l] = dot;
    }
  }
  const classifierGram = gramOfRows(classifier, K, width);
  return {
    features,
    h1_cosines: pairCosines(h1.means, K, h1.width),
    penultimate_of: penultimate.metrics.nc2_of,
    classifier_alignment: normalizedDistance(classifier, penultimate.means),
    classifier_of: gramDistance({ rows: K, cols: K, data: classifierGram }, "of"),
    logits_of: gramDistance({ rows: K, cols: K, data: logits }, "of"),
    weight_sigma_sq: model.weights.map((weight) => squaredSingularValues(weight, K)),
    weight_sq_norms: model.weights.map((weight) => {
      let sum = 0;
      for (const value of weight.data) sum += value * value;
      return sum;
    }),
  };
}

function featureGeometry(
  matrix: Matrix,
  problem: ResolvedProblem,
  name: string,
  layer: number,
  stage: FeatureLayerMetrics["stage"],
): LayerGeometry {
  const K = problem.K;
  const labelled = labelledFeatures(problem, matrix);
  const { features, labels } = labelled;
  try {
    const nc = ncMetrics({ features, layout: "samples-as-columns", labels, classes: K });
    const stats = classStatistics(features, labels, K, "samples-as-columns");
    const means = stats.means.toFloat64Array();
    stats.means.free();
    const width = features.rows;
    let sumSq = 0;
    let minEntry = Infinity;
    for (const value of means) {
      sumSq += value * value;
      minEntry = Math.min(minEntry, value);
    }
    const cosines = pairCosines(means, K, width);
    return {
      metrics: {
        name,
        layer,
        stage,
        nc1: nc.nc1,
        nc1_quotient: nc.nc1_quotient,
        nc2_of: nc.nc2_of,
        nc2_etf: nc.nc2_etf,
        mean_sq: sumSq / K,
        min_mean_entry: minEntry,
        cosine_min: Math.min(...cosines),
        cosine_max: Math.max(...cosines),
      },
      means,
      width,
    };
  } finally {
    if (labelled.owned) features.free();
  }
}

/** cos between rows k < l of a K×width row-major array (NaN for a zero row). */
function pairCosines(rows: Float64Array, K: number, width: number): number[] {
  const gram = gramOfRows(rows, K, width);
  const out: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let l = k + 1; l < K; l++) {
      out.push(gram[k * K + l] / Math.sqrt(gram[k * K + k] * gram[l * K + l]));
    }
  }
  return out;
}

function gramOfRows(rows: ArrayLike<number>, count: number, width: number): Float64Array {
  const gram = new Float64Array(count * count);
  for (let a = 0; a < count; a++) {
    for (let b = a; b < count; b++) {
      let dot = 0;
      for (let i = 0; i < width; i++) dot += rows[a * width + i] * rows[b * width + i];
      gram[a * count + b] = gram[b * count + a] = dot;
    }
  }
  return gram;
}

/** The largest min(K, rows, cols) eigenvalues of the smaller Gram of W (= σ_i(W)²). */
function squaredSingularValues(weight: Matrix, K: number): number[] {
  const data = toF64(weight);
  const { rows, cols } = weight;
  let gram: Float64Array;
  let size: number;
  if (rows <= cols) {
    gram = gramOfRows(data, rows, cols);
    size = rows;
  } else {
    size = cols;
    gram = new Float64Array(cols * cols);
    for (let a = 0; a < cols; a++) {
      for (let b = a; b < cols; b++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += data[i * cols + a] * data[i * cols + b];
        gram[a * cols + b] = gram[b * cols + a] = dot;
      }
    }
  }
  const { values } = symmetricEigen(gram, size);
  return Array.from(values.subarray(0, Math.min(K, size)), (value) => Math.max(value, 0));
}

function toF64(matrix: Matrix): Float64Array {
  return Float64Array.from(matrix.data);
}
