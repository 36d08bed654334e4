/**
 * Multi-step learning-rate decay as PyTorch's `MultiStepLR` when used the documented way
 * (`scheduler.step()` once at the END of every epoch): epoch e (counted from 0) trains with
 *
 *   lr_e = lr₀ · γ^{#{m ∈ milestones : m ≤ e}},
 *
 * so exactly m full epochs run at lr₀ before the first decay at milestone m. Paper B's code
 * (nc_loss) calls `scheduler.step()` at the START of each epoch, which shifts every decay one
 * epoch early (docs/reference-code-pitfalls.md#nc-loss-scheduler): its epoch e uses the exponent
 * #{m ≤ e + 1}. We implement the documented ordering; `shiftedLikeNcLoss` reproduces the nc_loss
 * one for comparison.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multiStepLr, paperBMilestones } from "./schedule.ts";
 * const milestones = paperBMilestones(70);
 * assert.deepEqual(milestones, [30, 50]);
 * assert.equal(multiStepLr(0.05, milestones, 0.1, 29), 0.05);
 * assert.ok(Math.abs(multiStepLr(0.05, milestones, 0.1, 30) - 0.005) < 1e-15);
 * ```
 * @module
 */

/** Learning rate of epoch `epoch` (0-based) under multi-step decay (see module notes). */
export function multiStepLr(
  baseLr: number,
  milestones: readonly number[],
  gamma: number,
  epoch: number,
  shiftedLikeNcLoss = false,
): number {
  const e = shiftedLikeNcLoss ? epoch + 1 : epoch;
  const passed = milestones.filter((m) => m <= e).length;
  return baseLr * gamma ** passed;
}

/**
 * Paper B's milestones for E epochs: ⌊3E/7⌋ and ⌊5E/7⌋ (nc_loss train.py;
 * docs/experiments.md#paper-b).
 */
export function paperBMilestones(epochs: number): number[] {
  return [Math.floor(3 * epochs / 7), Math.floor(5 * epochs / 7)];
}

/** Milestones at ⌊E/3⌋ and ⌊2E/3⌋ (docs/experiments.md#protocol-a-network). */
export function thirdsMilestones(epochs: number): number[] {
  return [Math.floor(epochs / 3), Math.floor(2 * epochs / 3)];
}
