/**
 * What a solver's end point is (docs/landscape.md#certificates): its gradient norm, its gap to
 * the closed form where one exists, and the smallest eigenvalues of the Hessian (Lanczos on
 * finite-difference Hessian-vector products, lib/optim/hessian.ts) — a global minimum, a local
 * minimum, a strict saddle (with its negative curvature), or not a critical point at all.
 * Symmetries of the UFM (rotations of the feature space) give exact zero eigenvalues at every
 * minimizer; they are not negative curvature, so the tests accept λ_min ≥ −1e-8 there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { certify } from "./certify.ts";
 * import { createModel } from "./solve.ts";
 * import { resolveProblem } from "./problem.ts";
 * // The origin of the bias-free MSE UFM below the zero threshold is a strict saddle.
 * const problem = resolveProblem({ K: 3, n: 2, d: 4, lambdaW: 0.3, lambdaH: 0.5, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * const model = createModel(problem, { seed: 0, initStd: 1 });
 * for (const block of model.blocks) block.value.data.fill(0);
 * const certificate = certify(model, null);
 * assert.equal(certificate.classification, "strict saddle");
 * model.free();
 * ```
 * @module
 */
import { parameterCount, smallestHessianEigenvalues } from "../optim/hessian.ts";
import type { Theory } from "../theory/mod.ts";
import type { UfmObjective } from "./models/types.ts";
import { fullGradient } from "../optim/hessian.ts";

/** How an end point was classified. */
export type PointClass =
  | "global minimum"
  | "local minimum"
  | "minimum (no closed form)"
  | "strict saddle"
  | "not a critical point"
  | "undetermined (non-smooth point)";

/** The certificate of one end point. */
export interface Certificate {
  /** f at the point. */
  objective: number;
  /** ‖∇f‖ (Riemannian on spheres). */
  grad_norm: number;
  /** f − f* (null without a closed form). */
  gap: number | null;
  /** The smallest Hessian eigenvalues found, ascending. */
  smallest_eigenvalues: number[];
  /** Lanczos steps (Krylov dimension) behind them. */
  lanczos_steps: number;
  /** The most negative eigenvalue if below −`curvatureTolerance`, else null. */
  negative_curvature: number | null;
  /** The verdict. */
  classification: PointClass;
  /**
   * ReLU pre-activations at 0 (within 1e-9 of the largest): there the objective has kinks, the
   * finite-difference Hessian is not second-order information, and no verdict is given.
   */
  kinks: number;
}

/** Tolerances of {@link certify}. */
export interface CertifyOptions {
  /** A point with ‖∇f‖ above this is not critical (default 1e-6). */
  gradientTolerance?: number;
  /** Eigenvalues below −this count as negative curvature (default 1e-7). */
  curvatureTolerance?: number;
  /** |f − f*| ≤ this·max(1, |f*|) is the global value (default 1e-8). */
  gapTolerance?: number;
  /** Lanczos steps (default: min(P, 120, 10⁷/P), at least 20). */
  steps?: number;
}

/** Certifies the model's current parameters (restored afterwards). */
export function certify(
  model: UfmObjective,
  theory: Theory | null,
  options: CertifyOptions = {},
): Certificate {
  const P = parameterCount(model);
  const gradient = new Float64Array(P);
  const objective = fullGradient(model, gradient);
  let sq = 0;
  for (const value of gradient) sq += value * value;
  const gradNorm = Math.sqrt(sq);
  const steps = options.steps ?? Math.max(20, Math.min(P, 120, Math.floor(1e7 / P)));
  const spectrum = smallestHessianEigenvalues(model, { count: 3, steps, seed: 1 });
  const curvatureTolerance = options.curvatureTolerance ?? 1e-7;
  const lowest = spectrum.values[0];
  const negative = lowest < -curvatureTolerance ? lowest : null;
  const gap = theory === null ? null : objective - theory.objective;
  const kinks = model.kinks?.(1e-9) ?? 0;
  let classification: PointClass;
  if (gradNorm > (options.gradientTolerance ?? 1e-6)) classification = "not a critical point";
  else if (kinks > 0) classification = "undetermined (non-smooth point)";
  else if (negative !== null) classification = "strict saddle";
  else if (gap === null) classification = "minimum (no closed form)";
  else {
    const tolerance = (options.gapTolerance ?? 1e-8) * Math.max(1, Math.abs(theory!.objective));
    classification = Math.abs(gap) <= tolerance ? "global minimum" : "local minimum";
  }
  return {
    objective,
    grad_norm: gradNorm,
    gap,
    smallest_eigenvalues: spectrum.values,
    lanczos_steps: spectrum.steps,
    negative_curvature: negative,
    classification,
    kinks,
  };
}
