/**
 * Trains a network (MLP or CNN, lib/nn/network.ts) on a data split (MNIST, Fashion-MNIST;
 * lib/data) into the terminal phase and records, per epoch, the running
 * training loss and accuracy, and at every evaluation (epoch 0, every `evalEvery` epochs and the
 * last) the exact train/test loss and accuracy and the NC metrics of every hidden layer's
 * features on the whole training set (lib/metrics, docs/metrics.md#shared-objects): NC1 for every
 * layer, and for the penultimate features H with the classifier (W, b) the paper-B metrics
 * (nc_loss: NC2 on the centered W, NC3 on centered W vs centered class means, "NC4" ‖Wμ_G + b‖) and
 * the paper-A structures (OF distance of the uncentered class means, ETF distance of the centered
 * ones).
 *
 * One epoch = one pass over a seeded shuffle of the training set in mini-batches (the last one
 * may be smaller, as PyTorch's DataLoader without drop_last); each step minimizes the batch mean
 * of the loss (times 2/K for `mseReduction: "mean"`) with {@link Sgd}; the learning rate follows
 * {@link multiStepLr} (decays after each milestone epoch, the documented PyTorch ordering).
 * Optional random-shift augmentation (`augment` pixels) applies to the training batches only;
 * metrics are always computed on the clean training set (nc_loss uses its augmented loader,
 * docs/reference-code-pitfalls.md#nc-loss-augmented). Batch-norm layers run in training mode for
 * the steps and in evaluation mode (running statistics) for the metrics, as `model.eval()` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitDataset } from "../data/mod.ts";
 * import { validateTrainConfig } from "./config.ts";
 * import { trainNetwork } from "./train.ts";
 * const config = validateTrainConfig({ loss: "ce", width: 64, depth: 2, n: 50, epochs: 5 });
 * const data = await splitDataset("mnist", { perClass: config.n, seed: config.dataSeed });
 * const result = trainNetwork(config, data);
 * assert.equal(result.train_size, 500); // 50 digits per class
 * assert.ok(result.train_acc > 0.5 && result.test_acc > 0.5); // far above chance (0.1)
 * ```
 * @module
 */
import { RunError } from "../errors.ts";
import { makeLoss } from "../losses.ts";
import { IntVector, Matrix } from "../matrix.ts";
import { classifierCosine, ncMetrics } from "../metrics/mod.ts";
import { Rng } from "../rng.ts";
import { datasetInfo, type DataSplit, type LabelledData, splitDataset } from "../data/mod.ts";
import { minorityClassesOf, type TrainConfig, trainCounts } from "./config.ts";
import type { NnKernel } from "./kernels.ts";
import { countCorrect } from "./mlp.ts";
import { buildNetwork, type Network } from "./network.ts";
import { normalizedLossBound, normalizeRows } from "./normalized.ts";
import { multiStepLr } from "./schedule.ts";
import { Sgd } from "./sgd.ts";

/** Running statistics of one training epoch (the model changes during the epoch). */
export interface EpochRecord {
  /** Epochs finished (1-based). */
  epoch: number;
  /** Learning rate used in this epoch. */
  lr: number;
  /** Mean objective over the epoch's mini-batches (without weight decay). */
  loss: number;
  /** Fraction of samples classified correctly by the network of their own mini-batch. */
  acc: number;
  /** Mean raw gradient norm over the epoch's steps. */
  grad_norm: number;
  /** Fraction of steps whose gradients were clipped. */
  clipped: number;
}

/** NC metrics of one hidden layer's features on the training set. */
export interface LayerMetrics {
  /** Layer index, 1 = first hidden layer. */
  layer: number;
  /** Feature dimension. */
  width: number;
  /** Tr(Σ_W Σ_B^†)/K (docs/metrics.md#nc1). */
  nc1: number | null;
  /** Tr Σ_W / Tr Σ_B (Tirer NC1~). */
  nc1_quotient: number | null;
  /** dist(MMᵀ, I/√K), uncentered class means (paper A's orthogonal frame). */
  nc2_of: number | null;
  /** dist(M̃M̃ᵀ, E_K), centered class means (simplex ETF). */
  nc2_etf: number | null;
  /** Fraction of feature entries that are exactly 0 (inactive ReLU units over the samples). */
  zero_fraction: number;
}

/** A full evaluation of the network. */
export interface EvalRecord {
  /** Epochs finished (0 = at initialization). */
  epoch: number;
  /** Mean objective on the whole training set (without weight decay). */
  train_loss: number | null;
  /** Training accuracy (whole set). */
  train_acc: number;
  /** Mean objective on the test set. */
  test_loss: number | null;
  /** Test accuracy. */
  test_acc: number;
  /** Every hidden layer, input side first; the last entry is the penultimate layer H. */
  layers: LayerMetrics[];
  /** NC1 of the penultimate features. */
  nc1: number | null;
  /** nc_loss NC2: dist(W̃W̃ᵀ, E_K), W̃ = W minus its mean row. */
  nc2: number | null;
  /** dist(WWᵀ, I/√K), W uncentered (bias-free MSE UFM: W Wᵀ ∝ I). */
  nc2_w_of: number | null;
  /** nc_loss NC3: dist(W̃ M̃ᵀ, E_K). */
  nc3: number | null;
  /** "NC4" of the plots of paper B: ‖Wμ_G + b‖. */
  nc4: number | null;
  /** ‖W/‖W‖ − M/‖M‖‖_F with uncentered means (self-duality of the bias-free MSE UFM). */
  self_duality_uncentered: number | null;
  /** Fraction of samples where argmax(Wh + b) ≠ nearest class mean. */
  ncc_mismatch: number | null;
  /**
   * Test accuracy of each class, class 0 first (absent in runs saved before it was recorded).
   */
  test_acc_per_class?: number[];
  /**
   * Mean pairwise cosine of the minority classes' classifier rows (Fang et al.'s minority
   * collapse: → 1 as they merge; lib/metrics `classifierCosine`); null for a balanced run.
   */
  minority_cosine?: number | null;
}

/** Terminal-phase summary read off the evaluations. */
export interface TerminalPhase {
  /** First evaluated epoch with 100% training accuracy (null if never). */
  first_epoch_at_100: number | null;
  /** Largest NC1 of the penultimate features over all evaluations. */
  nc1_peak: number | null;
  /** Epoch of that peak. */
  nc1_peak_epoch: number | null;
  /** NC1 at the last evaluation. */
  nc1_final: number | null;
  /** nc1_peak / nc1_final. */
  nc1_drop: number | null;
  /** NC1 when 100% training accuracy was first reached, over the final NC1 (the fall in the TPT). */
  nc1_drop_in_tpt: number | null;
}

/** Everything a run produces (saved as JSON by grid.ts). */
export interface TrainResult {
  /** The settings. */
  config: TrainConfig;
  /** Hidden widths, input side first. */
  hidden: number[];
  /** Number of parameters. */
  parameters: number;
  /** Training images of each class (absent in runs saved before it was recorded). */
  class_counts?: number[];
  /** The minority classes ({@link minorityClassesOf}); empty for a balanced run. */
  minority_classes?: number[];
  /**
   * The lower bound f*(K, τ) of the normalized network's training loss (the spherical UFM's
   * optimum, lib/nn/normalized.ts `normalizedLossBound`); null without normalized features or
   * where no bound is known (imbalanced classes, some MSE settings).
   */
  train_loss_bound?: number | null;
  /** Training / test set sizes. */
  train_size: number;
  /** See `train_size`. */
  test_size: number;
  /** Per-epoch running statistics. */
  epochs: EpochRecord[];
  /** Full evaluations. */
  evals: EvalRecord[];
  /** Final training accuracy. */
  train_acc: number;
  /** Final test accuracy. */
  test_acc: number;
  /** Terminal-phase summary. */
  terminal: TerminalPhase;
  /** Wall-clock seconds of the whole run (evaluations included). */
  seconds: number;
  /** Mean seconds per training epoch (evaluations excluded). */
  epoch_seconds: number;
}

/** Hooks and options of {@link trainNetwork}. */
export interface TrainHooks {
  /** Called after every epoch. */
  onEpoch?: (record: EpochRecord) => void;
  /** Called after every evaluation. */
  onEval?: (record: EvalRecord) => void;
  /**
   * Feature tap: called at every evaluation with the hidden features of the whole training set
   * (one width × N matrix per hidden layer, input side first; columns in training-set order).
   * The matrices are freed right after the call: copy what you keep. `classifier` is the
   * network's last layer at that moment (W: K × width, bias: K × 1 or null).
   */
  onFeatures?: (
    epoch: number,
    features: readonly Matrix[],
    classifier: { weight: Matrix; bias: Matrix | null },
  ) => void;
  /** SIMD kernels (default) or the scalar references. */
  kernel?: NnKernel;
}

const finiteOrNull = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

/** Trains one network (synchronously; run several on Workers with grid.ts). */
export function trainNetwork(
  config: TrainConfig,
  data: DataSplit,
  hooks: TrainHooks = {},
): TrainResult {
  const started = performance.now();
  const kernel = hooks.kernel ?? "simd";
  const rng = new Rng(config.seed);
  const classes = data.classes;
  const net = buildNetwork(
    config,
    { side: data.side, classes, dtype: data.train.inputs.dtype },
    rng,
    kernel,
  );
  const hidden = [...net.hiddenWidths];
  const params = net.parameters();
  const grads = net.zerosLikeParameters();
  // The normalized classifier (weight and bias) gets no weight decay, as in the normalized-NC
  // code; the fixed ETF classifier is never updated (docs/sphere.md#sphere-code).
  const { weight: classifierWeight, bias: classifierBias } = net.classifier;
  const inClassifier = (p: Matrix) => p === classifierWeight || p === classifierBias;
  const sgd = new Sgd(params, {
    momentum: config.momentum,
    weightDecay: config.wd,
    clipNorm: config.clip,
    decay: params.map((p) => !(config.normalizeFeatures && inClassifier(p))),
    frozen: params.map((p) => config.etfClassifier && p === classifierWeight),
  }, kernel);
  const renormalize = config.normalizeFeatures && !config.etfClassifier;
  const minority = minorityClassesOf(config, classes);
  const loss = makeLoss({
    name: config.loss,
    alpha: config.alpha,
    beta: config.beta,
    targetScale: config.targetScale,
  }, kernel);
  // F.mse_loss averages over the K classes too: 2/K times the ½‖·‖² convention
  // (docs/conventions.md#pytorch).
  const lossScale = config.loss === "mse" && config.mseReduction === "mean" ? 2 / classes : 1;
  const batches = new BatchBuffers(data.train, config.batch, data.side);
  const epochs: EpochRecord[] = [];
  const evals: EvalRecord[] = [];
  const owned: { free(): void }[] = [sgd, batches, ...grads];
  let trainSeconds = 0;
  try {
    const evaluateNow = (epoch: number): void => {
      const record = evaluate(
        net,
        hidden,
        data,
        loss,
        lossScale,
        epoch,
        minority,
        hooks.onFeatures,
      );
      evals.push(record);
      hooks.onEval?.(record);
    };
    evaluateNow(0);
    const order = Array.from({ length: data.train.count }, (_, i) => i);
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      const lr = multiStepLr(config.lr, config.milestones, config.gamma, epoch);
      rng.shuffle(order);
      let lossSum = 0, correct = 0, gradNormSum = 0, clippedSteps = 0, steps = 0;
      for (let start = 0; start < order.length; start += config.batch) {
        const size = Math.min(config.batch, order.length - start);
        const { inputs, labels } = batches.fill(order, start, size, config.augment, rng);
        const result = net.lossAndGradient(inputs, labels, loss, grads, lossScale / size);
        if (!Number.isFinite(result.lossSum)) {
          throw new RunError(
            `training diverged at epoch ${epoch + 1} (loss ${result.lossSum}); lower --lr` +
              (config.normalizeFeatures ? ` or --tau (${config.tau})` : "") + ` or set --clip`,
          );
        }
        const step = sgd.step(grads, lr);
        if (renormalize) normalizeRows(classifierWeight);
        lossSum += lossScale * result.lossSum;
        correct += result.correct;
        gradNormSum += step.gradNorm;
        if (step.clipped) clippedSteps++;
        steps++;
      }
      trainSeconds += (performance.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch: epoch + 1,
        lr,
        loss: lossSum / order.length,
        acc: correct / order.length,
        grad_norm: gradNormSum / steps,
        clipped: clippedSteps / steps,
      };
      epochs.push(record);
      hooks.onEpoch?.(record);
      if ((epoch + 1) % config.evalEvery === 0 || epoch + 1 === config.epochs) {
        evaluateNow(epoch + 1);
      }
    }
  } finally {
    for (const item of owned) item.free();
  }
  const last = evals[evals.length - 1];
  const result: TrainResult = {
    config,
    hidden,
    parameters: net.parameterCount,
    class_counts: classCountsOf(data.train.labelArray, classes),
    minority_classes: minority,
    train_loss_bound: normalizedLossBound(config, classes, hidden.at(-1)!),
    train_size: data.train.count,
    test_size: data.test.count,
    epochs,
    evals,
    train_acc: last.train_acc,
    test_acc: last.test_acc,
    terminal: terminalPhase(evals),
    seconds: (performance.now() - started) / 1000,
    epoch_seconds: trainSeconds / config.epochs,
  };
  net.free();
  return result;
}

/** Reads the terminal-phase summary off a run's evaluations (see {@link TerminalPhase}). */
export function terminalPhase(evals: readonly EvalRecord[]): TerminalPhase {
  const first = evals.find((e) => e.train_acc === 1) ?? null;
  let peak: EvalRecord | null = null;
  for (const e of evals) {
    if (e.nc1 !== null && (peak === null || e.nc1 > peak.nc1!)) peak = e;
  }
  const final = evals.length > 0 ? evals[evals.length - 1].nc1 : null;
  const ratio = (a: number | null | undefined): number | null =>
    a === null || a === undefined || final === null || !(final > 0) ? null : a / final;
  return {
    first_epoch_at_100: first?.epoch ?? null,
    nc1_peak: peak?.nc1 ?? null,
    nc1_peak_epoch: peak?.epoch ?? null,
    nc1_final: final,
    nc1_drop: finiteOrNull(ratio(peak?.nc1)),
    nc1_drop_in_tpt: finiteOrNull(ratio(first?.nc1)),
  };
}

/** Per-batch copies of the shuffled samples (one pair of buffers per batch size). */
class BatchBuffers {
  #set: LabelledData;
  #buffers = new Map<number, { inputs: Matrix; labels: IntVector }>();
  /** Input value of a blank pixel (the smallest input value: 0 before standardization). */
  #background: number;
  #side: number;

  constructor(set: LabelledData, batch: number, side: number) {
    this.#set = set;
    this.#side = side;
    let background = Infinity;
    for (const value of set.inputs.data) background = Math.min(background, value);
    this.#background = background;
    this.#get(Math.min(batch, set.count));
  }

  #get(size: number): { inputs: Matrix; labels: IntVector } {
    let buffer = this.#buffers.get(size);
    if (buffer === undefined) {
      buffer = {
        inputs: Matrix.zeros(size, this.#set.inputs.cols, this.#set.inputs.dtype),
        labels: IntVector.from(new Int32Array(size)),
      };
      this.#buffers.set(size, buffer);
    }
    return buffer;
  }

  /** Copies samples order[start … start + size) into the buffers of that size. */
  fill(
    order: readonly number[],
    start: number,
    size: number,
    shift: number,
    rng: Rng,
  ): { inputs: Matrix; labels: IntVector } {
    const buffer = this.#get(size);
    // No allocation below: the views stay valid.
    const dim = this.#set.inputs.cols;
    const source = this.#set.inputs.data;
    const target = buffer.inputs.data;
    const labels = buffer.labels.data;
    for (let r = 0; r < size; r++) {
      const i = order[start + r];
      if (shift > 0) {
        const dx = rng.int(2 * shift + 1) - shift;
        const dy = rng.int(2 * shift + 1) - shift;
        shiftImage(source, i * dim, target, r * dim, dx, dy, this.#background, this.#side);
      } else {
        target.set(source.subarray(i * dim, (i + 1) * dim), r * dim);
      }
      labels[r] = this.#set.labelArray[i];
    }
    return buffer;
  }

  free(): void {
    for (const { inputs, labels } of this.#buffers.values()) {
      inputs.free();
      labels.free();
    }
  }
}

/**
 * Copies the side×side image (default 28×28) at source[from …] into target[to …] translated by
 * (dx, dy) pixels, filling uncovered pixels with `background` (torchvision RandomCrop(side,
 * padding) with a blank fill, the random-shift augmentation).
 */
export function shiftImage(
  source: ArrayLike<number>,
  from: number,
  target: { [index: number]: number },
  to: number,
  dx: number,
  dy: number,
  background: number,
  side = 28,
): void {
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      target[to + y * side + x] = sy >= 0 && sy < side && sx >= 0 && sx < side
        ? source[from + sy * side + sx]
        : background;
    }
  }
}

/** Images of each class in `labels`. */
function classCountsOf(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

/**
 * Forward passes over a whole set in chunks: accuracy (overall and per class), mean loss and
 * (optionally) features.
 */
function passOver(
  net: Network,
  set: LabelledData,
  loss: ReturnType<typeof makeLoss>,
  lossScale: number,
  features: Matrix[] | null,
  classes: number,
): { acc: number; loss: number; accPerClass: number[] } {
  const dim = set.inputs.cols;
  const correctPerClass = new Array<number>(classes).fill(0);
  let correct = 0;
  let lossSum = 0;
  const chunk = net.evalBatch;
  for (let start = 0; start < set.count; start += chunk) {
    const size = Math.min(chunk, set.count - start);
    const inputs = Matrix.zeros(size, dim, set.inputs.dtype);
    inputs.data.set(set.inputs.data.subarray(start * dim, (start + size) * dim));
    const labels = IntVector.from(set.labelArray.subarray(start, start + size));
    const logits = net.forward(inputs, false);
    correct += countCorrect(logits, net.classifier.bias, labels.data, correctPerClass);
    if (features !== null) {
      net.hiddenFeatures(size).forEach((activation, l) => {
        const full = features[l].data;
        const part = activation.data;
        for (let i = 0; i < activation.rows; i++) {
          full.set(part.subarray(i * size, (i + 1) * size), i * set.count + start);
        }
      });
    }
    lossSum += lossScale * loss.evaluate(logits, labels, net.classifier.bias, null);
    inputs.free();
    labels.free();
  }
  const perClass = classCountsOf(set.labelArray, classes);
  return {
    acc: correct / set.count,
    loss: lossSum / set.count,
    accPerClass: correctPerClass.map((c, k) => (perClass[k] > 0 ? c / perClass[k] : NaN)),
  };
}

function evaluate(
  net: Network,
  hidden: readonly number[],
  data: DataSplit,
  loss: ReturnType<typeof makeLoss>,
  lossScale: number,
  epoch: number,
  minority: readonly number[],
  onFeatures: TrainHooks["onFeatures"],
): EvalRecord {
  const dtype = data.train.inputs.dtype;
  const features = hidden.map((width) => Matrix.zeros(width, data.train.count, dtype));
  try {
    const train = passOver(net, data.train, loss, lossScale, features, data.classes);
    const test = passOver(net, data.test, loss, lossScale, null, data.classes);
    onFeatures?.(epoch, features, { weight: net.classifier.weight, bias: net.classifier.bias });
    const classifier = net.classifier;
    const bias = classifier.bias ? Array.from(classifier.bias.data) : null;
    let penultimate: ReturnType<typeof ncMetrics> | null = null;
    const layers: LayerMetrics[] = features.map((matrix, l) => {
      const values = matrix.data;
      let zeros = 0;
      for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
      const isLast = l === features.length - 1;
      let metrics: ReturnType<typeof ncMetrics> | null = null;
      try {
        metrics = ncMetrics({
          features: matrix,
          layout: "samples-as-columns",
          labels: data.train.labelArray,
          classes: data.classes,
          weights: isLast ? classifier.weight : null,
          bias: isLast ? bias : null,
        });
      } catch {
        metrics = null; // non-finite features: recorded as nulls
      }
      if (isLast) penultimate = metrics;
      return {
        layer: l + 1,
        width: matrix.rows,
        nc1: finiteOrNull(metrics?.nc1),
        nc1_quotient: finiteOrNull(metrics?.nc1_quotient),
        nc2_of: finiteOrNull(metrics?.nc2_of),
        nc2_etf: finiteOrNull(metrics?.nc2_etf),
        zero_fraction: zeros / values.length,
      };
    });
    const m = penultimate as ReturnType<typeof ncMetrics> | null;
    return {
      epoch,
      train_loss: finiteOrNull(train.loss),
      train_acc: train.acc,
      test_loss: finiteOrNull(test.loss),
      test_acc: test.acc,
      layers,
      nc1: finiteOrNull(m?.nc1),
      nc2: finiteOrNull(m?.nc2_w_etf_centered),
      nc2_w_of: finiteOrNull(m?.nc2_w_of),
      nc3: finiteOrNull(m?.nc3_centered_w),
      nc4: finiteOrNull(m?.wmu_g_b_norm),
      self_duality_uncentered: finiteOrNull(m?.self_duality_uncentered),
      ncc_mismatch: finiteOrNull(m?.ncc_mismatch),
      test_acc_per_class: test.accPerClass,
      minority_cosine: minority.length < 2
        ? null
        : finiteOrNull(classifierCosine(classifier.weight, minority)),
    };
  } finally {
    for (const f of features) f.free();
  }
}

const splits = new Map<string, DataSplit>();

/**
 * The split of `config` (data set, n per class, test per class, data seed), loaded once per
 * process and cached (runs of a grid share it).
 */
export async function splitFor(config: TrainConfig): Promise<DataSplit> {
  const counts = trainCounts(config, datasetInfo(config.dataset).classes);
  const key = `${config.dataset}/${counts.join(",")}/${config.testPerClass}/${config.dataSeed}`;
  let split = splits.get(key);
  if (split === undefined) {
    split = await splitDataset(config.dataset, {
      perClass: counts,
      testPerClass: config.testPerClass,
      seed: config.dataSeed,
    });
    splits.set(key, split);
  }
  return split;
}

/** Loads the split of `config` and trains (convenience for scripts and workers). */
export async function trainOnDataset(
  config: TrainConfig,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  return trainNetwork(config, await splitFor(config), hooks);
}
