/**
 * The unconstrained features model (UFM) problem: the user's statement ({@link UfmProblem}) and
 * its one resolved form ({@link ResolvedProblem}) that every model, closed form and report reads.
 * {@link resolveProblem} validates a statement once — sizes, label structure, loss, bias,
 * convention and the model's own fields (through the model registry, lib/ufm/models/) — and
 * derives everything downstream needs: the sample count N, the labels, λ in the canonical (Z)
 * convention per parameter block, the layer widths. Nothing downstream re-validates.
 *
 * Two conventions exist in the literature (docs/conventions.md); both map onto the canonical
 * (Z) form used by every solver and closed form:
 *
 *   f(W, H, b) = 1/N Σ_i L(W h_i + b, y_i) + λ_W/2 ‖W‖² + λ_H/2 ‖H‖² + λ_b/2 ‖b‖²
 *
 * (TB) Tirer & Bruna write 1/(2N)‖WH − Y‖² + λ_W/(2K)‖W‖² + λ_H/(2N)‖H‖² (N = Kn for balanced
 * classes): the data terms agree and λ_W^Z = λ_W^TB / K, λ_H^Z = λ_H^TB / N. For a regularized
 * bias in the TB convention ufmlab uses λ_b^TB/(2K)‖b‖², so λ_b^Z = λ_b^TB / K. Objective values
 * are identical in both conventions; only the meaning of λ changes. Per-layer λ of the extended
 * and deep models convert like λ_W.
 *
 * Samples: `n` per class (balanced), `counts` (n_k per class, docs/imbalanced.md), explicit
 * per-sample `labels` (any order), or — with the multi-label loss `pal` — `n` single-label
 * samples per class plus `nMulti` samples for every pair of classes (docs/multilabel.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "./problem.ts";
 * const problem = resolveProblem({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * assert.equal(problem.N, 20);
 * assert.deepEqual(problem.lambdas, { lambdaW: 0.025, lambdaH: 0.01, lambdaB: 0 });
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { type LossName, multiLabelLosses, validateLossSpec } from "../losses.ts";
import type { LossSpec } from "../losses.ts";
import {
  balancedCount,
  countLabels,
  labelSampleCount,
  type LabelStructure,
  pairLabels,
  sampleLabels,
} from "./labels.ts";
import { modelDefinition, type ModelName, modelNames } from "./models/mod.ts";

export { type LossName, lossNames } from "../losses.ts";
export { type ModelName, modelNames } from "./models/mod.ts";

/** Bias of the classifier: absent, free (unregularized) or regularized by λ_b. */
export type BiasMode = "none" | "free" | "reg";
/** Regularization convention: Tirer–Bruna (`tb`) or Zhu/Zhou/paper B (`z`). */
export type Convention = "tb" | "z";

/** Bias modes accepted on the command line. */
export const biasModes: readonly BiasMode[] = ["none", "free", "reg"];
/** Regularization conventions. */
export const conventions: readonly Convention[] = ["tb", "z"];

/** A UFM instance as the user states it (λ in the user's convention). */
export interface UfmProblem {
  /** Number of classes K ≥ 2 (the length of `counts` when given). */
  K: number;
  /** Samples per class n ≥ 1 (balanced); exclusive with `counts` and `labels`. */
  n?: number;
  /** Samples of each class, n_k ≥ 1 (imbalanced classes); K = counts.length. */
  counts?: number[];
  /** Explicit class of every sample, in any order (library use; K classes, each present). */
  labels?: number[];
  /** Samples per unordered pair of classes (loss `pal` only; default 0). */
  nMulti?: number;
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
  /** Model (default `ufm`; lib/ufm/models/). */
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
  /** Temperature τ > 0 multiplying the cosine logits (model `sphere` only; default 1). */
  tau?: number;
}

/** λ in one convention. */
export interface CanonicalLambdas {
  /** λ_W. */
  lambdaW: number;
  /** λ_H. */
  lambdaH: number;
  /** λ_b (0 unless bias is `reg`). */
  lambdaB: number;
  /** λ of W_1, …, W_depth (extended and deep models only). */
  lambdaWs?: number[];
}

/** The layers of a model: what its definition derives from the statement. */
export interface Architecture {
  /** Weight matrices on top of the free features (1 for the plain UFM). */
  depth: number;
  /** Widths of the feature layers H1 … H_depth ([d, hidden…]). */
  widths: number[];
  /** True if a ReLU follows every weight layer but the last. */
  relu: boolean;
  /** λ of W_1 … W_depth in the user's convention. */
  layerLambdas: number[];
  /** Temperature τ multiplying the logits (the spherical model), else undefined. */
  tau?: number;
}

/** A validated problem with everything derived once (plain data: it crosses to Workers). */
export interface ResolvedProblem extends Architecture {
  /** Brand: produced by {@link resolveProblem}. */
  resolved: true;
  /** The statement as given. */
  spec: UfmProblem;
  /** The model. */
  model: ModelName;
  /** Classes K. */
  K: number;
  /** Feature dimension d of the free features H1. */
  d: number;
  /** Samples N. */
  N: number;
  /** Samples per class when every class has the same count (single labels), else null. */
  n: number | null;
  /** Which classes each sample belongs to. */
  labels: LabelStructure;
  /** The loss with defaults filled in. */
  loss: Required<LossSpec>;
  /** Bias mode. */
  bias: BiasMode;
  /** Convention of the statement. */
  norm: Convention;
  /** λ in the canonical (Z) convention (`lambdaWs` for the extended / deep models). */
  lambdas: CanonicalLambdas;
  /** λ^Z of W_1 … W_depth (for the plain UFM: [λ_W^Z]). */
  weightLambdas: number[];
}

/**
 * Validates a statement and derives the resolved problem, or throws a {@link UsageError} that
 * names the offending flag. Passing an already resolved problem returns it unchanged.
 */
export function resolveProblem(problem: UfmProblem | ResolvedProblem): ResolvedProblem {
  if (isResolved(problem)) return problem;
  const spec = problem;
  const model = spec.model ?? "ufm";
  const definition = modelDefinition(model); // throws a UsageError naming --model
  if (spec.counts !== undefined && spec.counts.length < 2) {
    throw new UsageError(`--counts: needs at least 2 classes, got ${spec.counts.length}`);
  }
  integer("K", spec.K, 2);
  integer("d", spec.d, 1);
  for (const flag of ["lambda-w", "lambda-h", "lambda-b"] as const) {
    const value = flag === "lambda-w"
      ? spec.lambdaW
      : flag === "lambda-h"
      ? spec.lambdaH
      : spec.lambdaB;
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`--${flag}: must be a finite number ≥ 0, got ${value}`);
    }
  }
  if (!biasModes.includes(spec.bias)) {
    throw new UsageError(`--bias: expected one of ${biasModes.join("|")}, got '${spec.bias}'`);
  }
  if (!conventions.includes(spec.norm)) {
    throw new UsageError(`--norm: expected one of ${conventions.join("|")}, got '${spec.norm}'`);
  }
  const loss = validateLossSpec({
    name: spec.loss,
    alpha: spec.alpha,
    beta: spec.beta,
    targetScale: spec.targetScale,
  });
  if (spec.alpha !== undefined && spec.loss !== "ls") {
    throw new UsageError(`--alpha: only used with --loss ls (loss is '${spec.loss}')`);
  }
  if (spec.beta !== undefined && spec.loss !== "fl") {
    throw new UsageError(`--beta: only used with --loss fl (loss is '${spec.loss}')`);
  }
  if (spec.targetScale !== 1 && spec.loss !== "mse") {
    throw new UsageError(`--target-scale: only used with --loss mse (loss is '${spec.loss}')`);
  }
  if (spec.bias === "reg" && spec.lambdaB === 0) {
    throw new UsageError("--lambda-b: bias 'reg' needs λ_b > 0 (use --bias free for λ_b = 0)");
  }
  if (spec.bias !== "reg" && spec.lambdaB !== 0) {
    throw new UsageError(`--lambda-b: only used with --bias reg (bias is '${spec.bias}')`);
  }
  for (const [field, flag] of [["tau", "tau"], ["depth", "depth"], ["hidden", "hidden"]] as const) {
    if (spec[field] !== undefined && !(flag in definition.flags)) {
      const owners = modelNames.filter((name) => flag in modelDefinition(name).flags);
      throw new UsageError(
        `--${flag}: only used with --model ${owners.join("|")} (model is '${model}')`,
      );
    }
  }
  const labels = resolveLabels(spec);
  const N = labelSampleCount(labels);
  const architecture = definition.architecture(spec);
  const lambdaB = spec.bias === "reg" ? spec.lambdaB : 0;
  const given: CanonicalLambdas = { lambdaW: spec.lambdaW, lambdaH: spec.lambdaH, lambdaB };
  if (model !== "ufm") given.lambdaWs = architecture.layerLambdas;
  const lambdas = convertLambdas(given, spec.norm, "z", spec.K, N);
  const resolved: ResolvedProblem = {
    resolved: true,
    spec,
    model,
    K: spec.K,
    d: spec.d,
    N,
    n: balancedCount(labels),
    labels,
    loss,
    bias: spec.bias,
    norm: spec.norm,
    lambdas,
    weightLambdas: lambdas.lambdaWs ?? [lambdas.lambdaW],
    ...architecture,
  };
  definition.validate?.(resolved);
  return resolved;
}

/** True for the output of {@link resolveProblem}. */
export function isResolved(problem: UfmProblem | ResolvedProblem): problem is ResolvedProblem {
  return (problem as ResolvedProblem).resolved === true;
}

/** The label structure of a statement (exactly one of n, counts, labels). */
function resolveLabels(spec: UfmProblem): LabelStructure {
  const given = [
    spec.n !== undefined ? "n" : null,
    spec.counts !== undefined ? "counts" : null,
    spec.labels !== undefined ? "labels" : null,
  ].filter((flag) => flag !== null);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? "--n: give the samples per class (--n) or the class sizes (--counts)"
        : `--${given[1]}: exclusive with --${given[0]} (give one way of sizing the classes)`,
    );
  }
  const multiLabel = multiLabelLosses.includes(spec.loss);
  if (spec.nMulti !== undefined && !multiLabel) {
    throw new UsageError(
      `--n-multi: only used with a multi-label loss (--loss ${multiLabelLosses.join("|")}), ` +
        `loss is '${spec.loss}'`,
    );
  }
  let labels: LabelStructure;
  if (spec.counts !== undefined) {
    if (spec.counts.length !== spec.K) {
      throw new UsageError(
        `--counts: ${spec.counts.length} class sizes for K = ${spec.K} classes ` +
          "(K is the list's length)",
      );
    }
    labels = countLabels(spec.counts);
  } else if (spec.labels !== undefined) {
    labels = sampleLabels(spec.labels, spec.K);
  } else {
    integer("n", spec.n!, multiLabel ? 0 : 1);
    if (multiLabel) {
      const nMulti = spec.nMulti ?? 0;
      integer("n-multi", nMulti, 0);
      if (spec.n === 0 && nMulti === 0) {
        throw new UsageError("--n: with --n-multi 0 every class needs --n ≥ 1 samples");
      }
      return pairLabels(spec.K, spec.n!, nMulti);
    }
    labels = countLabels(new Array<number>(spec.K).fill(spec.n!), "n");
  }
  if (multiLabel) {
    throw new UsageError(
      `--loss ${spec.loss}: needs --n (single-label samples per class) and --n-multi ` +
        "(samples per pair of classes)",
    );
  }
  return labels;
}

function integer(flag: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${flag}: must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Converts λ given in convention `from` into convention `to` for K classes and N samples:
 * λ_W^TB = K λ_W^Z, λ_H^TB = N λ_H^Z, λ_b^TB = K λ_b^Z, and every per-layer λ_{W_l} like λ_W
 * (docs/conventions.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const z = convertLambdas({ lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0 }, "tb", "z", 4, 20);
 * assert.deepEqual(z, { lambdaW: 0.025, lambdaH: 0.01, lambdaB: 0 });
 * ```
 */
export function convertLambdas(
  lambdas: CanonicalLambdas,
  from: Convention,
  to: Convention,
  K: number,
  N: number,
): CanonicalLambdas {
  if (from === to) {
    return lambdas.lambdaWs === undefined
      ? { ...lambdas }
      : { ...lambdas, lambdaWs: [...lambdas.lambdaWs] };
  }
  const scaleW = K, scaleH = N, scaleB = K;
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

/** λ of a statement in the canonical (Z) convention (resolves it first). */
export function canonicalLambdas(problem: UfmProblem | ResolvedProblem): CanonicalLambdas {
  return resolveProblem(problem).lambdas;
}

/** Number of samples N of a statement (resolves it first). */
export function sampleCount(problem: UfmProblem | ResolvedProblem): number {
  return resolveProblem(problem).N;
}
