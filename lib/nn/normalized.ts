/**
 * Normalized features and fixed or normalized classifiers (docs/sphere.md#sphere-code):
 *
 * - {@link normalizeColumns}: the penultimate features h (one column per sample) become
 *   τ·h/max(‖h‖, ε), ε = 1e-12 — PyTorch's `tau * F.normalize(x)` of the normalized-NC code
 *   (cjyaras/normalized-neural-collapse `models/resnet.py`), so the logits W·(τh̃) + b are τ times
 *   the cosines when the rows of W are unit vectors (Yaras et al. 2022, docs/sphere.md);
 * - {@link normalizeColumnsBackward}: the gradient through it, ∂L/∂h = (τ/‖h‖)(g − h̃⟨h̃, g⟩)
 *   for g = ∂L/∂(τh̃) (the Jacobian of h ↦ h/‖h‖ is (I − h̃h̃ᵀ)/‖h‖), and (τ/ε)·g where ‖h‖ ≤ ε;
 * - {@link normalizeRows}: classifier rows to unit norm (`normalize_fc`, after every step);
 * - {@link simplexEtfRows}: the fixed simplex-ETF classifier of tding1/Neural-Collapse
 *   (`--ETF_fc`): the rows of √(K/(K−1))(I − J/K) — unit vectors with pairwise cosine −1/(K−1) —
 *   padded with zeros to the feature width d ≥ K; for d = K − 1 the same rows written in an
 *   orthonormal basis of 1^⊥ (Helmert's), which keeps their Gram matrix (K/(K−1))(I − J/K).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { normalizeColumns, simplexEtfRows } from "./normalized.ts";
 * const h = Matrix.from(2, 2, [3, 0, 4, 2], "f64"); // columns (3, 4) and (0, 2)
 * const norms = new Float64Array(2);
 * normalizeColumns(h, 2, norms);
 * assert.deepEqual(Array.from(h.data), [1.2, 0, 1.6, 2]); // radius τ = 2
 * assert.deepEqual(Array.from(norms), [5, 2]);
 * const etf = simplexEtfRows(3, 4); // 3 unit rows, cos = −1/2, zeros in the last 2 columns
 * const dot = [0, 1, 2, 3].reduce((sum, j) => sum + etf[j] * etf[4 + j], 0); // rows 0 and 1
 * assert.ok(Math.abs(dot + 0.5) < 1e-15);
 * ```
 * @module
 */
import type { Matrix } from "../matrix.ts";
import { sphereTheory } from "../theory/sphere.ts";
import { isImbalanced, type TrainConfig } from "./config.ts";

/** F.normalize's ε: features with ‖h‖ ≤ ε are divided by ε instead of their norm. */
export const NORMALIZE_EPS = 1e-12;

/**
 * In place on `features` (d × B, one sample per column): column j ← τ·h_j/max(‖h_j‖, ε);
 * `norms[j]` receives ‖h_j‖ (for the backward pass).
 */
export function normalizeColumns(features: Matrix, tau: number, norms: Float64Array): void {
  const { rows, cols } = features;
  const values = features.data;
  norms.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) norms[j] += values[i * cols + j] ** 2;
  }
  for (let j = 0; j < cols; j++) norms[j] = Math.sqrt(norms[j]);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      values[i * cols + j] = (tau * values[i * cols + j]) / Math.max(norms[j], NORMALIZE_EPS);
    }
  }
}

/**
 * In place on `grad` = ∂L/∂(τh̃) (d × B): grad ← ∂L/∂h, given the normalized `features` τh̃ and
 * the `norms` ‖h‖ of {@link normalizeColumns} (see the module notes).
 */
export function normalizeColumnsBackward(
  grad: Matrix,
  features: Matrix,
  tau: number,
  norms: Float64Array,
): void {
  const { rows, cols } = grad;
  const g = grad.data;
  const scaled = features.data;
  const dots = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) dots[j] += (scaled[i * cols + j] / tau) * g[i * cols + j];
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const index = i * cols + j;
      g[index] = norms[j] > NORMALIZE_EPS
        ? (tau / norms[j]) * (g[index] - (scaled[index] / tau) * dots[j])
        : (tau / NORMALIZE_EPS) * g[index];
    }
  }
}

/** In place: every row of `matrix` divided by max(its norm, ε) (`F.normalize` along rows). */
export function normalizeRows(matrix: Matrix): void {
  const { rows, cols } = matrix;
  const values = matrix.data;
  for (let k = 0; k < rows; k++) {
    let squares = 0;
    for (let j = 0; j < cols; j++) squares += values[k * cols + j] ** 2;
    const norm = Math.max(Math.sqrt(squares), NORMALIZE_EPS);
    for (let j = 0; j < cols; j++) values[k * cols + j] /= norm;
  }
}

/**
 * The K × d row-major simplex-ETF classifier (see the module notes); throws a RangeError for
 * d < K − 1 or K < 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const rows = simplexEtfRows(4, 3); // d = K − 1: Helmert coordinates
 * for (let a = 0; a < 4; a++) {
 *   for (let b = 0; b < 4; b++) {
 *     let dot = 0;
 *     for (let j = 0; j < 3; j++) dot += rows[a * 3 + j] * rows[b * 3 + j];
 *     assert.ok(Math.abs(dot - (a === b ? 1 : -1 / 3)) < 1e-15);
 *   }
 * }
 * ```
 */
export function simplexEtfRows(classes: number, width: number): Float64Array {
  const K = classes;
  if (!Number.isSafeInteger(K) || K < 2 || !Number.isSafeInteger(width) || width < K - 1) {
    throw new RangeError(`simplex ETF: needs K ≥ 2 and width ≥ K − 1, got K = ${K}, d = ${width}`);
  }
  const scale = Math.sqrt(K / (K - 1));
  const rows = new Float64Array(K * width);
  if (width >= K) {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < K; j++) rows[k * width + j] = scale * ((k === j ? 1 : 0) - 1 / K);
    }
    return rows;
  }
  // Helmert basis of 1^⊥: u_j = (1, …, 1, −j, 0, …)/√(j(j+1)) with j ones, j = 1 … K−1; row k
  // of the ETF in these coordinates is scale·(e_k − 1/K)·u_j = scale·u_j[k] (u_j ⊥ 1).
  for (let j = 1; j < K; j++) {
    const norm = Math.sqrt(j * (j + 1));
    for (let k = 0; k < K; k++) {
      const entry = k < j ? 1 : k === j ? -j : 0;
      rows[k * width + (j - 1)] = (scale * entry) / norm;
    }
  }
  return rows;
}

/**
 * The lower bound of a normalized network's mean training loss: the optimum of the spherical UFM
 * (lib/theory/sphere.ts, docs/sphere.md) for K classes, temperature τ and the network's loss and
 * bias, with the feature width `width` — for CE f*(K, τ) = log(1 + (K−1)e^{−τK/(K−1)}). The
 * network's features τh/‖h‖ and unit classifier rows are feasible points of that problem, so its
 * training loss can never go below the bound (it can stay above it: ReLU features are
 * nonnegative, so no simplex ETF of them exists). For CE, LS and FL the margin bound of
 * docs/sphere.md#margin-bound does not depend on the dimension, so where the width has no closed
 * form (K > d + 1, d ≠ 2) the value at d = K is used. Multiplied by 2/K for the MSE `mean`
 * reduction. Null without normalized features, with imbalanced classes (the bound assumes
 * balanced ones) or where none is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrainConfig } from "./config.ts";
 * const config = validateTrainConfig({ normalizeFeatures: true, tau: 5, width: 64 });
 * const bound = normalizedLossBound(config, 10, 64)!;
 * assert.ok(Math.abs(bound - Math.log1p(9 * Math.exp(-50 / 9))) < 1e-15);
 * ```
 */
export function normalizedLossBound(
  config: TrainConfig,
  classes: number,
  width: number,
): number | null {
  if (!config.normalizeFeatures || config.tau === null || isImbalanced(config)) return null;
  const input = {
    K: classes,
    tau: config.tau,
    loss: {
      name: config.loss,
      alpha: config.alpha,
      beta: config.beta,
      targetScale: config.targetScale,
    },
    bias: config.bias ? "free" as const : "none" as const,
  };
  const value = sphereTheory({ ...input, d: width })?.objective ??
    (config.loss === "mse" ? null : sphereTheory({ ...input, d: Math.max(width, classes) })
      ?.objective) ??
    null;
  if (value === null) return null;
  return config.loss === "mse" && config.mseReduction === "mean" ? (2 / classes) * value : value;
}
