/**
 * Figure A6 — paper A on a real network (A-E2 / A-E3, docs/experiments.md#a6): an MLP on real
 * MNIST digits, and the same on real Fashion-MNIST images (second row of line panels), trained
 * with MSE into the terminal phase, with an extra FC + ReLU head so that the penultimate
 * features are H2 = σ(W₁H1) as in the extended ReLU UFM (docs/extended-deep.md#ext-relu-problem):
 *
 *   784 → 256 → 256 → 64 (H1) → 32 (H2 = σ(W₁H1), no bias) → W₂ (10), classifier bias off / on.
 *
 * Panels (mean over seeds): NC1 of H1 and H2 vs epoch; the orthogonal-frame distance of the
 * uncentered class means of H2 and the simplex-ETF distance of the centered ones; the classifier
 * (dist(W₂W₂ᵀ, I/√K), self-duality with H̄2); train/test accuracy; final NC1 of every layer.
 * Prediction of the extended ReLU UFM at its global minimum (bias-free,
 * docs/extended-deep.md#ext-relu-numerics): NC1(H1) = NC1(H2) = 0, H̄2 a nonnegative OF, W₂W₂ᵀ ∝ I,
 * W₂ ∝ H̄2ᵀ. With a bias no closed form exists (same section); the linear model with bias predicts
 * a centered simplex ETF (docs/ufm-mse.md#mse-free-bias).
 *
 * Settings (docs/experiments.md#protocol-a-network): n = 200 digits per class, 500 per class held
 * out, SGD lr 0.05, momentum 0.9, weight decay 5e-4 on all parameters, batch 128, lr ÷10 at 1/3 and
 * 2/3 of the epochs; loss ½‖z − e_y‖² averaged over the batch. Default: 240 epochs × 2 seeds per
 * data set; `--full`: 600 epochs × 3 seeds. Runs are saved under figures/runs/A6 and reused.
 *
 *   npx deno task reproduce --only A6 [--full]
 * @module
 */
import { runCli } from "../../lib/cli.ts";
import type { DatasetName } from "../../lib/data/mod.ts";
import {
  depthwiseFinding,
  depthwiseMeasuredText,
  type DepthwiseSummary,
  depthwiseSummary,
} from "../../lib/nn/depthwise.ts";
import { depthwiseFigure, depthwiseRows } from "../../lib/nn/depthwise_figure.ts";
import {
  hiddenWidths,
  mean,
  parseExperimentArgs,
  runExperimentGrid,
  thirdsMilestones,
  validateTrainConfig,
} from "../../lib/nn/mod.ts";
import { type FigureRow, writeFigure } from "../../lib/plot/mod.ts";

const usage = "Usage: deno run -A scripts/experiments/a6_mnist_depthwise.ts [--full] [--workers N]";

const variants = [
  { label: "bias-free", bias: false },
  { label: "with bias", bias: true },
] as const;

/** MNIST (the figure's original data) and Fashion-MNIST (harder images, same protocol). */
const datasets: readonly { name: DatasetName; title: string }[] = [
  { name: "mnist", title: "MNIST" },
  { name: "fashion-mnist", title: "Fashion-MNIST" },
];

async function main(): Promise<void> {
  const args = parseExperimentArgs(Deno.args, usage);
  if (args === null) return;
  const started = performance.now();
  const epochs = args.full ? 600 : args.quick ? 24 : 240;
  const seeds = args.full ? [1, 2, 3] : args.quick ? [1] : [1, 2];
  const n = args.quick ? 20 : 200;
  const configFor = (bias: boolean, seed: number, dataset: DatasetName) =>
    validateTrainConfig({
      ...{ dataset, loss: "mse", targetScale: 1, mseReduction: "half-sum" },
      ...{ width: 256, depth: 3, featureDim: 64, head: 32, headBias: false, hiddenBias: true },
      ...{ bias, n, testPerClass: args.quick ? 20 : 500, dataSeed: 0, epochs, batch: 128 },
      ...{ lr: 0.05, momentum: 0.9, wd: 5e-4, milestones: thirdsMilestones(epochs), gamma: 0.1 },
      ...{ clip: 0, seed, evalEvery: epochs / 24 },
    });
  const configs = datasets.flatMap((d) =>
    variants.flatMap((v) => seeds.map((seed) => configFor(v.bias, seed, d.name)))
  );
  const { results, loaded } = await runExperimentGrid("A6", configs, args.workers);

  const rows: FigureRow[] = [];
  const findings: string[] = [];
  const summaries: Record<string, Record<string, DepthwiseSummary>> = {};
  for (const data of datasets) {
    const summary: Record<string, DepthwiseSummary> = {};
    for (const variant of variants) {
      const runs = results.filter((r) =>
        r.config.bias === variant.bias && r.config.dataset === data.name
      );
      rows.push(...depthwiseRows(data.title, variant.label, runs));
      summary[variant.label] = depthwiseSummary(runs);
    }
    summaries[data.name] = summary;
    const prefix = data.name === "mnist" ? "" : `${data.title}: `;
    findings.push(depthwiseFinding(summary, "bias-free", prefix).text);
  }

  const title = "A6 · Paper A on MNIST and Fashion-MNIST: depthwise collapse with MSE, with and " +
    "without bias";
  await writeFigure({
    id: "A6",
    title,
    spec: depthwiseFigure({
      title,
      subtitle:
        `MLP 784→${hiddenWidths(configs[0]).join("→")}→10 (H2 = σ(W₁H1)), n = ${n}/class, ` +
        `MSE, SGD lr 0.05 μ 0.9 wd 5e-4, ${epochs} epochs, mean of ${seeds.length} seeds; ` +
        "extended ReLU UFM: every curve of a–c → 0 (bias-free)",
      datasets: datasets.map((d) => d.title),
    }),
    rows,
    meta: {
      paper: "A",
      claim: "In a trained network the within-class variability of the features decreases with " +
        "depth (NC1(H2) < NC1(H1), A-E2) and, with MSE, the penultimate post-ReLU class means " +
        "approach the structure of the extended ReLU UFM's global minimum: an orthogonal frame " +
        "when the classifier has no bias, W₂W₂ᵀ ∝ I and W₂ ∝ H̄2ᵀ " +
        "(A-E3, docs/extended-deep.md#ext-relu-numerics).",
      measured: depthwiseMeasuredText(findings, configs[0]),
      command: `npx deno task reproduce --only A6${args.full ? " --full" : ""}`,
      maxTheoryError: null,
      seconds: (performance.now() - started) / 1000,
      parameters: {
        grid: args.full ? "full" : args.quick ? "quick (smoke test)" : "reduced",
        seeds,
        epochs,
        configs: configs.map((c) => ({ dataset: c.dataset, bias: c.bias, seed: c.seed })),
        protocol: {
          ...configs[0],
          dataset: "mnist / fashion-mnist",
          bias: "off / on",
          seed: seeds,
        },
        hidden: hiddenWidths(configs[0]),
        summary: summaries.mnist,
        summary_fashion_mnist: summaries["fashion-mnist"],
        runs_loaded_from_disk: loaded,
        train_seconds_total: results.reduce((s, r) => s + r.seconds, 0),
        epoch_seconds_mean: mean(results.map((r) => r.epoch_seconds)),
      },
    },
  });
}

await runCli(main);
