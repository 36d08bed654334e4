/**
 * NC metrics and norms of a UFM state, through the one metrics implementation (lib/metrics):
 * the penultimate features (samples as columns) with their labels, the classifier and the bias,
 * whatever the model. For multi-label problems the single-label metrics are taken on the
 * multiplicity-1 samples (docs/multilabel.md#metrics).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModel } from "./solve.ts";
 * import { resolveProblem } from "./problem.ts";
 * import { ufmMetrics } from "./metrics.ts";
 * const model = createModel(resolveProblem({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1,
 *   lambdaB: 0, bias: "none", norm: "tb", loss: "mse", targetScale: 1 }), { seed: 1, initStd: 0.5 });
 * assert.ok(ufmMetrics(model).nc1 > 0); // random features are not collapsed
 * model.free();
 * ```
 * @module
 */
import { Matrix } from "../matrix.ts";
import {
  classStatistics,
  cosineMatrix,
  type MultiLabelMetrics,
  multiLabelMetrics,
  type NcMetrics,
  ncMetrics,
} from "../metrics/mod.ts";
import type { UfmObjective } from "./models/types.ts";
import type { ResolvedProblem } from "./problem.ts";

// Shared with the networks (lib/nn): one implementation, in lib/metrics.
export { classifierCosine } from "../metrics/geometry.ts";

/** NC metrics of a UFM state (see lib/metrics/mod.ts for every definition). */
export type NcMetricsReport = NcMetrics;

/** Norms of a solution (class means of the penultimate features, classifier rows, bias). */
export interface SolutionNorms {
  /** Mean over classes of ‖h̄_k‖². */
  h_mean_sq: number;
  /** Mean over classes of ‖h̄_k − h_G‖², h_G = mean of class means. */
  h_centered_sq: number;
  /** Mean over classes of ‖w_k‖². */
  w_row_sq: number;
  /** The bias, or null. */
  bias: number[] | null;
  /** ‖h̄_k‖² per class (uncentered). */
  h_class_sq: number[];
  /** ‖w_k‖² per class. */
  w_class_sq: number[];
}

/** Labelled single-label features of a model state: f64, samples as columns. */
export interface LabelledFeatures {
  features: Matrix;
  labels: Int32Array;
  /** True when `features` is a copy the caller must free. */
  owned: boolean;
}

/**
 * Features of a model layer (width×N, samples as columns) with one class per sample: all
 * samples for single labels, the multiplicity-1 samples for multi-label problems (copied), as
 * f64. Free `features` when `owned`.
 */
export function labelledFeatures(
  problem: ResolvedProblem,
  features: Matrix,
): LabelledFeatures {
  const labels = problem.labels;
  if (labels.kind === "single") {
    return features.dtype === "f64"
      ? { features, labels: labels.labels, owned: false }
      : { features: features.clone("f64"), labels: labels.labels, owned: true };
  }
  const columns: number[] = [];
  const classes: number[] = [];
  labels.sets.forEach((set, i) => {
    if (set.length === 1) {
      columns.push(i);
      classes.push(set[0]);
    }
  });
  const { rows, cols } = features;
  const subset = Matrix.zeros(rows, columns.length, "f64");
  const source = features.data;
  const target = subset.data;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns.length; j++) {
      target[r * columns.length + j] = source[r * cols + columns[j]];
    }
  }
  return { features: subset, labels: Int32Array.from(classes), owned: true };
}

/** A f64 copy of m if it is f32 (metrics are computed in f64), else m itself. */
function asF64(m: Matrix): { matrix: Matrix; owned: boolean } {
  return m.dtype === "f64" ? { matrix: m, owned: false } : { matrix: m.clone("f64"), owned: true };
}

/** All NC metrics of the model's penultimate features, classifier and bias (last forward pass). */
export function ufmMetrics(model: UfmObjective): NcMetricsReport {
  const labelled = labelledFeatures(model.problem, model.penultimate());
  const weights = asF64(model.classifier);
  try {
    return ncMetrics({
      features: labelled.features,
      layout: "samples-as-columns",
      labels: labelled.labels,
      classes: model.problem.K,
      weights: weights.matrix,
      bias: model.b === null ? null : Float64Array.from(model.b.data),
    });
  } finally {
    if (labelled.owned) labelled.features.free();
    if (weights.owned) weights.matrix.free();
  }
}

/**
 * Multi-label metrics of the model's penultimate features (docs/multilabel.md#pal-metrics):
 * NC on the multiplicity-1 samples, the tag-wise average (cosine and scale c_m of h̄_S against the
 * average of its classes' means); null for single-label problems.
 */
export function ufmMultiLabelMetrics(model: UfmObjective): MultiLabelMetrics | null {
  const labels = model.problem.labels;
  if (labels.kind !== "multi") return null;
  const weights = asF64(model.classifier);
  try {
    return multiLabelMetrics({
      features: model.penultimate(),
      layout: "samples-as-columns",
      multiHot: labels.multiHot,
      classes: labels.classes,
      weights: weights.matrix,
      bias: model.b === null ? null : Float64Array.from(model.b.data),
    });
  } finally {
    if (weights.owned) weights.matrix.free();
  }
}

/** Class means of the penultimate features (K×width, f64); the caller frees them. */
export function ufmClassMeans(model: UfmObjective): Matrix {
  const labelled = labelledFeatures(model.problem, model.penultimate());
  try {
    return classStatistics(
      labelled.features,
      labelled.labels,
      model.problem.K,
      "samples-as-columns",
    ).means;
  } finally {
    if (labelled.owned) labelled.features.free();
  }
}

/**
 * mean_k ‖h̄_k‖², mean_k ‖h̄_k − h_G‖² (h_G = mean of class means), mean_k ‖w_k‖², their
 * per-class values and b of the model's state.
 */
export function solutionNorms(model: UfmObjective): SolutionNorms {
  const K = model.problem.K;
  const means = ufmClassMeans(model);
  const width = means.cols;
  const m = means.data;
  const w = model.classifier.data;
  const globalMean = new Float64Array(width);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < width; i++) globalMean[i] += m[k * width + i] / K;
  }
  let hCentered = 0;
  const hClass: number[] = [];
  const wClass: number[] = [];
  for (let k = 0; k < K; k++) {
    let h = 0, wk = 0;
    for (let i = 0; i < width; i++) {
      h += m[k * width + i] ** 2;
      hCentered += (m[k * width + i] - globalMean[i]) ** 2;
      wk += w[k * width + i] ** 2;
    }
    hClass.push(h);
    wClass.push(wk);
  }
  means.free();
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  return {
    h_mean_sq: sum(hClass) / K,
    h_centered_sq: hCentered / K,
    w_row_sq: sum(wClass) / K,
    bias: model.b === null ? null : Array.from(model.b.data),
    h_class_sq: hClass,
    w_class_sq: wClass,
  };
}

/** Mean over pairs k ≠ l of cos(h̄_k, h̄_l), uncentered class means (docs/ufm-mse.md#reg-bias). */
export function meanClassMeanCosine(model: UfmObjective): number {
  const means = ufmClassMeans(model);
  const K = model.problem.K;
  const cosines = cosineMatrix(means);
  means.free();
  let sum = 0;
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) if (k !== l) sum += cosines[k * K + l];
  }
  return sum / (K * (K - 1));
}

/**
 * Mean logit margin of the class means: mean_k [z_kk − mean_{j≠k} z_jk] with z_·k = W h̄_k + b
 * (the m of docs/ufm-softmax.md; for the MSE minimizer with a regularized bias it equals
 * a = (s − c)_+).
 */
export function meanLogitMargin(model: UfmObjective): number {
  const means = ufmClassMeans(model);
  const K = model.problem.K;
  const width = means.cols;
  const w = model.classifier.data;
  const b = model.b?.data ?? null;
  const m = means.data;
  let total = 0;
  for (let k = 0; k < K; k++) {
    let own = 0, others = 0;
    for (let j = 0; j < K; j++) {
      let z = b === null ? 0 : b[j];
      for (let i = 0; i < width; i++) z += w[j * width + i] * m[k * width + i];
      if (j === k) own = z;
      else others += z / (K - 1);
    }
    total += own - others;
  }
  means.free();
  return total / K;
}
