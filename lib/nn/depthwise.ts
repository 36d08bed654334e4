/**
 * Depthwise collapse of a trained network (figure A6; paper A's A-E2 / A-E3,
 * docs/extended-deep.md#ext-relu-numerics): what the runs of one classifier variant say at the
 * end of training — NC1 of the last two hidden layers H1 and H2 = σ(W₁H1), the structure of H2's
 * class means (orthogonal frame for the uncentered means, simplex ETF for the centered ones), the
 * classifier W₂ (W₂W₂ᵀ ∝ I, self-duality) — and the finding text read off them.
 *
 * Conventions: curves are means over seeds (lib/nn/experiment.ts `meanHistory`); the fall of
 * NC1(H2) is the peak of that mean curve over its final value, and per seed the run's own
 * `terminal.nc1_drop` (peak / final) and `terminal.nc1_drop_in_tpt` (the fall after 100%
 * training accuracy); "depthwise collapse" means the final NC1 decreases strictly from each
 * hidden layer to the next in every variant; the bias-free variant's H̄2 "is an orthogonal frame"
 * when its OF distance is below its ETF distance (the extended ReLU UFM's prediction).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { depthwiseFinding, type DepthwiseSummary } from "./depthwise.ts";
 * const summary: DepthwiseSummary = {
 *   train_acc: [1, 1], test_acc_mean: 0.94, first_epoch_at_100: [20, 30],
 *   nc1_h2_peak: 0.5, nc1_h2_final: 0.005, nc1_h2_drop_from_peak: 100,
 *   nc1_h2_drop_per_seed: [90, 110], nc1_h2_drop_after_100_per_seed: [4, 5],
 *   nc1_h1_final: 0.02, nc1_ratio_h1_over_h2: 4, of_distance_h2: 0.3, etf_distance_h2: 0.6,
 *   w_of_distance: 0.2, self_duality: 0.4, final_nc1_by_layer: [0.5, 0.1, 0.02, 0.005],
 * };
 * const finding = depthwiseFinding({ "bias-free": summary, "with bias": summary });
 * assert.equal(finding.allFit, true);
 * assert.equal(finding.smallestDrop, 90);
 * assert.equal(finding.depthwise, true);
 * assert.equal(finding.orthogonalFrame, true);
 * assert.match(finding.text, /closer to an orthogonal frame than to a simplex ETF, as predicted/);
 * ```
 * @module
 */
import { type TrainConfig, trainCounts } from "./config.ts";
import { mean, meanHistory } from "./experiment.ts";
import type { TrainResult } from "./train.ts";

/** What {@link depthwiseSummary} reads of a run. */
export type DepthwiseRun = Pick<TrainResult, "evals" | "terminal" | "train_acc" | "test_acc">;

/** The end of training of one classifier variant (runs of several seeds), as A6 records it. */
export interface DepthwiseSummary {
  /** Final training accuracy per seed. */
  train_acc: number[];
  /** Final test accuracy, mean over seeds. */
  test_acc_mean: number;
  /** First evaluated epoch at 100% training accuracy per seed (null: never). */
  first_epoch_at_100: (number | null)[];
  /** Peak of the seed-mean NC1(H2) curve. */
  nc1_h2_peak: number;
  /** Final value of the seed-mean NC1(H2) curve. */
  nc1_h2_final: number;
  /** nc1_h2_peak / nc1_h2_final. */
  nc1_h2_drop_from_peak: number;
  /** Each seed's NC1 fall, peak / final (0 where undefined). */
  nc1_h2_drop_per_seed: number[];
  /** Each seed's NC1 fall after reaching 100% training accuracy (null: never reached). */
  nc1_h2_drop_after_100_per_seed: (number | null)[];
  /** Final value of the seed-mean NC1(H1) curve. */
  nc1_h1_final: number;
  /** nc1_h1_final / nc1_h2_final (> 1: H2 more collapsed than H1). */
  nc1_ratio_h1_over_h2: number;
  /** dist(H̄2 H̄2ᵀ, I/√K) of the uncentered class means (orthogonal frame), seed mean. */
  of_distance_h2: number;
  /** Distance of the centered class means to a simplex ETF, seed mean. */
  etf_distance_h2: number;
  /** dist(W₂W₂ᵀ, I/√K), seed mean. */
  w_of_distance: number;
  /** ‖W₂/‖W₂‖ − H̄2ᵀ/‖H̄2‖‖ with uncentered means, seed mean. */
  self_duality: number;
  /** Final NC1 of every hidden layer, input side first, seed means. */
  final_nc1_by_layer: number[];
}

/** Everything {@link depthwiseFinding} reads off the variants of one data set. */
export interface DepthwiseFinding {
  /** The paragraph (variants, fit, fall of NC1(H2), depthwise collapse, structure). */
  text: string;
  /** Every run of every variant reached 100% training accuracy. */
  allFit: boolean;
  /** Smallest NC1(H2) fall from its peak over every run. */
  smallestDrop: number;
  /** Final NC1 decreases strictly from layer to layer in every variant. */
  depthwise: boolean;
  /** The bias-free variant's H̄2 is closer to an orthogonal frame than to a simplex ETF. */
  orthogonalFrame: boolean;
}

/** Final value of `pick` at the last evaluation, mean over `runs` (NaN where undefined). */
function finalMean(
  runs: readonly DepthwiseRun[],
  pick: (record: TrainResult["evals"][number]) => number | null,
): number {
  return mean(runs.map((run) => pick(run.evals.at(-1)!) ?? NaN));
}

/**
 * The summary of one variant's runs (one per seed, same evaluation schedule).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { depthwiseSummary } from "./depthwise.ts";
 * const layer = (nc1: number) => ({ layer: 1, width: 8, nc1, nc1_quotient: null,
 *   nc2_of: 0.3, nc2_etf: 0.5, zero_fraction: 0 });
 * const record = (epoch: number, h1: number, h2: number) => ({ epoch, train_loss: null,
 *   train_acc: 1, test_loss: null, test_acc: 0.9, layers: [layer(h1), layer(h2)], nc1: h2,
 *   nc2: null, nc2_w_of: 0.2, nc3: null, nc4: null, self_duality_uncentered: 0.1,
 *   ncc_mismatch: null });
 * const terminal = { first_epoch_at_100: 10, nc1_peak: 1, nc1_peak_epoch: 0, nc1_final: 0.01,
 *   nc1_drop: 100, nc1_drop_in_tpt: 5 };
 * const run = { evals: [record(0, 1, 1), record(10, 0.1, 0.01)], terminal, train_acc: 1,
 *   test_acc: 0.9 };
 * const summary = depthwiseSummary([run, run]);
 * assert.equal(summary.nc1_h2_drop_from_peak, 100);
 * assert.ok(Math.abs(summary.nc1_ratio_h1_over_h2 - 10) < 1e-12);
 * assert.deepEqual(summary.final_nc1_by_layer, [0.1, 0.01]);
 * ```
 */
export function depthwiseSummary(runs: readonly DepthwiseRun[]): DepthwiseSummary {
  const nc1H2 = meanHistory(runs, (e) => e.layers.at(-1)!.nc1).map((p) => p.value!);
  const nc1H1 = meanHistory(runs, (e) => e.layers.at(-2)!.nc1).map((p) => p.value!);
  const peak = Math.max(...nc1H2);
  const final = nc1H2.at(-1)!;
  return {
    train_acc: runs.map((r) => r.train_acc),
    test_acc_mean: mean(runs.map((r) => r.test_acc)),
    first_epoch_at_100: runs.map((r) => r.terminal.first_epoch_at_100),
    nc1_h2_peak: peak,
    nc1_h2_final: final,
    nc1_h2_drop_from_peak: peak / final,
    nc1_h2_drop_per_seed: runs.map((r) => r.terminal.nc1_drop ?? 0),
    nc1_h2_drop_after_100_per_seed: runs.map((r) => r.terminal.nc1_drop_in_tpt),
    nc1_h1_final: nc1H1.at(-1)!,
    nc1_ratio_h1_over_h2: nc1H1.at(-1)! / final,
    of_distance_h2: finalMean(runs, (e) => e.layers.at(-1)!.nc2_of),
    etf_distance_h2: finalMean(runs, (e) => e.layers.at(-1)!.nc2_etf),
    w_of_distance: finalMean(runs, (e) => e.nc2_w_of),
    self_duality: finalMean(runs, (e) => e.self_duality_uncentered),
    final_nc1_by_layer: runs[0].evals.at(-1)!.layers.map((_, l) =>
      finalMean(runs, (e) => e.layers[l].nc1)
    ),
  };
}

/** One variant in words: accuracies, the fall of NC1(H2), NC1(H1) against it, the structures. */
export function variantText(label: string, s: DepthwiseSummary): string {
  const percent = (a: number) => `${(100 * a).toFixed(2)}%`;
  return `${label}: train accuracy ${s.train_acc.map(percent).join("/")} ` +
    `(100% from epoch ${s.first_epoch_at_100.map((e) => e ?? "never").join("/")}), test ${
      (100 * s.test_acc_mean).toFixed(1)
    }%; NC1(H2) ${s.nc1_h2_peak.toExponential(1)} at its peak → ${
      s.nc1_h2_final.toExponential(1)
    } (×${s.nc1_h2_drop_from_peak.toFixed(0)}; per seed ×${
      s.nc1_h2_drop_per_seed.map((d) => d.toFixed(0)).join("/")
    }, ×${
      s.nc1_h2_drop_after_100_per_seed.map((d) => d?.toFixed(1) ?? "-").join("/")
    } after reaching 100%); final NC1(H1) = ${s.nc1_h1_final.toExponential(1)} = ${
      s.nc1_ratio_h1_over_h2.toFixed(0)
    }× NC1(H2); H̄2: OF dist. ${s.of_distance_h2.toFixed(2)}, ETF dist. ${
      s.etf_distance_h2.toFixed(2)
    }; dist(W₂W₂ᵀ, I/√K) ${s.w_of_distance.toFixed(2)}, self-duality ${s.self_duality.toFixed(2)}`;
}

/** Strictly decreasing from each entry to the next. */
function decreasing(values: readonly number[]): boolean {
  return values.every((v, l) => l === 0 || v < values[l - 1]);
}

/**
 * The finding for one data set from each variant's summary (keyed by label, in display order):
 * every variant in words ({@link variantText}), then whether every run fit its training set, the
 * smallest fall of NC1(H2), whether collapse is depthwise in every variant, and whether the
 * `biasFree` variant's class means are an orthogonal frame. `prefix` (e.g. "Fashion-MNIST: ")
 * starts each variant's sentence.
 */
export function depthwiseFinding(
  summaries: Readonly<Record<string, DepthwiseSummary>>,
  biasFree = "bias-free",
  prefix = "",
): DepthwiseFinding {
  const variants = Object.entries(summaries);
  const free = summaries[biasFree];
  if (free === undefined) throw new RangeError(`depthwiseFinding: no '${biasFree}' variant`);
  const allFit = variants.every(([, s]) => s.train_acc.every((a) => a === 1));
  const smallestDrop = Math.min(Infinity, ...variants.flatMap(([, s]) => s.nc1_h2_drop_per_seed));
  const depthwise = variants.every(([, s]) => decreasing(s.final_nc1_by_layer));
  const orthogonalFrame = free.of_distance_h2 < free.etf_distance_h2;
  const text = prefix + variants.map(([label, s]) => variantText(label, s)).join(`. ${prefix}`) +
    `. Every run reached 100% training accuracy: ${allFit ? "yes" : "NO"}; NC1(H2) fell ` +
    `at least ×${smallestDrop.toFixed(0)} from its peak in every run. Depthwise collapse ` +
    `(NC1 decreasing from layer to layer, NC1(H2) < NC1(H1)): ` +
    `${depthwise ? "observed in both variants" : "NOT observed"}. Structure: ` +
    (orthogonalFrame
      ? "bias-free H̄2 is closer to an orthogonal frame than to a simplex ETF, as predicted"
      : "unlike the prediction, bias-free H̄2 is not close to an orthogonal frame: its " +
        "class means share a large common component (centering them, which removes it, " +
        "brings them much closer to a simplex ETF), and W₂ is far from W₂W₂ᵀ ∝ I");
  return { text, allFit, smallestDrop, depthwise, orthogonalFrame };
}

/**
 * A6's measured text: the findings of each data set, then why the geometric structures may lag
 * (weight decay moves the weights on the time scale 1/(lr·wd) steps, against the SGD steps of
 * `config`'s run) and how the setting differs from the papers'.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrainConfig } from "./config.ts";
 * import { depthwiseMeasuredText } from "./depthwise.ts";
 * const config = validateTrainConfig({ n: 200, batch: 128, epochs: 240, lr: 0.05, wd: 5e-4 });
 * const text = depthwiseMeasuredText(["MNIST finding"], config);
 * assert.match(text, /^MNIST finding; a likely reason: with weight decay 5e-4 /);
 * assert.match(text, /1\/\(lr·wd\) ≈ 40,000 steps, far longer than the 3840 SGD steps/);
 * ```
 */
export function depthwiseMeasuredText(findings: readonly string[], config: TrainConfig): string {
  const images = trainCounts(config).reduce((a, b) => a + b, 0);
  const steps = config.epochs * Math.ceil(images / config.batch);
  const timeScale = Math.round(1 / (config.lr * config.wd)).toLocaleString("en-US");
  return findings.join(". ") +
    `; a likely reason: with weight decay ${config.wd.toExponential(0)} the weights move on a ` +
    `time scale of 1/(lr·wd) ≈ ${timeScale} steps, far longer than the ${steps} SGD steps run ` +
    "here, so the network reaches variability collapse (NC1) long before the geometric " +
    "structures (NC2/NC3) of the regularized optimum. Differences to the papers' CIFAR/ResNet " +
    "setting: MNIST is fit within a few epochs (Fashion-MNIST within tens), the model is a " +
    "small MLP without batch normalization, and training runs for far fewer steps.";
}
