/**
 * Losses as plug-ins of the one UFM solver. A loss turns the logits Z = WH (K×N, class-major
 * columns: sample j belongs to class ⌊j/n⌋) into the data term and its logit gradient, in place.
 * The optimizer loop never knows which loss it runs.
 *
 * @example
 * ```ts
 * import { Matrix } from "../matrix.ts";
 * import { mseLoss } from "./loss.ts";
 * const logits = Matrix.from(2, 2, [1, 0, 0, 1]); // K = 2, n = 1: a perfect fit
 * console.log(mseLoss(1).evaluate(logits, 1, null, null)); // 0
 * ```
 * @module
 */
import { core, type MseResidualKernel } from "../core/wasm.ts";
import type { Matrix } from "../matrix.ts";

/** A loss on class-major logits. */
export interface UfmLoss {
  /** Short name (`mse`, …). */
  readonly name: string;
  /**
   * Adds the bias (if any) to `logits` and replaces them by ∂(Σ_samples L)/∂logits.
   * Writes the row sums of that gradient into `rowSums` (if given): the bias gradient × N.
   * @returns Σ over samples of the loss (not yet divided by N).
   */
  evaluate(logits: Matrix, perClass: number, bias: Matrix | null, rowSums: Matrix | null): number;
}

/** Which implementation of a fused kernel to run: SIMD (default) or the scalar reference. */
export type KernelChoice = "simd" | "reference";

/**
 * Squared error L(z, y_k) = ½‖z − s·e_k‖² (science.md §2.2): the logit gradient is the residual
 * R = Z + b1ᵀ − sY, computed by one fused kernel.
 */
export function mseLoss(targetScale: number, kernel: KernelChoice = "simd"): UfmLoss {
  return {
    name: "mse",
    evaluate(logits, perClass, bias, rowSums): number {
      const residual =
        (kernel === "simd"
          ? (logits.dtype === "f64" ? core.mse_residual_f64 : core.mse_residual_f32)
          : (logits.dtype === "f64"
            ? core.mse_residual_ref_f64
            : core.mse_residual_ref_f32)) as MseResidualKernel;
      return 0.5 * residual(
        logits.ptr,
        logits.rows,
        perClass,
        targetScale,
        bias === null ? 0 : bias.ptr,
        rowSums === null ? 0 : rowSums.ptr,
      );
    },
  };
}
