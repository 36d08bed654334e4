/**
 * Step imbalance (Fang et al. 2021; docs/imbalanced.md#minority-collapse): K_A majority classes
 * of n_A samples and K_B minority classes of n_B = n_A/R samples, and where the bias-free MSE UFM
 * loses its minority classes: class k vanishes iff √n_k ≤ t = N·√(λ_W λ_H) (Z convention), with
 * N = K_A n_A + K_B n_A/R itself depending on R.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mseMinorityThreshold, stepCounts } from "./imbalanced.ts";
 * assert.deepEqual(stepCounts({ majority: 2, minority: 1, nMajority: 100, ratio: 4 }), [100, 100, 25]);
 * const R = mseMinorityThreshold({ majority: 5, minority: 5, nMajority: 1000, lambdaW: 1e-4,
 *   lambdaH: 1e-4 })!;
 * const N = 5 * 1000 + 5 * 1000 / R;
 * assert.ok(Math.abs(Math.sqrt(1000 / R) - N * 1e-4) < 1e-9); // √n_B = t at the threshold
 * ```
 * @module
 */

/** A step-imbalanced class layout. */
export interface StepImbalance {
  /** K_A, majority classes (first). */
  majority: number;
  /** K_B, minority classes (last). */
  minority: number;
  /** n_A, samples per majority class. */
  nMajority: number;
  /** R = n_A/n_B ≥ 1. */
  ratio: number;
}

/** Class counts [n_A × K_A, n_B × K_B] with n_B = round(n_A/R) (at least 1). */
export function stepCounts(layout: StepImbalance): number[] {
  const nMinority = Math.max(1, Math.round(layout.nMajority / layout.ratio));
  return [
    ...new Array<number>(layout.majority).fill(layout.nMajority),
    ...new Array<number>(layout.minority).fill(nMinority),
  ];
}

/**
 * The imbalance ratio R* at which the minority classes of the bias-free MSE UFM vanish
 * (√(n_A/R) = N(R)·√(λ_W λ_H), λ in Z convention; R treated as continuous), or null when they
 * never do for R ≥ 1 (t stays below √n_B) or already vanish at R = 1.
 */
export function mseMinorityThreshold(
  options: Omit<StepImbalance, "ratio"> & { lambdaW: number; lambdaH: number },
): number | null {
  const { majority, minority, nMajority, lambdaW, lambdaH } = options;
  const root = Math.sqrt(lambdaW * lambdaH);
  // g(R) = √(n_A/R) − (K_A n_A + K_B n_A/R)·√(λ_W λ_H): decreasing while √(n_A/R) dominates.
  const g = (R: number) => Math.sqrt(nMajority / R) - (majority + minority / R) * nMajority * root;
  if (g(1) <= 0) return null;
  let lo = 1, hi = 2;
  while (g(hi) > 0) {
    hi *= 2;
    if (hi > 1e15) return null;
  }
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/**
 * One singular direction (or a block of equal ones) of the centred target D(I − uuᵀ) of the
 * free-bias MSE UFM with class sizes n_k (docs/imbalanced.md#mse-free-bias): D = diag(√n_k),
 * u = (√n_k)/√N.
 */
export interface TargetMode {
  /** The squared singular value μ (a repeated class size, or a root of Σ n_k/(n_k − μ) = 0). */
  size: number;
  /** How many equal singular values the block holds. */
  copies: number;
  /** Σ v vᵀ over the block's right singular vectors (K×K, row-major): class-mean directions. */
  right: Float64Array;
  /** Σ a aᵀ over the block's left singular vectors (K×K, row-major): classifier directions. */
  left: Float64Array;
}

/**
 * The K − 1 nonzero singular directions of the centred target D(I − uuᵀ): each class size
 * shared by m classes gives a block of m − 1 copies (vectors on those classes, orthogonal to
 * u), and each interval between consecutive distinct sizes holds one root μ of the secular
 * equation Σ_k n_k/(n_k − μ) = 0 with v_k ∝ √n_k/(n_k − μ), a_k ∝ n_k/(n_k − μ)
 * (docs/imbalanced.md#mse-free-bias).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Step imbalance 2 × 40 and 2 × 4: √40 and √4 once each, and μ = K n_A n_B / N = 640/88.
 * const modes = centredTargetModes([40, 40, 4, 4]);
 * assert.deepEqual(modes.map((m) => m.copies), [1, 1, 1]);
 * const sizes = modes.map((m) => m.size).sort((a, b) => a - b);
 * assert.ok(Math.abs(sizes[0] - 4) < 1e-12 && Math.abs(sizes[2] - 40) < 1e-12);
 * assert.ok(Math.abs(sizes[1] - 640 / 88) < 1e-12);
 * ```
 */
export function centredTargetModes(counts: readonly number[]): TargetMode[] {
  const K = counts.length;
  const modes: TargetMode[] = [];
  const distinct = [...new Set(counts)].sort((a, b) => a - b);
  for (const size of distinct) {
    const members = counts.flatMap((n, k) => (n === size ? [k] : []));
    if (members.length < 2) continue;
    // Vectors on the group, orthogonal to u (constant there): the projector I − J/m on it.
    const projector = new Float64Array(K * K);
    for (const k of members) {
      for (const l of members) projector[k * K + l] = (k === l ? 1 : 0) - 1 / members.length;
    }
    modes.push({ size, copies: members.length - 1, right: projector, left: projector.slice() });
  }
  const secular = (mu: number) => counts.reduce((sum, n) => sum + n / (n - mu), 0);
  for (let j = 0; j + 1 < distinct.length; j++) {
    // Increasing from −∞ to +∞ on (d_j, d_{j+1}): bisection to the resolution of f64.
    let lo = distinct[j], hi = distinct[j + 1];
    for (let i = 0; i < 200 && hi - lo > 0; i++) {
      const mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (secular(mid) < 0) lo = mid;
      else hi = mid;
    }
    const mu = 0.5 * (lo + hi);
    const v = counts.map((n) => Math.sqrt(n) / (n - mu));
    const a = counts.map((n) => n / (n - mu));
    modes.push({ size: mu, copies: 1, right: outer(v), left: outer(a) });
  }
  return modes;
}

/** v vᵀ/‖v‖² (K×K, row-major). */
function outer(v: number[]): Float64Array {
  const K = v.length;
  const norm = v.reduce((sum, x) => sum + x * x, 0);
  const out = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) out[k * K + l] = (v[k] * v[l]) / norm;
  }
  return out;
}
