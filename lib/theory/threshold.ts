/**
 * Regularization thresholds read off a closed form: past a loss's threshold the global minimizer
 * of the UFM is W = H = 0 (paper B: CE and MSE at K√(nλ_Wλ_H) = 1, label smoothing at
 * α + K√(nλ_Wλ_H) = 1; focal loss has no closed form for it). {@link zeroThreshold} finds it for
 * any predicate by bisection in log λ, {@link predictedMargin} is the predicate's usual input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroThreshold } from "./threshold.ts";
 * // A predicate with a known switch: zero from λ = 0.25 on.
 * const lambda = zeroThreshold((value) => value >= 0.25);
 * assert.ok(Math.abs(lambda - 0.25) < 1e-12);
 * ```
 * @module
 */
import type { Theory } from "./mod.ts";

/** Options of {@link zeroThreshold}. */
export interface ZeroThresholdOptions {
  /** Lower end of the bracket, where the solution must be nonzero (default 1e-6). */
  low?: number;
  /** Upper end of the bracket, where the solution must be zero (default 10). */
  high?: number;
  /** Bisection steps in log λ (default 200: the bracket shrinks to one double). */
  steps?: number;
}

/**
 * The smallest λ in [low, high] at which `isZero(λ)` holds, by bisection at geometric midpoints
 * √(lo·hi), for a predicate that switches once from false to true as λ grows (the zero solution
 * persists for all larger λ). Returns the upper end of the final bracket.
 *
 * @throws {RangeError} if the bracket is not a bracket (`isZero(low)` or not `isZero(high)`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxTheory } from "./softmax.ts";
 * // CE, K = 4, n = 5, λ_W = λ_H = λ (Z): zero past K√(nλ_Wλ_H) = 1.
 * const ce = (lambda: number) => softmaxTheory({ K: 4, n: 5, d: 8, lambdaW: lambda,
 *   lambdaH: lambda, loss: "ce", alpha: 0, beta: 0 });
 * const lambda = zeroThreshold((value) => predictedMargin(ce(value)!) === 0);
 * assert.ok(Math.abs(lambda - 1 / (4 * Math.sqrt(5))) < 1e-9);
 * assert.throws(() => zeroThreshold(() => true), /already zero/);
 * ```
 */
export function zeroThreshold(
  isZero: (lambda: number) => boolean,
  options: ZeroThresholdOptions = {},
): number {
  let low = options.low ?? 1e-6;
  let high = options.high ?? 10;
  const steps = options.steps ?? 200;
  if (!(low > 0 && high > low) || !Number.isFinite(high)) {
    throw new RangeError(`zeroThreshold: need 0 < low < high, got [${low}, ${high}]`);
  }
  if (isZero(low)) throw new RangeError(`zeroThreshold: the solution is already zero at ${low}`);
  if (!isZero(high)) throw new RangeError(`zeroThreshold: the solution is not zero at ${high}`);
  for (let i = 0; i < steps; i++) {
    const mid = Math.sqrt(low * high);
    if (isZero(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The logit margin m* of a predicted minimizer — the gap between the true class's logit and any
 * other's at the class means: `margin` of a softmax-family closed form, the coefficient `a` of
 * the MSE logits aP + βJ/K. Zero exactly at the zero solution.
 *
 * @throws {TypeError} for a closed form without a margin (the deep linear models).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mseTheory } from "./mse.ts";
 * const t = mseTheory({ K: 4, n: 5, d: 8, lambdaW: 0.01, lambdaH: 0.01, lambdaB: 0.01,
 *   bias: "reg", targetScale: 1 })!;
 * assert.equal(predictedMargin(t), t.a);
 * ```
 */
export function predictedMargin(theory: Theory): number {
  if (theory.kind === "softmax") return theory.margin;
  if (theory.kind === "mse") return theory.a;
  throw new TypeError(`no margin in a ${theory.kind} closed form`);
}
