/**
 * The unconstrained features model (UFM) problem: sizes, regularization and its convention,
 * bias mode and loss. Two conventions exist in the literature (science.md §1); both map onto one
 * canonical (Z) form used by every solver and closed form:
 *
 *   f(W, H, b) = 1/N Σ_{k,i} L(W h_{k,i} + b, y_k) + λ_W/2 ‖W‖² + λ_H/2 ‖H‖² + λ_b/2 ‖b‖²
 *
 * (TB) Tirer & Bruna write 1/(2Kn)‖WH − Y‖² + λ_W/(2K)‖W‖² + λ_H/(2Kn)‖H‖²: the data terms agree
 * (N = Kn) and λ_W^Z = λ_W^TB / K, λ_H^Z = λ_H^TB / N (science.md §1). For a regularized bias
 * in the TB convention we use the per-class analogue λ_b^TB/(2K)‖b‖², so λ_b^Z = λ_b^TB / K.
 * Objective values are identical in both conventions; only the meaning of λ changes.
 *
 * @example
 * ```ts
 * import { canonicalLambdas, validateProblem } from "./problem.ts";
 * const problem = validateProblem({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * console.log(canonicalLambdas(problem)); // { lambdaW: 0.025, lambdaH: 0.01, lambdaB: 0 }
 * ```
 * @module
 */
import { UsageError } from "../cli.ts";
import { type LossName, type LossSpec, validateLossSpec } from "../losses.ts";

export { type LossName, lossNames } from "../losses.ts";

/** Bias of the classifier: absent, free (unregularized) or regularized by λ_b. */
export type BiasMode = "none" | "free" | "reg";
/** Regularization convention: Tirer–Bruna (`tb`) or Zhu/Zhou/paper B (`z`). */
export type Convention = "tb" | "z";

/** Bias modes, conventions and losses accepted on the command line. */
export const biasModes: readonly BiasMode[] = ["none", "free", "reg"];
/** Regularization conventions. */
export const conventions: readonly Convention[] = ["tb", "z"];

/** A UFM instance as the user states it (λ in the user's convention). */
export interface UfmProblem {
  /** Number of classes K ≥ 2. */
  K: number;
  /** Samples per class n ≥ 1 (balanced). */
  n: number;
  /** Feature dimension d ≥ 1. */
  d: number;
  /** Classifier weight decay λ_W ≥ 0. */
  lambdaW: number;
  /** Feature weight decay λ_H ≥ 0. */
  lambdaH: number;
  /** Bias weight decay λ_b ≥ 0 (used only with bias `reg`). */
  lambdaB: number;
  /** Bias mode. */
  bias: BiasMode;
  /** Convention in which the λ are given. */
  norm: Convention;
  /** Loss. */
  loss: LossName;
  /** MSE target scale s (targets s·one-hot), s > 0; must be 1 for the other losses. */
  targetScale: number;
  /** Label smoothing α (loss `ls` only; default 0.05). */
  alpha?: number;
  /** Focal β (loss `fl` only; default 3). */
  beta?: number;
}

/** λ in the canonical (Z) convention. */
export interface CanonicalLambdas {
  /** λ_W^Z. */
  lambdaW: number;
  /** λ_H^Z. */
  lambdaH: number;
  /** λ_b^Z (0 unless bias is `reg`). */
  lambdaB: number;
}

/** Checks every field, throwing a {@link UsageError} that names the offending flag. */
export function validateProblem(problem: UfmProblem): UfmProblem {
  const integer = (flag: string, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`--${flag}: must be an integer ≥ ${min}, got ${value}`);
    }
  };
  integer("K", problem.K, 2);
  integer("n", problem.n, 1);
  integer("d", problem.d, 1);
  const nonNegative = (flag: string, value: number): void => {
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`--${flag}: must be a finite number ≥ 0, got ${value}`);
    }
  };
  nonNegative("lambda-w", problem.lambdaW);
  nonNegative("lambda-h", problem.lambdaH);
  nonNegative("lambda-b", problem.lambdaB);
  if (!biasModes.includes(problem.bias)) {
    throw new UsageError(`--bias: expected one of ${biasModes.join("|")}, got '${problem.bias}'`);
  }
  if (!conventions.includes(problem.norm)) {
    throw new UsageError(`--norm: expected one of ${conventions.join("|")}, got '${problem.norm}'`);
  }
  validateLossSpec(lossSpec(problem));
  if (problem.alpha !== undefined && problem.loss !== "ls") {
    throw new UsageError(`--alpha: only used with --loss ls (loss is '${problem.loss}')`);
  }
  if (problem.beta !== undefined && problem.loss !== "fl") {
    throw new UsageError(`--beta: only used with --loss fl (loss is '${problem.loss}')`);
  }
  if (problem.targetScale !== 1 && problem.loss !== "mse") {
    throw new UsageError(`--target-scale: only used with --loss mse (loss is '${problem.loss}')`);
  }
  if (problem.bias === "reg" && problem.lambdaB === 0) {
    throw new UsageError("--lambda-b: bias 'reg' needs λ_b > 0 (use --bias free for λ_b = 0)");
  }
  if (problem.bias !== "reg" && problem.lambdaB !== 0) {
    throw new UsageError(`--lambda-b: only used with --bias reg (bias is '${problem.bias}')`);
  }
  if (problem.K * problem.n * Math.max(problem.d, problem.K) > 2 ** 28) {
    throw new UsageError(
      `problem too large: K·n·max(d, K) = ${
        problem.K * problem.n * Math.max(problem.d, problem.K)
      }` +
        " exceeds 2^28 elements",
    );
  }
  return problem;
}

/** The loss of a problem with its parameter (defaults filled in). */
export function lossSpec(problem: UfmProblem): Required<LossSpec> {
  return validateLossSpec({
    name: problem.loss,
    alpha: problem.alpha,
    beta: problem.beta,
    targetScale: problem.targetScale,
  });
}

/** Number of samples N = K·n. */
export function sampleCount(problem: UfmProblem): number {
  return problem.K * problem.n;
}

/** Converts the problem's λ to the canonical (Z) convention (science.md §1). */
export function canonicalLambdas(problem: UfmProblem): CanonicalLambdas {
  const lambdaB = problem.bias === "reg" ? problem.lambdaB : 0;
  if (problem.norm === "z") return { lambdaW: problem.lambdaW, lambdaH: problem.lambdaH, lambdaB };
  const N = sampleCount(problem);
  return {
    lambdaW: problem.lambdaW / problem.K,
    lambdaH: problem.lambdaH / N,
    lambdaB: lambdaB / problem.K,
  };
}

/**
 * Converts λ given in convention `from` into convention `to` (same K, n).
 * λ_W^TB = K λ_W^Z, λ_H^TB = N λ_H^Z, λ_b^TB = K λ_b^Z.
 */
export function convertLambdas(
  lambdas: CanonicalLambdas,
  from: Convention,
  to: Convention,
  K: number,
  n: number,
): CanonicalLambdas {
  if (from === to) return { ...lambdas };
  const scaleW = K, scaleH = K * n, scaleB = K;
  const up = from === "z"; // z → tb multiplies
  return {
    lambdaW: up ? lambdas.lambdaW * scaleW : lambdas.lambdaW / scaleW,
    lambdaH: up ? lambdas.lambdaH * scaleH : lambdas.lambdaH / scaleH,
    lambdaB: up ? lambdas.lambdaB * scaleB : lambdas.lambdaB / scaleB,
  };
}
