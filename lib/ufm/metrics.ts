/**
 * NC metrics of a UFM state, through the one metrics implementation (lib/metrics): H is passed
 * as d×N with samples as columns, labels are class-major, W and b as they are.
 *
 * @example
 * ```ts
 * import { UfmModel } from "./model.ts";
 * import { ufmMetrics } from "./metrics.ts";
 * const model = new UfmModel({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 }, { seed: 1, initStd: 0.5 });
 * console.log(ufmMetrics(model).nc1);
 * ```
 * @module
 */
import type { Matrix } from "../matrix.ts";
import { classStatistics, cosineMatrix, type NcMetrics, ncMetrics } from "../metrics/mod.ts";
import type { UfmModel } from "./model.ts";

/** NC metrics of a UFM state (see lib/metrics/mod.ts for every definition). */
export type NcMetricsReport = NcMetrics;

/** A f64 copy of m if it is f32 (metrics are computed in f64), else m itself. */
function asF64(m: Matrix): { matrix: Matrix; owned: boolean } {
  return m.dtype === "f64" ? { matrix: m, owned: false } : { matrix: m.clone("f64"), owned: true };
}

/** All NC metrics of the model's current W, H, b. */
export function ufmMetrics(model: UfmModel): NcMetricsReport {
  const features = asF64(model.H);
  const weights = asF64(model.W);
  try {
    return ncMetrics({
      features: features.matrix,
      layout: "samples-as-columns",
      labels: model.labels.data,
      classes: model.problem.K,
      weights: weights.matrix,
      bias: model.b === null ? null : Float64Array.from(model.b.data),
    });
  } finally {
    if (features.owned) features.matrix.free();
    if (weights.owned) weights.matrix.free();
  }
}

/** Class means of H (K×d, f64) and the model's labels; caller frees `means`. */
export function ufmClassMeans(model: UfmModel): Matrix {
  const features = asF64(model.H);
  try {
    return classStatistics(
      features.matrix,
      model.labels.data,
      model.problem.K,
      "samples-as-columns",
    )
      .means;
  } finally {
    if (features.owned) features.matrix.free();
  }
}

/** Mean over pairs k ≠ l of cos(h̄_k, h̄_l), uncentered class means (science.md §3.3). */
export function meanClassMeanCosine(model: UfmModel): number {
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
 * (the m of science.md §3.6; for the MSE minimizer of §3.3 it equals a = (s − c)_+).
 */
export function meanLogitMargin(model: UfmModel): number {
  const means = ufmClassMeans(model);
  const { K, d } = model.problem;
  const w = model.W.data;
  const b = model.b?.data ?? null;
  const m = means.data;
  let total = 0;
  for (let k = 0; k < K; k++) {
    let own = 0, others = 0;
    for (let j = 0; j < K; j++) {
      let z = b === null ? 0 : b[j];
      for (let i = 0; i < d; i++) z += w[j * d + i] * m[k * d + i];
      if (j === k) own = z;
      else others += z / (K - 1);
    }
    total += own - others;
  }
  means.free();
  return total / K;
}
