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
 * Extended and deep models (`model`, science.md §2.7–2.9) put `depth` weight matrices
 * W_depth ⋯ W_1 (with ReLUs between them for the `-relu` models) on top of the free features H1;
 * each W_l has its own λ, converted like λ_W (TB: λ_{W_l}/(2K)‖W_l‖², science.md §2.7), and H1
 * takes λ_H. The plain UFM is the model `ufm` (one weight matrix W).
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

/**
 * The model on top of the free features: the plain UFM W·H (`ufm`), the extended UFM W2·W1·H1
 * (`ext-linear`) or W2·σ(W1·H1) (`ext-relu`), and `depth` weight matrices with (`deep-relu`) or
 * without (`deep-linear`) ReLUs between them (science.md §2.7–2.9).
 */
export type ModelName = "ufm" | "ext-linear" | "ext-relu" | "deep-linear" | "deep-relu";
/** Every model name, for flag validation. */
export const modelNames: readonly ModelName[] = [
  "ufm",
  "ext-linear",
  "ext-relu",
  "deep-linear",
  "deep-relu",
];

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
  /** Model (default `ufm`). */
  model?: ModelName;
  /** Weight matrices on top of H1: 2 for `ext-*` (may be omitted), required for `deep-*`. */
  depth?: number;
  /**
   * λ of W_1, …, W_depth (W_1 acts on H1, W_depth is the classifier), in the problem's
   * convention; default `lambdaW` for every layer (which is then the only use of `lambdaW`).
   */
  lambdaWs?: number[];
  /** Widths of the hidden feature layers H2, …, H_depth (depth − 1 values; default d each). */
  hidden?: number[];
}

/** λ in the canonical (Z) convention. */
export interface CanonicalLambdas {
  /** λ_W^Z. */
  lambdaW: number;
  /** λ_H^Z. */
  lambdaH: number;
  /** λ_b^Z (0 unless bias is `reg`). */
  lambdaB: number;
  /** λ^Z of W_1, …, W_depth (extended and deep models only). */
  lambdaWs?: number[];
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
  validateModel(problem);
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

/** Checks the model fields (model, depth, per-layer λ, hidden widths) of a problem. */
function validateModel(problem: UfmProblem): void {
  const model = problem.model ?? "ufm";
  if (!modelNames.includes(model)) {
    throw new UsageError(`--model: expected one of ${modelNames.join("|")}, got '${model}'`);
  }
  const extended = model === "ext-linear" || model === "ext-relu";
  if (model === "ufm") {
    for (
      const [flag, value] of [
        ["depth", problem.depth],
        ["lambda-ws", problem.lambdaWs],
        ["hidden", problem.hidden],
      ] as const
    ) {
      if (value !== undefined) {
        throw new UsageError(`--${flag}: only used with the extended/deep models (model is 'ufm')`);
      }
    }
    return;
  }
  if (problem.bias === "reg") {
    throw new UsageError(
      `--bias: model '${model}' supports a last-layer bias none|free, got 'reg'`,
    );
  }
  if (extended && problem.depth !== undefined && problem.depth !== 2) {
    throw new UsageError(
      `--depth: model '${model}' has 2 weight layers (use deep-${
        model.slice(4)
      } for other depths), got ${problem.depth}`,
    );
  }
  if (!extended) {
    if (problem.depth === undefined) {
      throw new UsageError(`--depth: model '${model}' needs --depth (weight layers on top of H1)`);
    }
    const minDepth = model === "deep-relu" ? 2 : 1;
    if (!Number.isSafeInteger(problem.depth) || problem.depth < minDepth || problem.depth > 64) {
      throw new UsageError(
        `--depth: model '${model}' needs an integer in [${minDepth}, 64], got ${problem.depth}`,
      );
    }
  }
  const depth = weightLayerCount(problem);
  if (problem.lambdaWs !== undefined) {
    const flag = extended ? "lambda-w1/--lambda-w2" : "lambda-ws";
    if (problem.lambdaWs.length !== depth) {
      throw new UsageError(
        `--${flag}: expected ${depth} values (W_1 … W_${depth}), got ${problem.lambdaWs.length}`,
      );
    }
    for (const value of problem.lambdaWs) {
      if (!Number.isFinite(value) || value < 0) {
        throw new UsageError(`--${flag}: every λ must be a finite number ≥ 0, got ${value}`);
      }
    }
  }
  if (problem.hidden !== undefined) {
    if (problem.hidden.length !== depth - 1) {
      throw new UsageError(
        `--hidden: expected ${depth - 1} width(s) (H2 … H${depth}), got ${problem.hidden.length}`,
      );
    }
    for (const width of problem.hidden) {
      if (!Number.isSafeInteger(width) || width < 1) {
        throw new UsageError(`--hidden: widths must be integers ≥ 1, got ${width}`);
      }
    }
  }
  const elements = layerWidths(problem).reduce((sum, width) => sum + width, problem.K) *
    sampleCount(problem);
  if (elements > 2 ** 28) {
    throw new UsageError(
      `problem too large: N·(d + hidden widths + K) = ${elements} exceeds 2^28 elements`,
    );
  }
}

/** The problem's model (`ufm` when unset). */
export function modelOf(problem: UfmProblem): ModelName {
  return problem.model ?? "ufm";
}

/** True for the models with ReLUs between the weight layers. */
export function hasRelu(problem: UfmProblem): boolean {
  const model = modelOf(problem);
  return model === "ext-relu" || model === "deep-relu";
}

/** Number of weight matrices on top of the free features (1 for the plain UFM). */
export function weightLayerCount(problem: UfmProblem): number {
  const model = modelOf(problem);
  if (model === "ufm") return 1;
  if (model === "ext-linear" || model === "ext-relu") return 2;
  return problem.depth ?? 0;
}

/**
 * Widths of the feature layers H1, H2, …, H_depth: [d, hidden…] (H1 is the free feature matrix;
 * W_l maps width l to width l+1, the classifier W_depth maps H_depth to the K logits).
 */
export function layerWidths(problem: UfmProblem): number[] {
  const depth = weightLayerCount(problem);
  return [problem.d, ...(problem.hidden ?? new Array<number>(depth - 1).fill(problem.d))];
}

/** λ of W_1, …, W_depth in the problem's convention (`lambdaW` for each when unset). */
export function layerLambdas(problem: UfmProblem): number[] {
  return problem.lambdaWs ??
    new Array<number>(weightLayerCount(problem)).fill(problem.lambdaW);
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
  const given: CanonicalLambdas = { lambdaW: problem.lambdaW, lambdaH: problem.lambdaH, lambdaB };
  if (modelOf(problem) !== "ufm") given.lambdaWs = layerLambdas(problem);
  return convertLambdas(given, problem.norm, "z", problem.K, problem.n);
}

/**
 * Converts λ given in convention `from` into convention `to` (same K, n).
 * λ_W^TB = K λ_W^Z, λ_H^TB = N λ_H^Z, λ_b^TB = K λ_b^Z, and every per-layer λ_{W_l} like λ_W.
 */
export function convertLambdas(
  lambdas: CanonicalLambdas,
  from: Convention,
  to: Convention,
  K: number,
  n: number,
): CanonicalLambdas {
  if (from === to) {
    return lambdas.lambdaWs === undefined
      ? { ...lambdas }
      : { ...lambdas, lambdaWs: [...lambdas.lambdaWs] };
  }
  const scaleW = K, scaleH = K * n, scaleB = K;
  const up = from === "z"; // z → tb multiplies
  const converted: CanonicalLambdas = {
    lambdaW: up ? lambdas.lambdaW * scaleW : lambdas.lambdaW / scaleW,
    lambdaH: up ? lambdas.lambdaH * scaleH : lambdas.lambdaH / scaleH,
    lambdaB: up ? lambdas.lambdaB * scaleB : lambdas.lambdaB / scaleB,
  };
  if (lambdas.lambdaWs !== undefined) {
    converted.lambdaWs = lambdas.lambdaWs.map((value) => up ? value * scaleW : value / scaleW);
  }
  return converted;
}
