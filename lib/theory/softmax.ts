/**
 * Global minimizers of the UFM with cross-entropy, label smoothing and focal loss (paper B;
 * docs/ufm-softmax.md#softmax-collapse), canonical (Z) convention. At every global minimizer
 * (d ≥ K − 1) the classifier is a simplex ETF, features collapse onto h̄_k = √(λ_W/(nλ_H))·w_k and
 * the bias is 0, so the problem reduces to the logit margin m = z_y − z_j (j ≠ y):
 *
 *   m* = argmin_{m ≥ 0} G(m) := ℓ(m) + λ̃·m,   λ̃ = (K−1)√(nλ_Wλ_H),   f* = G(m*),
 *   ‖w_k‖² = m*(K−1)/(K√(λ_W/(nλ_H))),   ‖h̄_k‖² = (λ_W/(nλ_H))‖w_k‖²,
 *
 * with p(m) = 1/(1 + (K−1)e^{−m}) and ℓ_CE = log(1 + (K−1)e^{−m}), ℓ_LS = ℓ_CE + α(K−1)m/K,
 * ℓ_FL = (1 − p)^β ℓ_CE. CE and LS have the closed form m* = log((K−1)(1−q)/q) with
 * q = λ̃ + α(K−1)/K (m* = 0 once q ≥ (K−1)/K); FL is minimized globally in 1-D (G can be
 * non-convex): a fine grid on [0, 60], then bisection on G' inside the best cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxTheory } from "./softmax.ts";
 * const t = softmaxTheory({ K: 4, n: 5, d: 8, lambdaW: 5e-3, lambdaH: 5e-3, loss: "ce", alpha: 0,
 *   beta: 0 });
 * assert.ok(Math.abs(t!.margin - 4.45948199) < 1e-8);
 * assert.ok(Math.abs(t!.objective - 0.18369199) < 1e-8);
 * ```
 * @module
 */
import type { ClosedForm } from "./types.ts";

/** Inputs: sizes, λ in the canonical (Z) convention and the loss. */
export interface SoftmaxTheoryInput {
  /** Classes. */
  K: number;
  /** Samples per class. */
  n: number;
  /** Feature dimension. */
  d: number;
  /** λ_W^Z. */
  lambdaW: number;
  /** λ_H^Z. */
  lambdaH: number;
  /** Which loss. */
  loss: "ce" | "ls" | "fl";
  /** Label smoothing α (ls). */
  alpha: number;
  /** Focal β (fl). */
  beta: number;
}

/** The predicted global minimizer. */
export interface SoftmaxTheory extends ClosedForm {
  /** Which closed form this is. */
  kind: "softmax";
  /** f* = G(m*). */
  objective: number;
  /** Optimal logit margin m*. */
  margin: number;
  /** λ̃ = (K−1)√(nλ_Wλ_H). */
  lambda_tilde: number;
  /** True when W = H = 0 is the minimizer (m* = 0). */
  zero_solution: boolean;
  /** Mean over classes of ‖h̄_k‖² (= centered, since h_G = 0). */
  h_mean_sq: number;
  /** Mean over classes of ‖h̄_k − h_G‖². */
  h_centered_sq: number;
  /** Mean over classes of ‖w_k‖². */
  w_row_sq: number;
  /** b* entries (0; with an unregularized bias any constant vector is optimal). */
  bias: number;
  /** Cosine between distinct class means: −1/(K−1) (simplex ETF), null at zero. */
  cos_means: number | null;
  /** h̄_k = ratio·w_k, ratio = √(λ_W/(nλ_H)). */
  duality_ratio: number;
  /** Geometry of the class means. */
  structure: "simplex ETF" | "zero";
  /**
   * Largest λ̃ for which m = 0 is not a local minimum of G: −ℓ'(0)
   * (docs/ufm-softmax.md#fl-local-threshold); for CE/LS this is also the global zero threshold.
   */
  lambda_tilde_local_threshold: number;
}

/** ℓ(m) of the loss at the ETF solution with margin m (docs/ufm-softmax.md#margin-reduction). */
export function marginLoss(
  input: Pick<SoftmaxTheoryInput, "K" | "loss" | "alpha" | "beta">,
  m: number,
): number {
  const { K, loss, alpha, beta } = input;
  const ce = Math.log1p((K - 1) * Math.exp(-m));
  if (loss === "ce") return ce;
  if (loss === "ls") return ce + (alpha * (K - 1) * m) / K;
  // 1 − p = (K−1)e^{−m}/(1 + (K−1)e^{−m}), computed without cancellation.
  const t = (K - 1) * Math.exp(-m);
  return (t / (1 + t)) ** beta * ce;
}

/** G(m) = ℓ(m) + λ̃m. */
export function marginObjective(input: SoftmaxTheoryInput, m: number): number {
  return marginLoss(input, m) + lambdaTilde(input) * m;
}

/** λ̃ = (K−1)√(nλ_Wλ_H). */
export function lambdaTilde(input: SoftmaxTheoryInput): number {
  return (input.K - 1) * Math.sqrt(input.n * input.lambdaW * input.lambdaH);
}

/** Global minimizer of G on [0, ∞) (closed form for CE/LS, 1-D search for FL). */
export function optimalMargin(input: SoftmaxTheoryInput): number {
  const { K } = input;
  if (input.loss !== "fl") {
    const q = lambdaTilde(input) + (input.loss === "ls" ? (input.alpha * (K - 1)) / K : 0);
    return q < (K - 1) / K ? Math.log(((K - 1) * (1 - q)) / q) : 0;
  }
  // FL: G may be non-convex. Grid of step 0.005 on [0, 60]; keep m = 0 if nothing beats it.
  const G = (m: number) => marginObjective(input, m);
  const step = 0.005;
  let best = 0;
  let bestValue = G(0);
  for (let i = 1; i <= 12000; i++) {
    const value = G(i * step);
    if (value < bestValue) [best, bestValue] = [i * step, value];
  }
  if (best === 0) return 0;
  // The minimum lies in [best − step, best + step]. G is flat there, so locating m* by values
  // alone stops at √ε relative accuracy: bisect on the sign of G' instead (full precision).
  let [lo, hi] = [Math.max(0, best - step), best + step];
  const slope = (m: number) => marginLossDerivative(input, m) + lambdaTilde(input);
  if (!(slope(lo) < 0 && slope(hi) > 0)) return best; // a kink at the grid edge: keep the grid
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (slope(mid) < 0) lo = mid;
    else hi = mid;
  }
  const m = (lo + hi) / 2;
  return G(m) < G(0) ? m : 0;
}

/**
 * ℓ'(m). For FL with q = 1 − p = t/(1 + t), t = (K−1)e^{−m}:
 * ℓ' = −q^β [β(1 − q) log(1 + t) + q] (docs/ufm-softmax.md#fl-margin).
 */
export function marginLossDerivative(input: SoftmaxTheoryInput, m: number): number {
  const { K, loss, alpha, beta } = input;
  const t = (K - 1) * Math.exp(-m);
  const q = t / (1 + t);
  if (loss === "ce") return -q;
  if (loss === "ls") return -q + (alpha * (K - 1)) / K;
  return -(q ** beta) * (beta * (1 - q) * Math.log1p(t) + q);
}

/** −ℓ'(0): G'(0) < 0 iff λ̃ is below it (docs/ufm-softmax.md#fl-local-threshold). */
export function localZeroThreshold(input: SoftmaxTheoryInput): number {
  const { K, loss, alpha, beta } = input;
  if (loss === "ce") return (K - 1) / K;
  if (loss === "ls") return ((K - 1) / K) * (1 - alpha);
  return ((K - 1) / K) ** beta * (beta * Math.log(K) + K - 1) / K;
}

/** The closed-form minimizer, or null when d < K − 1 or a λ is 0 (no minimizer / GNC regime). */
export function softmaxTheory(input: SoftmaxTheoryInput): SoftmaxTheory | null {
  const { K, n, d, lambdaW, lambdaH } = input;
  if (lambdaW <= 0 || lambdaH <= 0 || d < K - 1) return null;
  const margin = optimalMargin(input);
  const ratio = Math.sqrt(lambdaW / (n * lambdaH));
  const wRowSq = (margin * (K - 1)) / (K * ratio);
  const hMeanSq = ratio * ratio * wRowSq;
  return {
    kind: "softmax",
    objective: marginObjective(input, margin),
    margin,
    lambda_tilde: lambdaTilde(input),
    zero_solution: margin === 0,
    h_mean_sq: hMeanSq,
    h_centered_sq: hMeanSq,
    w_row_sq: wRowSq,
    bias: 0,
    cos_means: margin === 0 ? null : -1 / (K - 1),
    duality_ratio: ratio,
    structure: margin === 0 ? "zero" : "simplex ETF",
    lambda_tilde_local_threshold: localZeroThreshold(input),
    per_class: {
      h_mean_sq: new Array<number>(K).fill(hMeanSq),
      w_row_sq: new Array<number>(K).fill(wRowSq),
      collapsed: new Array<boolean>(K).fill(margin === 0),
    },
  };
}
