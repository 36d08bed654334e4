/**
 * The four losses of paper B's experiments with the parameters of its code (nc_loss: label
 * smoothing α = 0.05, focal γ = β = 3; docs/experiments.md#paper-b) and the colours of its plots
 * (CE blue, LS green, FL red, MSE cyan), shared by figures B1–B3.
 * @module
 */
import { type TrainConfig, validateTrainConfig } from "../nn/config.ts";
import { paperBMilestones } from "../nn/schedule.ts";
import type { SeriesOptions } from "../plot/charts.ts";
import { category } from "../plot/tidy.ts";
import type { UfmProblem } from "../ufm/problem.ts";

/** A loss as paper B runs it. */
export interface PaperBLoss {
  /** Legend label. */
  label: string;
  /** Loss name. */
  loss: "ce" | "ls" | "fl" | "mse";
  /** Label smoothing α (ls). */
  alpha?: number;
  /** Focal β (fl). */
  beta?: number;
  /** Plot colour. */
  color: string;
}

/** CE, LS (α = 0.05), FL (β = 3), MSE. */
export const paperBLosses: readonly PaperBLoss[] = [
  { label: "CE", loss: "ce", color: "#1f77b4" },
  { label: "LS (α = 0.05)", loss: "ls", alpha: 0.05, color: "#2ca02c" },
  { label: "FL (β = 3)", loss: "fl", beta: 3, color: "#d62728" },
  { label: "MSE", loss: "mse", color: "#17becf" },
];

/** The loss fields of a UFM problem for this loss (target scale 1). */
export function lossFields(
  entry: PaperBLoss,
): Pick<UfmProblem, "loss" | "alpha" | "beta" | "targetScale"> {
  return {
    loss: entry.loss,
    targetScale: 1,
    ...(entry.alpha !== undefined ? { alpha: entry.alpha } : {}),
    ...(entry.beta !== undefined ? { beta: entry.beta } : {}),
  };
}

/** Paper B's loss colours, legend label → colour. */
export const lossColorScale: { domain: readonly string[]; range: readonly string[] } = {
  domain: paperBLosses.map((l) => l.label),
  range: paperBLosses.map((l) => l.color),
};

/** The losses as a tidy column: `loss` = ce | ls | fl | mse next to `loss_label` (B1–B3). */
export const loss = category("loss", {
  ce: paperBLosses[0].label,
  ls: paperBLosses[1].label,
  fl: paperBLosses[2].label,
  mse: paperBLosses[3].label,
});

/** Series options for the {@link loss} column: colored by loss in paper B's colours and order. */
export const lossStyle = { color: loss, colorScale: lossColorScale } as const;

/** Series options of the chart builders (lib/plot/charts.ts): one paper-B colour per loss. */
export const lossSeries: Pick<SeriesOptions, "color" | "colorTitle" | "colorScale"> = {
  color: "loss",
  colorTitle: "loss",
  colorScale: lossColorScale,
};

/** Vega-Lite colour encoding with paper B's loss colours. */
export function lossColor(field = "loss"): Record<string, unknown> {
  return {
    field,
    type: "nominal",
    title: "loss",
    scale: { domain: [...lossColorScale.domain], range: [...lossColorScale.range] },
  };
}

/** A network run's loss settings as nc_loss trains it: MSE with targets 15, mean over classes. */
export function ncLossSettings(loss: string): Partial<TrainConfig> {
  if (loss === "mse") return { loss: "mse", targetScale: 15, mseReduction: "mean" };
  if (loss === "ls") return { loss: "ls", alpha: 0.05 };
  if (loss === "fl") return { loss: "fl", beta: 3 };
  return { loss: "ce" };
}

/**
 * B4's training protocol of the real-network loss grids (B4, B6): MLP w → w with BatchNorm,
 * nc_loss's optimizer (SGD lr 0.1, momentum 0.9, batch 100, clip 2; milestones per budget) and
 * weight decay 5e-3.
 *
 * Why BatchNorm and 10× nc_loss's weight decay: 2,000 digits in batches of 100 give 20 SGD steps
 * per epoch against nc_loss's 450, and the terminal-phase drift of CE and FL features runs on the
 * weight-decay time scale 1/(lr·wd) steps. With the plain scaled-down protocol of
 * docs/experiments.md#paper-b-cpu (no BatchNorm, lr 0.05, wd 5e-4) CE and FL fit the digits and
 * then freeze: their NC1 falls only ×3–4 from its peak. Paper B's wide ResNets carry BatchNorm,
 * whose scale invariance turns weight decay into a growing effective step. B4's panel d reruns
 * the plain protocol beside this one (lib/nn/protocol_ablation.ts), so the difference is
 * measured in every build.
 */
export const lossGridProtocol: Partial<TrainConfig> = {
  depth: 2,
  bias: true,
  hiddenBias: true,
  batchNorm: true,
  batch: 100,
  lr: 0.1,
  momentum: 0.9,
  wd: 5e-3,
  gamma: 0.1,
  clip: 2,
};

/** One cell's run of a loss grid: its loss, width, epoch budget and seed. */
export interface LossGridRun {
  /** Loss name (ce | ls | fl | mse). */
  loss: string;
  /** Hidden width w. */
  width: number;
  /** Epoch budget E (milestones ⌊3E/7⌋, ⌊5E/7⌋). */
  epochs: number;
  /** Training seed. */
  seed: number;
  /** The grid's longest budget: its runs feed the dynamics panels and evaluate 20 times. */
  longest: number;
}

/**
 * The validated config of one run of a loss grid (B4, B6): {@link lossGridProtocol}, the loss's
 * settings as nc_loss trains it ({@link ncLossSettings}), paper B's milestones for the budget,
 * then `settings` (data set, sizes, a protocol change, an architecture). Runs of the longest
 * budget evaluate 20 times (the dynamics panels), the others 5 times.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossGridConfig } from "./paper_b_losses.ts";
 * const config = lossGridConfig({ loss: "mse", width: 64, epochs: 70, seed: 1, longest: 70 });
 * assert.deepEqual(config.milestones, [30, 50]);
 * assert.equal(config.evalEvery, 4); // 70 / 20 rounded: 20 evaluations
 * assert.equal(config.targetScale, 15);
 * assert.equal(config.batchNorm, true);
 * const short = lossGridConfig({ loss: "ce", width: 64, epochs: 35, seed: 1, longest: 70 }, {
 *   batchNorm: false,
 * });
 * assert.equal(short.evalEvery, 7); // 5 evaluations
 * assert.equal(short.batchNorm, false);
 * ```
 */
export function lossGridConfig(
  run: LossGridRun,
  settings: Partial<TrainConfig> = {},
): TrainConfig {
  const { loss, width, epochs, seed, longest } = run;
  return validateTrainConfig({
    ...lossGridProtocol,
    ...ncLossSettings(loss),
    ...settings,
    ...{ width, epochs, seed, milestones: paperBMilestones(epochs) },
    evalEvery: Math.max(1, Math.round(epochs / (epochs === longest ? 20 : 5))),
  });
}
