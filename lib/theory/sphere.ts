/**
 * Optimal values of the spherical UFM (docs/sphere.md): unit classifier rows w_k and unit
 * features h_i, logits τ·W·h (+ a free bias), no weight decay, balanced classes.
 *
 * - K ≤ d + 1 (docs/sphere.md#sphere-ce … #sphere-fl): with M = τK/(K−1) the largest mean logit
 *   margin unit vectors allow, CE, FL (when the convex envelope of its margin loss touches it at
 *   M) and LS below saturation are minimized by the simplex ETF with h_i = w_{y_i}:
 *     f*_CE = log(1 + (K−1)e^{−M}),  f*_FL = (1−p)^β·f*_CE with p = 1/(1 + (K−1)e^{−M}),
 *     f*_LS = f*_CE + ατ while M ≤ m_LS = log(K/α − K + 1); past saturation (d ≥ K) LS reaches the
 *     entropy of its smoothed target, −(1−q)log(1−q) − q log(q/(K−1)), q = α(K−1)/K, with a
 *     continuum of minimizers (no forced collapse).
 * - d = 2, any K (docs/sphere.md#polygon): the regular K-gon, f*_CE = log S with
 *   S = Σ_{j<K} exp(τ(cos(2πj/K) − 1)); FL's polygon value (1 − 1/S)^β log S is the numerical
 *   minimum in every checked case (reported with a note); LS has none (it leaves the polygon).
 * - MSE with targets s·e_y (docs/sphere.md#sphere-mse): bias-free, d ≥ K: f* = ½(s − τ)_+²
 *   (orthogonal frame, unique while τ < s); d = K − 1: f* = ½((s−τ)² + τ²/(K−1)) for
 *   τ ≤ s(K−1)/K (a signed simplex ETF); with a free bias: f* = s²(K−1)/(2K)·(1 − τK/(s(K−1)))_+²
 *   (simplex ETF, b = s/K·1).
 * A free bias changes nothing for CE, LS and FL (b ∝ 1 is a flat direction).
 * Everything else (K > d + 1 with d ≥ 3: the softmax code, lib/theory/softmax_code.ts) has no
 * closed form: null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sphereTheory } from "./sphere.ts";
 * const ce = { name: "ce", alpha: 0.05, beta: 3, targetScale: 1 } as const;
 * const etf = sphereTheory({ K: 4, d: 3, tau: 5, loss: ce, bias: "none" })!;
 * assert.ok(Math.abs(etf.objective - 0.0038106317) < 1e-10);
 * const pentagon = sphereTheory({ K: 5, d: 2, tau: 3, loss: ce, bias: "none" })!;
 * assert.ok(Math.abs(pentagon.objective - 0.23144539) < 1e-8);
 * ```
 * @module
 */
import type { LossSpec } from "../losses.ts";
import { marginLoss } from "./softmax.ts";
import type { ClosedForm } from "./types.ts";

/** Inputs of {@link sphereTheory}. */
export interface SphereTheoryInput {
  /** Classes K. */
  K: number;
  /** Dimension d of the features and classifier rows. */
  d: number;
  /** Temperature τ > 0 multiplying the cosine logits. */
  tau: number;
  /** The loss with its parameters. */
  loss: Required<LossSpec>;
  /** No bias or a free (unregularized) bias. */
  bias: "none" | "free";
}

/** The predicted global minimum of the spherical UFM. */
export interface SphereTheory extends ClosedForm {
  /** Which closed form this is. */
  kind: "sphere";
  /** The temperature. */
  tau: number;
  /** Mean logit margin z_y − mean_{j≠y} z_j of every sample at the minimizer. */
  margin: number;
  /** False where the value is attained by a continuum of configurations (no forced geometry). */
  unique: boolean;
  /** Which result of docs/sphere.md gives the value. */
  regime:
    | "etf"
    | "ls-saturated"
    | "polygon"
    | "mse-of"
    | "mse-zero-loss"
    | "mse-signed-etf"
    | "mse-etf-bias";
}

/**
 * The optimal value and geometry of the spherical UFM, or null where none is known.
 * Throws a RangeError for τ ≤ 0 or K < 2.
 */
export function sphereTheory(input: SphereTheoryInput): SphereTheory | null {
  const { K, d, tau, loss } = input; // a free bias changes nothing for CE, LS and FL
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`τ must be > 0, got ${tau}`);
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`K must be an integer ≥ 2, got ${K}`);
  if (loss.name === "pal") return null;
  if (loss.name === "mse") return mseOnSphere(input);
  const M = (tau * K) / (K - 1);
  const base = { kind: "sphere" as const, tau, zero_solution: false, bias: 0, w_row_sq: 1 };
  const etf = (objective: number, margin = M): SphereTheory => ({
    ...base,
    objective,
    margin,
    unique: true,
    regime: "etf",
    structure: "simplex ETF",
    h_mean_sq: 1,
    h_centered_sq: 1,
  });
  if (K <= d + 1) {
    const ce = Math.log1p((K - 1) * Math.exp(-M));
    if (loss.name === "ce") return etf(ce);
    if (loss.name === "fl") {
      return focalEnvelopeTouches(K, tau, loss.beta) ? etf(focalMarginLoss(K, M, loss.beta)) : null;
    }
    // Label smoothing.
    const alpha = loss.alpha;
    const saturation = alpha > 0 ? Math.log(K / alpha - K + 1) : Infinity;
    if (M <= saturation) return etf(ce + alpha * tau);
    if (d < K) return null;
    const q = (alpha * (K - 1)) / K;
    return {
      ...base,
      objective: -(1 - q) * Math.log1p(-q) - q * Math.log(q / (K - 1)),
      margin: saturation,
      unique: false,
      regime: "ls-saturated",
      structure: "tilted features, no unique geometry",
      h_mean_sq: NaN,
      h_centered_sq: NaN,
    };
  }
  if (d !== 2 || loss.name === "ls") return null;
  let S = 0;
  for (let j = 0; j < K; j++) S += Math.exp(tau * (Math.cos((2 * Math.PI * j) / K) - 1));
  const value = loss.name === "ce" ? Math.log(S) : (1 - 1 / S) ** loss.beta * Math.log(S);
  return {
    ...base,
    objective: value,
    margin: (tau * K) / (K - 1), // Σ_j cos(2πj/K) = 0: the same mean margin as the ETF
    unique: true,
    regime: "polygon",
    structure: "regular polygon",
    h_mean_sq: 1,
    h_centered_sq: 1,
    note: loss.name === "fl"
      ? "focal loss on the polygon: the numerical minimum in every checked case, not derived " +
        "(docs/sphere.md#polygon-ls-fl)"
      : undefined,
  };
}

/** MSE with targets s·e_y on the sphere (docs/sphere.md#sphere-mse); null where unknown. */
function mseOnSphere(input: SphereTheoryInput): SphereTheory | null {
  const { K, d, tau } = input;
  const s = input.loss.targetScale;
  const base = { kind: "sphere" as const, tau, zero_solution: false, w_row_sq: 1, h_mean_sq: 1 };
  if (input.bias === "free") {
    // f*(τ, s) = s²·f*(τ/s, 1) since ½‖τWh − s e‖² = s²·½‖(τ/s)Wh − e‖².
    if (d < K - 1) return null;
    const reach = (tau * K) / (s * (K - 1));
    return {
      ...base,
      objective: ((s * s * (K - 1)) / (2 * K)) * Math.max(1 - reach, 0) ** 2,
      margin: (tau * K) / (K - 1),
      unique: reach < 1,
      regime: "mse-etf-bias",
      structure: reach < 1 ? "simplex ETF" : "zero loss, no unique geometry",
      h_centered_sq: 1,
      bias: s / K,
    };
  }
  if (d >= K) {
    return {
      ...base,
      objective: 0.5 * Math.max(s - tau, 0) ** 2,
      margin: tau,
      unique: tau < s,
      regime: tau < s ? "mse-of" : "mse-zero-loss",
      structure: tau < s ? "orthogonal frame" : "zero loss, no unique geometry",
      h_centered_sq: 1 - 1 / K,
      bias: 0,
    };
  }
  if (d === K - 1 && tau <= (s * (K - 1)) / K) {
    return {
      ...base,
      objective: 0.5 * ((s - tau) ** 2 + (tau * tau) / (K - 1)),
      margin: tau * (1 + 1 / (K - 1)),
      unique: false,
      regime: "mse-signed-etf",
      structure: "signed simplex ETF",
      h_centered_sq: NaN,
      bias: 0,
      note: "rows of the ETF may be negated (MSE sees squared non-target logits)",
    };
  }
  return null;
}

/** ℓ_FL(m) at margin m (the margin loss of docs/ufm-softmax.md, lib/theory/softmax.ts). */
function focalMarginLoss(K: number, m: number, beta: number): number {
  return marginLoss({ K, loss: "fl", alpha: 0, beta }, m);
}

/**
 * Whether the convex envelope of ℓ_FL on the feasible margins [−2τ, 2τ] touches ℓ_FL at
 * M = τK/(K−1), the condition under which the ETF value is the global minimum
 * (docs/sphere.md#margin-bound). Lower convex hull of ℓ on a grid of 4001 margins plus M.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(focalEnvelopeTouches(4, 2, 3), true);
 * assert.equal(focalEnvelopeTouches(30, 0.3, 3), false);
 * ```
 */
export function focalEnvelopeTouches(K: number, tau: number, beta: number): boolean {
  const M = (tau * K) / (K - 1);
  const points = 4000;
  const margins = Array.from({ length: points + 1 }, (_, i) => -2 * tau + (4 * tau * i) / points);
  margins.push(M);
  margins.sort((a, b) => a - b);
  const values = margins.map((m) => focalMarginLoss(K, m, beta));
  // Lower hull (monotone chain).
  const hull: number[] = [];
  for (let i = 0; i < margins.length; i++) {
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      const cross = (margins[b] - margins[a]) * (values[i] - values[a]) -
        (values[b] - values[a]) * (margins[i] - margins[a]);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(i);
  }
  const at = margins.indexOf(M);
  if (hull.includes(at)) return true;
  // M lies under a hull segment: compare ℓ(M) with the segment.
  for (let h = 0; h + 1 < hull.length; h++) {
    const [a, b] = [hull[h], hull[h + 1]];
    if (margins[a] <= M && M <= margins[b]) {
      const t = (M - margins[a]) / (margins[b] - margins[a]);
      const envelope = values[a] + t * (values[b] - values[a]);
      return values[at] - envelope <= 1e-12 * Math.max(1, Math.abs(values[at]));
    }
  }
  return false;
}
