/**
 * The geometry the explorer draws from a model state: the cosine matrices of the class means
 * (centred on their mean, and uncentred) and of the classifier rows — a simplex ETF shows
 * −1/(K−1) off the diagonal, an orthogonal frame 0 (docs/ufm-mse.md, docs/metrics.md) — and a
 * principal-component projection of the centred class means with the centred classifier rows
 * on the same axes, as the papers draw them.
 *
 * Everything is read through the one metrics implementation (lib/ufm/metrics.ts class means,
 * lib/metrics cosines); the projection itself is a view, not a metric.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveUfm } from "../ufm/solve.ts";
 * import { modelGeometry, type ModelGeometry } from "./geometry.ts";
 * let geometry: ModelGeometry | undefined;
 * solveUfm({ K: 4, n: 2, d: 6, lambdaW: 0.05, lambdaH: 0.05, lambdaB: 0, bias: "none",
 *   norm: "tb", loss: "ce", targetScale: 1 }, {}, {
 *   observe: (_info, model) => { geometry = modelGeometry(model); },
 * });
 * // The CE minimizer is a simplex ETF: centred cosines −1/3 off the diagonal.
 * const offDiagonal = geometry!.cosines.filter((c) => c.matrix === "means_centred" && c.k !== c.l);
 * assert.ok(offDiagonal.every((c) => Math.abs(c.cosine! + 1 / 3) < 1e-6));
 * assert.ok(Math.abs(geometry!.explained[0] + geometry!.explained[1] + geometry!.explained[2] - 1)
 *   < 1e-9); // K − 1 = 3 directions carry all of it
 * ```
 * @module
 */
import { symmetricEigen } from "../linalg.ts";
import { Matrix } from "../matrix.ts";
import { cosineMatrix, rowGram } from "../metrics/mod.ts";
import { ufmClassMeans } from "../ufm/metrics.ts";
import type { UfmObjective } from "../ufm/models/types.ts";
import {
  type CosineCell,
  cosineMatrices,
  type CosineMatrixKey,
  type ModelGeometry,
  type ProjectedPoint,
  type ProjectionSetKey,
  projectionSets,
} from "./vocabulary.ts";

export type { CosineCell, ModelGeometry, ProjectedPoint } from "./vocabulary.ts";

/** Rows of a K×w row-major array minus their mean row. */
function centred(rows: Float64Array, K: number, width: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let j = 0; j < width; j++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += rows[k * width + j] / K;
    for (let k = 0; k < K; k++) out[k * width + j] = rows[k * width + j] - mean;
  }
  return out;
}

function cosineCells(key: CosineMatrixKey, rows: Float64Array, K: number): CosineCell[] {
  const cosines = cosineMatrix({ rows: K, cols: rows.length / K, data: rows });
  const cells: CosineCell[] = [];
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) {
      const value = cosines[k * K + l];
      cells.push({
        matrix: key,
        matrix_label: cosineMatrices.label(key),
        k: k + 1,
        l: l + 1,
        cosine: Number.isFinite(value) ? value : null,
      });
    }
  }
  return cosines.length === 0 ? [] : cells;
}

/**
 * The principal axes of the centred class means M̃ (K×w): eigenvectors u_j of M̃M̃ᵀ give the
 * axes v_j = M̃ᵀu_j/√λ_j; returns up to three axes (zero vectors past the rank) and the
 * fraction of Σλ on each.
 */
function principalAxes(
  means: Float64Array,
  K: number,
  width: number,
): { axes: Float64Array[]; explained: [number, number, number] } {
  const stacked = Matrix.from(K, width, means);
  let gram: Float64Array;
  try {
    gram = rowGram(stacked);
  } finally {
    stacked.free();
  }
  const { values, vectors } = symmetricEigen(gram, K);
  const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
  const axes: Float64Array[] = [];
  const explained: [number, number, number] = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    const direction = new Float64Array(width);
    const value = axis < K ? values[axis] : 0;
    if (value > 1e-12 * Math.max(total, 1e-300)) {
      const scale = 1 / Math.sqrt(value);
      for (let k = 0; k < K; k++) {
        const u = vectors[k * K + axis] * scale;
        for (let j = 0; j < width; j++) direction[j] += u * means[k * width + j];
      }
      explained[axis] = value / total;
    }
    axes.push(direction);
  }
  return { axes, explained };
}

function projected(
  set: ProjectionSetKey,
  rows: Float64Array,
  K: number,
  width: number,
  axes: readonly Float64Array[],
): ProjectedPoint[] {
  const coordinates = Array.from({ length: K }, (_, k) =>
    axes.map((axis) => {
      let dot = 0;
      for (let j = 0; j < width; j++) dot += rows[k * width + j] * axis[j];
      return dot;
    }));
  const longest = Math.max(...coordinates.map((c) => Math.hypot(c[0], c[1], c[2])));
  const scale = longest > 0 ? 1 / longest : 0;
  return coordinates.map((c, k) => ({
    set,
    set_label: projectionSets.label(set),
    class: k + 1,
    pc1: c[0] * scale,
    pc2: c[1] * scale,
    pc3: c[2] * scale,
  }));
}

/** The geometry of the model's current state (penultimate class means and classifier). */
export function modelGeometry(model: UfmObjective): ModelGeometry {
  const K = model.problem.K;
  const meansMatrix = ufmClassMeans(model);
  const means = meansMatrix.toFloat64Array();
  meansMatrix.free();
  const width = means.length / K;
  const classifier = Float64Array.from(model.classifier.data);
  const meansCentred = centred(means, K, width);
  const classifierCentred = centred(classifier, K, width);
  const { axes, explained } = principalAxes(meansCentred, K, width);
  return {
    K,
    cosines: [
      ...cosineCells("means_centred", meansCentred, K),
      ...cosineCells("means", means, K),
      ...cosineCells("classifier", classifier, K),
    ],
    points: [
      ...projected("means", meansCentred, K, width, axes),
      ...projected("classifier", classifierCentred, K, width, axes),
    ],
    explained,
  };
}
