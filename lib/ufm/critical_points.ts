/**
 * Critical points of any kind — minima and saddles — of a UFM instance, found by minimizing the
 * squared gradient norm ψ(θ) = ½‖∇f(θ)‖² from random starts (docs/landscape.md#survey): ψ's
 * global minimizers are exactly the critical points of f, whatever their index, while gradient
 * descent on f itself only finds minima. ∇ψ = ∇²f·∇f is a Hessian-vector product (central
 * differences of the gradient, lib/optim/hessian.ts), and ψ is minimized by the same L-BFGS.
 * A start that ends with ‖∇f‖ above the tolerance (a non-critical local minimum of ψ) is
 * discarded; every critical point found is certified (lib/ufm/certify.ts). This measures paper
 * B's landscape claim: every critical point other than a global minimizer is a strict saddle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { surveyCriticalPoints } from "./critical_points.ts";
 * const survey = surveyCriticalPoints({ K: 3, n: 1, d: 4, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 }, { starts: 4, seed: 1 });
 * assert.ok(survey.points.length > 0);
 * assert.ok(survey.points.every((p) => p.certificate.grad_norm < 1e-7));
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { minimizeLbfgs } from "../optim/lbfgs.ts";
import { fullGradient, parameterCount } from "../optim/hessian.ts";
import type { ParameterBlock } from "../optim/minimize.ts";
import { Matrix } from "../matrix.ts";
import { type Certificate, certify } from "./certify.ts";
import type { UfmObjective } from "./models/types.ts";
import { type ResolvedProblem, resolveProblem, type UfmProblem } from "./problem.ts";
import { createModel, theoryFor } from "./solve.ts";

/** Options of {@link surveyCriticalPoints}. */
export interface SurveyOptions {
  /** Random starts (default 20). */
  starts?: number;
  /** Seed of the first start (start s uses seed + s). */
  seed?: number;
  /** Std of the N(0, std²) starts (default 1). */
  initStd?: number;
  /** L-BFGS iterations on ψ per start (default 3000). */
  iterations?: number;
  /** A start counts as critical when ‖∇f‖ ≤ this (default 1e-7). */
  tolerance?: number;
}

/** One critical point found. */
export interface CriticalPoint {
  /** Seed of its start. */
  seed: number;
  /** Its certificate (objective, gap to f*, smallest Hessian eigenvalues, verdict). */
  certificate: Certificate;
}

/** Result of {@link surveyCriticalPoints}. */
export interface CriticalPointSurvey {
  /** The closed-form f* (null without one). */
  objective: number | null;
  /** Critical points found, in seed order. */
  points: CriticalPoint[];
  /** Starts whose ψ-minimization did not reach a critical point. */
  discarded: number;
}

/**
 * The gradient-norm objective ψ = ½‖∇f‖² of a model, with ∇ψ = ∇²f·∇f by central differences.
 * Its blocks alias the model's values; each has its own gradient buffer.
 */
function gradientNormObjective(model: UfmObjective, step = 1e-6) {
  const P = parameterCount(model);
  const g = new Float64Array(P), plus = new Float64Array(P), minus = new Float64Array(P);
  const origin = new Float64Array(P);
  const blocks: ParameterBlock[] = model.blocks.map((block) => ({
    name: block.name,
    value: block.value,
    grad: Matrix.zeros(block.value.rows, block.value.cols, block.value.dtype),
    lambda: 0,
  }));
  const visit = (fn: (data: { [i: number]: number; length: number }, at: number) => void) => {
    let at = 0;
    for (const block of model.blocks) {
      fn(block.value.data, at);
      at += block.value.size;
    }
  };
  return {
    blocks,
    evaluateData(): number {
      fullGradient(model, g);
      let sq = 0;
      for (const value of g) sq += value * value;
      const norm = Math.sqrt(sq);
      visit((data, at) => {
        for (let e = 0; e < data.length; e++) origin[at + e] = data[e];
      });
      if (norm === 0) {
        for (const block of blocks) block.grad.data.fill(0);
        return 0;
      }
      let scale = 1;
      for (const value of origin) scale = Math.max(scale, Math.abs(value));
      const epsilon = step * scale;
      const shift = (sign: number) =>
        visit((data, at) => {
          for (let e = 0; e < data.length; e++) {
            data[e] = origin[at + e] + sign * epsilon * g[at + e] / norm;
          }
        });
      shift(1);
      fullGradient(model, plus);
      shift(-1);
      fullGradient(model, minus);
      visit((data, at) => {
        for (let e = 0; e < data.length; e++) data[e] = origin[at + e];
      });
      let at = 0;
      for (const block of blocks) {
        const out = block.grad.data;
        for (let e = 0; e < out.length; e++) {
          out[e] = (norm * (plus[at + e] - minus[at + e])) / (2 * epsilon);
        }
        at += out.length;
      }
      return 0.5 * sq;
    },
    free(): void {
      for (const block of blocks) block.grad.free();
    },
  };
}

/** Finds critical points of `problem` from `starts` random starts and certifies each. */
export function surveyCriticalPoints(
  statement: UfmProblem | ResolvedProblem,
  options: SurveyOptions = {},
): CriticalPointSurvey {
  const problem = resolveProblem(statement);
  if (problem.model === "sphere") {
    // ψ = ½‖∇f‖² would need the Riemannian gradient and retracted steps: not built.
    throw new UsageError(
      "the critical-point survey covers unconstrained models, not --model sphere",
    );
  }
  const theory = theoryFor(problem);
  const starts = options.starts ?? 20;
  const tolerance = options.tolerance ?? 1e-7;
  const points: CriticalPoint[] = [];
  let discarded = 0;
  for (let s = 0; s < starts; s++) {
    const seed = (options.seed ?? 0) + s;
    const model = createModel(problem, { seed, initStd: options.initStd ?? 1 });
    const psi = gradientNormObjective(model);
    try {
      minimizeLbfgs(psi, { maxIterations: options.iterations ?? 3000, tolerance: 0 });
      const certificate = certify(model, theory, { gradientTolerance: tolerance });
      if (certificate.grad_norm <= tolerance) points.push({ seed, certificate });
      else discarded++;
    } finally {
      psi.free();
      model.free();
    }
  }
  return { objective: theory?.objective ?? null, points, discarded };
}
