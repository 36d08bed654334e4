/**
 * The extended ReLU UFM W2·σ(W1·H1) of paper A §4 (docs/extended-deep.md#extended-relu). Its
 * reported closed form is the linear one (bias-free MSE): attained with a nonnegative
 * orthogonal-frame H̄2 and never beaten numerically — checked by the tests, not a theorem here.
 * @module
 */
import type { ResolvedProblem } from "../problem.ts";
import { layeredModel, linearTheory } from "./layered.ts";

/**
 * The linear closed form for a ReLU model with one ReLU layer and no bias, with a note; null
 * otherwise (more ReLU layers can beat it with lower-rank solutions, docs/extended-deep.md).
 */
export function reluTheory(problem: ResolvedProblem) {
  if (problem.bias !== "none" || problem.depth > 2) return null;
  const theory = linearTheory(problem);
  if (theory !== null) {
    theory.note = "ReLU model: the linear closed form, attained with a nonnegative orthogonal " +
      "frame H̄2; never beaten numerically (docs/extended-deep.md#extended-relu), not a " +
      "theorem; H̄1 is not an OF";
  }
  return theory;
}

/** Registry entry of `ext-relu`. */
export const extRelu = layeredModel({
  name: "ext-relu",
  summary: "extended UFM W2·σ(W1·H1) (paper A §4)",
  relu: true,
  fixedDepth: 2,
  theory: reluTheory,
});
