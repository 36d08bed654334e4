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
