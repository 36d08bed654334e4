/**
 * Closed-form predictions of UFM global minimizers, one module per family, all sharing the
 * {@link ClosedForm} interface; {@link Theory} is the union a model's closed form can be,
 * told apart by `kind`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mseTheory, type Theory } from "./mod.ts";
 * const theory: Theory | null = mseTheory({ K: 4, n: 5, d: 8, lambdaW: 0.025, lambdaH: 0.01,
 *   lambdaB: 0, bias: "none", targetScale: 1 });
 * assert.equal(theory?.kind, "mse");
 * ```
 * @module
 */
import type { DeepLinearTheory } from "./deep_linear.ts";
import type { MseTheory } from "./mse.ts";
import type { SoftmaxTheory } from "./softmax.ts";
import type { SphereTheory } from "./sphere.ts";

export type { ClosedForm, PerClassPrediction } from "./types.ts";
export { type MseTheory, mseTheory } from "./mse.ts";
export { type SoftmaxTheory, softmaxTheory } from "./softmax.ts";
export { type DeepLinearTheory, deepLinearTheory } from "./deep_linear.ts";
export { type SphereTheory, sphereTheory } from "./sphere.ts";
export { predictedMargin, zeroThreshold, type ZeroThresholdOptions } from "./threshold.ts";

/** Every closed form a model can report. */
export type Theory = MseTheory | SoftmaxTheory | DeepLinearTheory | SphereTheory;

/**
 * `theory` as the closed form of `kind`, or an error naming what was found instead (for code
 * that knows which family its problem belongs to).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const mse = expectTheory(mseTheory({ K: 2, n: 1, d: 2, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "none", targetScale: 1 }), "mse");
 * assert.equal(mse.structure, "orthogonal frame");
 * assert.throws(() => expectTheory(null, "softmax"), /no closed form/);
 * ```
 */
export function expectTheory<K extends Theory["kind"]>(
  theory: Theory | null,
  kind: K,
): Extract<Theory, { kind: K }> {
  if (theory === null) throw new TypeError(`expected a ${kind} closed form, got no closed form`);
  if (theory.kind !== kind) {
    throw new TypeError(`expected a ${kind} closed form, got ${theory.kind}`);
  }
  return theory as Extract<Theory, { kind: K }>;
}
