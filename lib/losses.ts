/**
 * Losses as plug-ins of the one solver loop (UFM and network training alike). A loss turns
 * logits Z (K×N: row = class, column = sample) and integer labels into Σ_samples L and the
 * logit gradient, in place, with one fused WASM kernel (core-as/assembly/losses.ts):
 *
 * - `mse`: L = ½‖z − s·e_y‖² with target scale s (docs/ufm-mse.md#problem-free-bias),
 * - `ce`: L = −log p_y (docs/ufm-softmax.md#ce),
 * - `ls`: label smoothing α ∈ [0, 1): L = −(1−α) log p_y − (α/K) Σ_k log p_k
 *   (docs/ufm-softmax.md#ls, nc_loss),
 * - `fl`: focal loss β ≥ 0: L = −(1 − p_y)^β log p_y (docs/ufm-softmax.md#fl; β is γ in
 *   nc_loss code),
 * - `pal`: pick-all-label cross-entropy for multi-label samples, L = Σ_{k∈S} −log p_k
 *   (docs/multilabel.md#pal-loss); its targets are a multi-hot K×N {@link Matrix} instead of
 *   integer labels (core-as/assembly/soft_targets.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntVector, Matrix } from "./matrix.ts";
 * import { makeLoss } from "./losses.ts";
 * const logits = Matrix.from(2, 2, [0, 0, 0, 0]); // K = 2, two samples, all logits 0
 * const labels = IntVector.from([0, 1]);
 * const total = makeLoss({ name: "ce" }).evaluate(logits, labels, null, null);
 * assert.ok(Math.abs(total - 2 * Math.log(2)) < 1e-12);
 * assert.deepEqual(logits.toRows(), [[-0.5, 0.5], [0.5, -0.5]]); // now p − e_y
 * logits.free();
 * labels.free();
 * ```
 * @module
 */
import {
  coreKernel,
  type MseLossKernel,
  type SoftmaxLossKernel,
  type SoftTargetLossKernel,
} from "./core/wasm.ts";
import { UsageError } from "./errors.ts";
import { IntVector, Matrix } from "./matrix.ts";

/** Implemented losses. */
export type LossName = "mse" | "ce" | "ls" | "fl" | "pal";
/** Every loss name, for flag validation. */
export const lossNames: readonly LossName[] = ["mse", "ce", "ls", "fl", "pal"];

/** Losses whose targets are label sets (multi-hot matrices) rather than class indices. */
export const multiLabelLosses: readonly LossName[] = ["pal"];

/**
 * What a loss compares the logits with: class indices (one per sample) or, for the multi-label
 * losses, a K×N target matrix in the logits' dtype.
 */
export type LossTargets = IntVector | Matrix;

/** A loss and its parameter. */
export interface LossSpec {
  /** Which loss. */
  name: LossName;
  /** Label-smoothing α ∈ [0, 1) (`ls` only; default 0.05 as in nc_loss). */
  alpha?: number;
  /** Focal β ≥ 0 (`fl` only; default 3 as in nc_loss). */
  beta?: number;
  /** MSE target scale s > 0 (`mse` only; default 1). */
  targetScale?: number;
}

/** Which implementation of a fused kernel to run: SIMD (default) or the scalar reference. */
export type KernelChoice = "simd" | "reference";

/** A loss on logits with labels. */
export interface Loss {
  /** The validated spec with defaults filled in. */
  readonly spec: Required<LossSpec>;
  /**
   * Adds the bias (if any) to `logits`, replaces them by ∂(Σ_samples L)/∂logits, writes the
   * row sums of that gradient into `rowSums` (if given) and returns Σ over samples of L.
   */
  evaluate(
    logits: Matrix,
    targets: LossTargets,
    bias: Matrix | null,
    rowSums: Matrix | null,
  ): number;
}

const softmaxKind: Record<"ce" | "ls" | "fl", number> = { ce: 0, ls: 1, fl: 2 };

/** Fills defaults and checks parameters; throws a UsageError naming the flag. */
export function validateLossSpec(spec: LossSpec): Required<LossSpec> {
  if (!lossNames.includes(spec.name)) {
    throw new UsageError(`--loss: expected one of ${lossNames.join("|")}, got '${spec.name}'`);
  }
  const full: Required<LossSpec> = {
    name: spec.name,
    alpha: spec.alpha ?? 0.05,
    beta: spec.beta ?? 3,
    targetScale: spec.targetScale ?? 1,
  };
  if (!(Number.isFinite(full.alpha) && full.alpha >= 0 && full.alpha < 1)) {
    throw new UsageError(`--alpha: label smoothing needs 0 ≤ α < 1, got ${full.alpha}`);
  }
  if (!(Number.isFinite(full.beta) && full.beta >= 0)) {
    throw new UsageError(`--beta: focal loss needs β ≥ 0, got ${full.beta}`);
  }
  if (!(Number.isFinite(full.targetScale) && full.targetScale > 0)) {
    throw new UsageError(`--target-scale: must be a number > 0, got ${full.targetScale}`);
  }
  return full;
}

/** The loss plug-in for `spec`. */
export function makeLoss(spec: LossSpec, kernel: KernelChoice = "simd"): Loss {
  const full = validateLossSpec(spec);
  if (full.name === "pal") {
    return {
      spec: full,
      evaluate(logits, targets, bias, rowSums): number {
        if (!(targets instanceof Matrix)) {
          throw new TypeError("loss pal: targets must be a K×N multi-hot matrix");
        }
        if (
          targets.rows !== logits.rows || targets.cols !== logits.cols ||
          targets.dtype !== logits.dtype
        ) {
          throw new RangeError(
            `loss pal: targets ${targets.rows}×${targets.cols} ${targets.dtype} for logits ` +
              `${logits.rows}×${logits.cols} ${logits.dtype}`,
          );
        }
        checkVectors(logits, bias, rowSums);
        const run = coreKernel<SoftTargetLossKernel>("loss_soft_ce", logits.dtype, kernel);
        return run(
          logits.ptr,
          logits.rows,
          logits.cols,
          targets.ptr,
          bias?.ptr ?? 0,
          rowSums?.ptr ?? 0,
        );
      },
    };
  }
  if (full.name === "mse") {
    return {
      spec: full,
      evaluate(logits, labels, bias, rowSums): number {
        const run = coreKernel<MseLossKernel>("loss_mse", logits.dtype, kernel);
        checkShapes(logits, labels, bias, rowSums);
        return run(
          logits.ptr,
          logits.rows,
          logits.cols,
          labels.ptr,
          bias?.ptr ?? 0,
          full.targetScale,
          rowSums?.ptr ?? 0,
        );
      },
    };
  }
  const kind = softmaxKind[full.name];
  const param = full.name === "ls" ? full.alpha : full.name === "fl" ? full.beta : 0;
  return {
    spec: full,
    evaluate(logits, labels, bias, rowSums): number {
      const run = coreKernel<SoftmaxLossKernel>("loss_softmax", logits.dtype, kernel);
      checkShapes(logits, labels, bias, rowSums);
      return run(
        logits.ptr,
        logits.rows,
        logits.cols,
        labels.ptr,
        bias?.ptr ?? 0,
        kind,
        param,
        rowSums?.ptr ?? 0,
      );
    },
  };
}

function checkShapes(
  logits: Matrix,
  labels: LossTargets,
  bias: Matrix | null,
  rowSums: Matrix | null,
): asserts labels is IntVector {
  if (!(labels instanceof IntVector)) {
    throw new TypeError("loss: single-label losses need one class index per sample");
  }
  if (labels.length !== logits.cols) {
    throw new RangeError(`loss: ${labels.length} labels for ${logits.cols} samples`);
  }
  checkVectors(logits, bias, rowSums);
}

function checkVectors(logits: Matrix, bias: Matrix | null, rowSums: Matrix | null): void {
  for (const [name, v] of [["bias", bias], ["rowSums", rowSums]] as const) {
    if (v !== null && (v.size !== logits.rows || v.dtype !== logits.dtype)) {
      throw new RangeError(`loss: ${name} must hold K = ${logits.rows} ${logits.dtype} values`);
    }
  }
}
