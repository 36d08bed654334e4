/**
 * Closed-form global minimizers of the regularized-MSE UFM (docs/ufm-mse.md#mse-bias-free,
 * docs/ufm-mse.md#mse-free-bias, docs/ufm-mse.md#mse-reg-bias), in one formula covering all three
 * bias modes and any target scale s.
 *
 * In the canonical (Z) convention, with c = K√(nλ_Wλ_H) (= √(λ_W^TB λ_H^TB), the same number
 * in both conventions), the logits of the class means are M = a·P + β·J/K with
 *   a = (s − c)_+   on the K−1 directions orthogonal to 1 (P = I − J/K),
 *   β = (s − c/μ)_+ on the direction 1, where μ = 1 (no bias), λ_b/(1+λ_b) (regularized
 *       bias) or 0 (unregularized bias: β = 0),
 * and f* = (K−1)/(2K)·(s−a)² + μ/(2K)·(s−β)² + c/K·((K−1)a + β)   (docs/ufm-mse.md#mse-reg-bias
 * and docs/ufm-mse.md#rescaled-mse for s). For s = 1 this reduces to f* = c − c²/2 (bias-free),
 * ((K−1)/K)(c − c²/2) (free bias) and the table at docs/ufm-mse.md#mse-reg-bias-table.
 * Derivation: the penalty of a factorization Z = WH is √(λ_Wλ_H)‖Z‖_* at best, so each singular
 * direction of sY is soft-thresholded (docs/ufm-mse.md#mechanism).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mseTheory } from "./mse.ts";
 * const t = mseTheory({ K: 4, n: 5, d: 8, lambdaW: 0.025, lambdaH: 0.01, lambdaB: 0,
 *   bias: "none", targetScale: 1 });
 * const c = Math.sqrt(0.1 * 0.2); // √(λ_W^TB λ_H^TB)
 * assert.ok(Math.abs(t!.objective - (c - c * c / 2)) < 1e-15);
 * ```
 * @module
 */
import type { ClosedForm } from "./types.ts";
import type { BiasMode } from "../ufm/problem.ts";

/** Inputs: sizes and λ in the canonical (Z) convention. */
export interface MseTheoryInput {
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
  /** λ_b^Z (bias `reg` only). */
  lambdaB: number;
  /** Bias mode. */
  bias: BiasMode;
  /** Target scale s. */
  targetScale: number;
}

/** The predicted global minimizer. */
export interface MseTheory extends ClosedForm {
  /** Which closed form this is. */
  kind: "mse";
  /** Optimal objective f*. */
  objective: number;
  /** Threshold parameter c = K√(nλ_Wλ_H); the zero solution is optimal iff c ≥ s. */
  c: number;
  /** Singular value scale on the centered directions, a = (s − c)_+. */
  a: number;
  /** Singular value scale on the all-ones direction, β. */
  beta: number;
  /** μ = 1 (no bias), λ_b/(1+λ_b) (regularized), 0 (free). */
  mu: number;
  /** True when W = H = 0 is the minimizer (a = β = 0). */
  zero_solution: boolean;
  /** Mean over classes of ‖h̄_k‖² (uncentered). */
  h_mean_sq: number;
  /** Mean over classes of ‖h̄_k − h_G‖² (centered). */
  h_centered_sq: number;
  /** Mean over classes of ‖w_k‖². */
  w_row_sq: number;
  /** Common bias entry b*_k (0 without bias). */
  bias: number;
  /** Cosine between two distinct uncentered class means (null at the zero solution). */
  cos_means: number | null;
  /** h̄_k = ratio · w_k with ratio = √(λ_W/(nλ_H)) (self-duality; null if λ_H = 0). */
  duality_ratio: number | null;
  /** Geometry of the uncentered class means. */
  structure: "orthogonal frame" | "simplex ETF" | "OF-ETF interpolation" | "zero";
}

/**
 * The closed-form minimizer, or null where none is known: a λ of 0 (no minimizer or not
 * unique), or d too small for the predicted rank (d ≥ K when β > 0, d ≥ K − 1 otherwise).
 */
export function mseTheory(input: MseTheoryInput): MseTheory | null {
  const { K, n, d, lambdaW, lambdaH, bias, targetScale: s } = input;
  if (lambdaW <= 0 || lambdaH <= 0) return null;
  const c = K * Math.sqrt(n * lambdaW * lambdaH);
  const mu = bias === "none" ? 1 : bias === "free" ? 0 : input.lambdaB / (1 + input.lambdaB);
  const a = Math.max(s - c, 0);
  const beta = mu === 0 ? 0 : Math.max(s - c / mu, 0);
  const rank = (a > 0 ? K - 1 : 0) + (beta > 0 ? 1 : 0);
  if (d < rank) return null;
  const objective = ((K - 1) / (2 * K)) * (s - a) ** 2 + (mu / (2 * K)) * (s - beta) ** 2 +
    (c / K) * ((K - 1) * a + beta);
  // diag(M) = a(1 − 1/K) + β/K; diag(PMP) = a(1 − 1/K).
  const diagM = a * (1 - 1 / K) + beta / K;
  // H̄ᵀH̄ = hScale·M (docs/ufm-mse.md#mse-reg-bias)
  const hScale = Math.sqrt(lambdaW / (n * lambdaH));
  const wScale = Math.sqrt((n * lambdaH) / lambdaW); // WWᵀ = wScale·M
  const biasValue = bias === "none"
    ? 0
    : (s - beta) / (K * (1 + (bias === "reg" ? input.lambdaB : 0)));
  const zero = a === 0 && beta === 0;
  let structure: MseTheory["structure"];
  if (zero) structure = "zero";
  else if (beta === a) structure = "orthogonal frame";
  else if (beta === 0) structure = "simplex ETF";
  else structure = "OF-ETF interpolation";
  return {
    kind: "mse",
    objective,
    c,
    a,
    beta,
    mu,
    zero_solution: zero,
    h_mean_sq: hScale * diagM,
    h_centered_sq: hScale * a * (1 - 1 / K),
    w_row_sq: wScale * diagM,
    bias: biasValue,
    cos_means: zero ? null : (beta - a) / (a * (K - 1) + beta),
    duality_ratio: hScale,
    structure,
    per_class: {
      h_mean_sq: new Array<number>(K).fill(hScale * diagM),
      w_row_sq: new Array<number>(K).fill(wScale * diagM),
      collapsed: new Array<boolean>(K).fill(zero),
    },
  };
}
