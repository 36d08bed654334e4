/**
 * Settings of one training run (data, architecture, loss, optimizer, seed) with validation that
 * names the command-line flag of each field, and the canonical key a finished run is saved
 * under (see grid.ts).
 *
 * Data: `dataset` (lib/data/mod.ts), n training images per class and a held-out test set.
 * Architecture: `arch: "mlp"` is `depth` hidden FC + ReLU layers of `width` units (the last of
 * them `featureDim` units if set: the features H1 of paper A), then, if `head` > 0, one more FC +
 * ReLU layer of `head` units (paper A's extra head: H2 = σ(W₁H1 + b₁)), then the classifier.
 * `arch: "cnn"` puts conv 3×3 + (BN) + ReLU + 2×2 max-pool blocks with `channels` output channels
 * in front of that same dense part (lib/nn/cnn.ts). The last hidden output is always the
 * penultimate feature matrix the NC metrics are about.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hiddenWidths, validateTrainConfig } from "./config.ts";
 * const config = validateTrainConfig({ loss: "mse", width: 256, depth: 3, featureDim: 64,
 *   head: 32, bias: false });
 * assert.deepEqual(hiddenWidths(config), [256, 256, 64, 32]);
 * assert.throws(() => validateTrainConfig({ loss: "mse", width: 0 }), /width/);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { datasetInfo, type DatasetName, datasetNames } from "../data/mod.ts";
import { type LossName, lossNames, validateLossSpec } from "../losses.ts";
import { ConvNet } from "./cnn.ts";
import { paperBMilestones } from "./schedule.ts";

/** Network families of {@link TrainConfig.arch}. */
export const archNames = ["mlp", "cnn"] as const;
/** One of {@link archNames}. */
export type ArchName = typeof archNames[number];

/** Conv channels of `--arch cnn` when none are given: two blocks, 28 → 14 → 7 pixels. */
export const DEFAULT_CHANNELS: readonly number[] = [16, 32];

/** Largest training workspace of the conv blocks (the WASM heap is 4 GiB, shared). */
const MAX_CONV_WORKSPACE_BYTES = 2 ** 30;

/** Reduction of the MSE loss over classes (CE/LS/FL ignore it). */
export type MseReduction = "half-sum" | "mean";
/** Accepted values of {@link TrainConfig.mseReduction}. */
export const mseReductions: readonly MseReduction[] = ["half-sum", "mean"];

/** Everything that determines a training run (and hence its saved result). */
export interface TrainConfig {
  /** Image data set (`--dataset`). */
  dataset: DatasetName;
  /** Network family (`--arch`). */
  arch: ArchName;
  /** Output channels of the conv blocks, input side first (`--channels`; cnn only, else []). */
  channels: number[];
  /** Loss (`--loss`). */
  loss: LossName;
  /** Label smoothing α (`--alpha`, ls only). */
  alpha: number;
  /** Focal β (`--beta`, fl only). */
  beta: number;
  /** MSE target scale s: targets s·one-hot (`--target-scale`; nc_loss uses 15). */
  targetScale: number;
  /**
   * MSE per sample: `half-sum` = ½‖z − s·e_y‖² (docs/experiments.md#protocol-a-network) or `mean` =
   * the mean over the K classes of (z − s·e_y)², i.e. PyTorch `F.mse_loss` as in nc_loss (2/K times
   * the former) (`--mse-reduction`).
   */
  mseReduction: MseReduction;
  /** Hidden width (`--width`). */
  width: number;
  /** Number of hidden layers of the backbone (`--depth`, ≥ 1). */
  depth: number;
  /** Width of the last backbone layer (features H1), null = `width` (`--feature-dim`). */
  featureDim: number | null;
  /** Width of an extra FC + ReLU head after the backbone; 0 = none (`--head-relu`). */
  head: number;
  /** Bias of the classifier (`--bias on|off`). */
  bias: boolean;
  /** Biases of the backbone's hidden layers (`--hidden-bias on|off`). */
  hiddenBias: boolean;
  /** Bias of the extra head layer (`--head-bias on|off`; paper A's head is σ(W₁H1), none). */
  headBias: boolean;
  /** Batch normalization before every hidden ReLU (`--batch-norm on|off`). */
  batchNorm: boolean;
  /**
   * Training images per class (`--n`); with `imbalanceRatio` the majority classes' count, with
   * `classCounts` their largest count (set from it).
   */
  n: number;
  /**
   * Training images of each class, class 0 first (`--class-counts`; excludes `--n`); null = the
   * same n for every class. The test set is the same as with n = the largest count.
   */
  classCounts: number[] | null;
  /**
   * Step imbalance of Fang et al. (PNAS 2021): the last `minorityClasses` classes get
   * round(n/R) training images, the others n (`--imbalance-ratio R` ≥ 1); null = none.
   */
  imbalanceRatio: number | null;
  /** Number m of minority classes of the step imbalance (`--minority-classes`, 1 ≤ m < K). */
  minorityClasses: number | null;
  /**
   * Normalized features and classifier (`--normalize-features`; Yaras et al. 2022, as their code):
   * the classifier reads τ·h/‖h‖ of the penultimate features h, its rows are kept at unit norm
   * (renormalized after every step) and it gets no weight decay (weight nor bias).
   */
  normalizeFeatures: boolean;
  /** Temperature τ > 0 multiplying the normalized logits (`--tau`, default 1); null = off. */
  tau: number | null;
  /**
   * Fixed simplex-ETF classifier (`--etf-classifier`; tding1/Neural-Collapse `--ETF_fc`): rows of
   * √(K/(K−1))(I − J/K) padded with zeros (unit rows), never trained; needs width ≥ K − 1.
   */
  etfClassifier: boolean;
  /**
   * Test images per class from the rest; null = all the rest (`--test-per-class`; when not
   * given, the data set's default: all the rest for mnist, 1,000 for fashion-mnist).
   */
  testPerClass: number | null;
  /** Seed of the train/test split (`--data-seed`), fixed across runs so losses see one set. */
  dataSeed: number;
  /**
   * Random-shift augmentation: each training image is translated by up to this many pixels in
   * x and y (uniform integers, blank fill), drawn anew every epoch; 0 = off (`--augment`).
   */
  augment: number;
  /** Epochs (`--epochs`). */
  epochs: number;
  /** Mini-batch size; the last batch of an epoch may be smaller (`--batch`). */
  batch: number;
  /** Initial learning rate (`--lr`). */
  lr: number;
  /** Momentum μ (`--momentum`). */
  momentum: number;
  /** Weight decay on every parameter (`--wd`). */
  wd: number;
  /** Epochs (0-based counts of finished epochs) at which lr is multiplied by γ (`--milestones`). */
  milestones: number[];
  /** Decay factor γ (`--gamma`). */
  gamma: number;
  /** Gradient-norm clipping threshold, 0 = off (`--clip`). */
  clip: number;
  /** Seed of initialization and shuffling (`--seed`). */
  seed: number;
  /** Full evaluation (accuracies, NC metrics) every this many epochs, plus first and last. */
  evalEvery: number;
}

/**
 * The imbalance and normalization settings switched off: balanced classes, plain features, a
 * learned classifier (the defaults, and the values of every run saved before they existed).
 */
const BALANCED_PLAIN = {
  classCounts: null,
  imbalanceRatio: null,
  minorityClasses: null,
  normalizeFeatures: false,
  tau: null,
  etfClassifier: false,
} as const satisfies Partial<TrainConfig>;

/** Defaults: paper B's optimizer on an MNIST MLP (docs/experiments.md#paper-b-cpu). */
export function defaultTrainConfig(epochs = 100): TrainConfig {
  return {
    dataset: "mnist",
    arch: "mlp",
    channels: [],
    loss: "ce",
    alpha: 0.05,
    beta: 3,
    targetScale: 1,
    mseReduction: "half-sum",
    width: 256,
    depth: 2,
    featureDim: null,
    head: 0,
    bias: true,
    hiddenBias: true,
    headBias: false,
    batchNorm: false,
    n: 200,
    ...BALANCED_PLAIN,
    testPerClass: null,
    dataSeed: 0,
    augment: 0,
    epochs,
    batch: 100,
    lr: 0.05,
    momentum: 0.9,
    wd: 5e-4,
    // ⌊3E/7⌋, ⌊5E/7⌋ without the zeros and repeats of very short runs.
    milestones: [...new Set(paperBMilestones(epochs).filter((m) => m >= 1))],
    gamma: 0.1,
    clip: 0,
    seed: 1,
    evalEvery: Math.max(1, Math.round(epochs / 20)),
  };
}

/** Bias flag of every hidden layer (backbone: `hiddenBias`, head: `headBias`). */
export function hiddenBiases(config: TrainConfig): boolean[] {
  const flags = Array.from({ length: config.depth }, () => config.hiddenBias);
  if (config.head > 0) flags.push(config.headBias);
  return flags;
}

/** Hidden-layer widths, input side first (see module notes). */
export function hiddenWidths(config: TrainConfig): number[] {
  const widths = Array.from({ length: config.depth }, () => config.width);
  if (config.featureDim !== null) widths[widths.length - 1] = config.featureDim;
  if (config.head > 0) widths.push(config.head);
  return widths;
}

/**
 * Fills defaults (milestones and evalEvery follow `epochs` unless given) and checks every field,
 * throwing a {@link UsageError} that names the flag.
 */
export function validateTrainConfig(partial: Partial<TrainConfig>): TrainConfig {
  const epochs = partial.epochs ?? 100;
  const config: TrainConfig = { ...defaultTrainConfig(epochs), ...stripUndefined(partial) };
  if (!datasetNames.includes(config.dataset)) {
    throw new UsageError(
      `--dataset: expected one of ${datasetNames.join("|")}, got '${config.dataset}'`,
    );
  }
  const data = datasetInfo(config.dataset);
  if (partial.testPerClass === undefined) config.testPerClass = data.defaultTestPerClass;
  if (!archNames.includes(config.arch)) {
    throw new UsageError(`--arch: expected one of ${archNames.join("|")}, got '${config.arch}'`);
  }
  validateChannels(config, data.side, partial.channels === undefined);
  if (!lossNames.includes(config.loss)) {
    throw new UsageError(`--loss: expected one of ${lossNames.join("|")}, got '${config.loss}'`);
  }
  validateLossSpec({
    name: config.loss,
    alpha: config.alpha,
    beta: config.beta,
    targetScale: config.targetScale,
  });
  if (config.loss !== "mse" && config.targetScale !== 1) {
    throw new UsageError(`--target-scale: only the mse loss has targets (got loss ${config.loss})`);
  }
  if (!mseReductions.includes(config.mseReduction)) {
    throw new UsageError(
      `--mse-reduction: expected one of ${mseReductions.join("|")}, got '${config.mseReduction}'`,
    );
  }
  const integer = (flag: string, value: number, min: number, max = Infinity): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
      throw new UsageError(`--${flag}: must be an integer ${range}, got ${value}`);
    }
  };
  const real = (flag: string, value: number, ok: (v: number) => boolean, what: string): void => {
    if (!(Number.isFinite(value) && ok(value))) {
      throw new UsageError(`--${flag}: must be ${what}, got ${value}`);
    }
  };
  integer("width", config.width, 1, 8192);
  integer("depth", config.depth, 1, 64);
  if (config.featureDim !== null) integer("feature-dim", config.featureDim, 1, 8192);
  integer("head-relu", config.head, 0, 8192);
  validateImbalance(config, partial, data.classes, data.smallestClass, data.name);
  validateNormalization(config, data.classes);
  // Both sets come out of every class: n + test per class may not exceed the smallest one.
  const smallest = data.smallestClass;
  integer("n", config.n, 1, smallest - 1);
  if (config.testPerClass !== null) {
    integer("test-per-class", config.testPerClass, 1, smallest - 1);
    if (config.n + config.testPerClass > smallest) {
      const given = partial.testPerClass !== undefined;
      throw new UsageError(
        `--${given ? "test-per-class" : "n"}: n + test per class = ` +
          `${config.n + config.testPerClass} exceeds the smallest ${config.dataset} class ` +
          `(${smallest} images)` +
          (given ? "" : `; test per class defaults to ${config.testPerClass} (--test-per-class)`),
      );
    }
  }
  integer("data-seed", config.dataSeed, 0);
  integer("augment", config.augment, 0, 8);
  integer("epochs", config.epochs, 1, 100000);
  integer("batch", config.batch, 1, 100000);
  if (config.arch === "cnn") {
    const bytes = config.batch *
      ConvNet.workspaceBytesPerSample({ ...config, side: data.side, dtype: "f32" }, true);
    if (bytes > MAX_CONV_WORKSPACE_BYTES) {
      throw new UsageError(
        `--batch/--channels: the conv blocks need ${(bytes / 2 ** 20).toFixed(0)} MiB for a ` +
          `batch of ${config.batch} (limit ${MAX_CONV_WORKSPACE_BYTES / 2 ** 20} MiB); lower ` +
          `--batch or --channels`,
      );
    }
  }
  real("lr", config.lr, (v) => v > 0, "a number > 0");
  real("momentum", config.momentum, (v) => v >= 0 && v < 1, "in [0, 1)");
  real("wd", config.wd, (v) => v >= 0, "≥ 0");
  real("gamma", config.gamma, (v) => v > 0 && v <= 1, "in (0, 1]");
  real("clip", config.clip, (v) => v >= 0, "≥ 0 (0 = off)");
  integer("seed", config.seed, 0);
  integer("eval-every", config.evalEvery, 1);
  if (!Array.isArray(config.milestones)) {
    throw new UsageError(`--milestones: expected a list of epochs`);
  }
  config.milestones.forEach((m, i) => {
    if (!Number.isSafeInteger(m) || m < 1) {
      throw new UsageError(`--milestones: each milestone must be an integer ≥ 1, got ${m}`);
    }
    if (i > 0 && m <= config.milestones[i - 1]) {
      throw new UsageError(`--milestones: must be increasing, got ${config.milestones.join(",")}`);
    }
  });
  return config;
}

/**
 * Checks the imbalance settings (one of `classCounts` or the step form) and sets `n` to the
 * largest count of `classCounts`.
 */
function validateImbalance(
  config: TrainConfig,
  partial: Partial<TrainConfig>,
  classes: number,
  smallest: number,
  dataset: string,
): void {
  const step = config.imbalanceRatio !== null || config.minorityClasses !== null;
  if (config.classCounts !== null) {
    const counts = config.classCounts;
    if (!Array.isArray(counts)) throw new UsageError(`--class-counts: expected a list of counts`);
    if (step) {
      throw new UsageError(
        "--class-counts: excludes --imbalance-ratio/--minority-classes (give one imbalance)",
      );
    }
    if (counts.length !== classes) {
      throw new UsageError(
        `--class-counts: expected one count per class (${classes} for ${dataset}), got ` +
          `${counts.length}`,
      );
    }
    for (const count of counts) {
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new UsageError(`--class-counts: each count must be an integer ≥ 1, got ${count}`);
      }
    }
    const largest = Math.max(...counts);
    if (partial.n !== undefined && partial.n !== largest) {
      throw new UsageError("--class-counts: excludes --n (the counts give every class its size)");
    }
    const test = config.testPerClass;
    if (largest + (test ?? 1) > smallest) {
      throw new UsageError(
        `--class-counts: the largest count ${largest} + ${
          test === null ? "at least 1 test image" : `test per class ${test}`
        } exceeds the smallest ${dataset} class (${smallest} images)`,
      );
    }
    config.n = largest;
    return;
  }
  if (!step) return;
  const ratio = config.imbalanceRatio, minority = config.minorityClasses;
  if (ratio === null) throw new UsageError("--minority-classes: needs --imbalance-ratio R");
  if (minority === null) throw new UsageError("--imbalance-ratio: needs --minority-classes m");
  if (!(Number.isFinite(ratio) && ratio >= 1)) {
    throw new UsageError(`--imbalance-ratio: must be a number ≥ 1, got ${ratio}`);
  }
  if (!Number.isSafeInteger(minority) || minority < 1 || minority >= classes) {
    throw new UsageError(
      `--minority-classes: must be an integer in [1, ${classes - 1}] (K = ${classes}), got ` +
        `${minority}`,
    );
  }
  // An invalid n is reported by the --n check.
  if (Number.isSafeInteger(config.n) && config.n >= 1 && Math.round(config.n / ratio) < 1) {
    throw new UsageError(
      `--imbalance-ratio: n/R = ${config.n}/${ratio} leaves the minority classes no image`,
    );
  }
}

/** Checks `--normalize-features`, `--tau` and `--etf-classifier`; τ defaults to 1. */
function validateNormalization(config: TrainConfig, classes: number): void {
  if (config.tau !== null && !config.normalizeFeatures) {
    throw new UsageError("--tau: only applies with --normalize-features");
  }
  if (config.normalizeFeatures) {
    config.tau ??= 1;
    if (!(Number.isFinite(config.tau) && config.tau > 0)) {
      throw new UsageError(`--tau: must be a number > 0, got ${config.tau}`);
    }
  }
  if (config.etfClassifier) {
    const width = hiddenWidths(config).at(-1)!;
    if (width < classes - 1) {
      throw new UsageError(
        `--etf-classifier: needs penultimate features of width ≥ K − 1 = ${classes - 1}, ` +
          `got ${width}`,
      );
    }
  }
}

/** Training images of each class, class 0 first (see {@link TrainConfig.classCounts}). */
export function trainCounts(config: TrainConfig, classes = 10): number[] {
  if (config.classCounts !== null) return [...config.classCounts];
  const counts = Array.from({ length: classes }, () => config.n);
  if (config.imbalanceRatio !== null && config.minorityClasses !== null) {
    const minorityCount = Math.round(config.n / config.imbalanceRatio);
    counts.fill(minorityCount, classes - config.minorityClasses);
  }
  return counts;
}

/**
 * The minority classes of an imbalanced run: the last m of a step imbalance (also at R = 1),
 * the classes below the largest count of `classCounts`, none for a balanced run.
 */
export function minorityClassesOf(config: TrainConfig, classes = 10): number[] {
  if (config.minorityClasses !== null) {
    return Array.from(
      { length: config.minorityClasses },
      (_, i) => classes - config.minorityClasses! + i,
    );
  }
  if (config.classCounts === null) return [];
  const largest = Math.max(...config.classCounts);
  return config.classCounts.flatMap((count, k) => (count < largest ? [k] : []));
}

/** Whether the classes of the training set differ in size (or a step imbalance is set). */
export function isImbalanced(config: TrainConfig): boolean {
  return config.classCounts !== null || config.imbalanceRatio !== null;
}

/** Fills the default channels of a CNN and checks `channels` against the architecture. */
function validateChannels(config: TrainConfig, side: number, defaulted: boolean): void {
  if (config.arch === "mlp") {
    if (config.channels.length > 0) {
      throw new UsageError(`--channels: only --arch cnn has convolution blocks (got --arch mlp)`);
    }
    return;
  }
  if (defaulted || config.channels.length === 0) config.channels = [...DEFAULT_CHANNELS];
  if (!Array.isArray(config.channels)) throw new UsageError(`--channels: expected a list`);
  const maxBlocks = Math.floor(Math.log2(side));
  if (config.channels.length > maxBlocks) {
    throw new UsageError(
      `--channels: ${config.channels.length} blocks halve ${side}×${side} images below one ` +
        `pixel; at most ${maxBlocks}`,
    );
  }
  for (const c of config.channels) {
    if (!Number.isSafeInteger(c) || c < 1 || c > 1024) {
      throw new UsageError(`--channels: each must be an integer in [1, 1024], got ${c}`);
    }
  }
}

function stripUndefined(partial: Partial<TrainConfig>): Partial<TrainConfig> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
}

/**
 * Version of the training protocol (data preparation, initialization, update rule, metrics).
 * Part of every saved run's key: bump it when a change would alter results, so that stale saved
 * runs are recomputed instead of reused.
 */
export const TRAIN_PROTOCOL_VERSION = 1;

/**
 * Settings added after runs had been saved, with the value every earlier run had: at that value
 * they are left out of {@link runKey}, so that those saved runs keep their keys and stay valid.
 */
const LATER_SETTINGS: Partial<Record<keyof TrainConfig, unknown>> = {
  dataset: "mnist",
  arch: "mlp",
  channels: [],
  ...BALANCED_PLAIN,
};

/**
 * The canonical key of a run: every setting, sorted, plus the protocol version (settings of
 * {@link LATER_SETTINGS} only when they differ from their original value).
 */
export function runKey(config: TrainConfig): string {
  const sorted = Object.fromEntries(
    Object.entries(config)
      .filter(([name, value]) =>
        !(name in LATER_SETTINGS) ||
        JSON.stringify(value) !== JSON.stringify(LATER_SETTINGS[name as keyof TrainConfig])
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify({ protocol: TRAIN_PROTOCOL_VERSION, ...sorted });
}
