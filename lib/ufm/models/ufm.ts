/**
 * The plain UFM W·H (+ b): free features H under one classifier (docs/ufm-mse.md,
 * docs/ufm-softmax.md). Closed forms: MSE with every bias mode (balanced classes), bias-free MSE
 * with imbalanced classes (minority collapse, docs/imbalanced.md), and the CE / LS / FL margin
 * reduction (balanced classes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "../problem.ts";
 * import { ufm } from "./ufm.ts";
 * const problem = resolveProblem({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * assert.ok(Math.abs(ufm.theory(problem)!.objective - 0.1314213562373095) < 1e-15);
 * ```
 * @module
 */
import { mseTheory } from "../../theory/mse.ts";
import { softmaxTheory } from "../../theory/softmax.ts";
import type { Theory } from "../../theory/mod.ts";
import type { ResolvedProblem } from "../problem.ts";
import { layeredModel, linearTheory } from "./layered.ts";

/** The closed form of a plain-UFM problem, or null where none is known. */
export function plainTheory(problem: ResolvedProblem): Theory | null {
  const { K, d, n, lambdas, loss } = problem;
  if (loss.name === "pal") return null;
  if (n === null) {
    // Imbalanced classes: MSE bias-free (per class) or with a free bias (per singular direction
    // of the centred target) — the L = 2 case of the L-factor form.
    return loss.name === "mse" && problem.bias !== "reg" ? linearTheory(problem) : null;
  }
  if (loss.name === "mse") {
    return mseTheory({ K, n, d, ...lambdas, bias: problem.bias, targetScale: loss.targetScale });
  }
  return softmaxTheory({
    K,
    n,
    d,
    lambdaW: lambdas.lambdaW,
    lambdaH: lambdas.lambdaH,
    loss: loss.name,
    alpha: loss.alpha,
    beta: loss.beta,
  });
}

/** Registry entry of the plain UFM. */
export const ufm = layeredModel({
  name: "ufm",
  summary: "plain UFM W·H (+ b)",
  relu: false,
  fixedDepth: 1,
  theory: plainTheory,
});
