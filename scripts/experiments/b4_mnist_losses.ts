/**
 * Figure B4 — paper B on a real network (docs/experiments.md#b4): MLPs on real
 * MNIST digits trained with CE, label smoothing (α = 0.05), focal loss (β = 3) and MSE (targets
 * 15·one-hot, PyTorch `F.mse_loss` mean as in nc_loss) across widths {64, 128, 256, 512} and
 * epoch budgets, 3 seeds each:
 *
 *   a) NC dynamics at width 512 and the longest budget (mean over seeds): NC1, NC2 (centered W vs
 *      simplex ETF), NC3 (centered W vs centered class means), "NC4" ‖Wμ_G + b‖, train and test
 *      accuracy vs epoch, one colour per loss (nc_loss plot.py layout);
 *   b) test accuracy vs epoch budget per width;
 *   c) heatmaps of |Acc_CE − Acc_X| (test, mean over seeds, percentage points) over width ×
 *      epochs for X = MSE, FL, LS (nc_loss plot_heatmap.py).
 *
 * Network 784 → w → w → 10 (ReLU, biases, BatchNorm before each hidden ReLU), n = 200 digits per
 * class, 500 per class held out; SGD lr 0.1, momentum 0.9, batch 100, clip_grad_norm 2, lr ×0.1
 * after epochs ⌊3E/7⌋ and ⌊5E/7⌋ (PyTorch's documented ordering, not nc_loss's shifted one,
 * docs/reference-code-pitfalls.md#nc-loss-scheduler) — nc_loss's settings
 * (docs/experiments.md#paper-b) — and weight decay 5e-3 on all parameters.
 *
 * Why BatchNorm and 10× nc_loss's weight decay: lib/experiments/paper_b_losses.ts
 * (`lossGridProtocol`). Panel d reruns the plain scaled-down protocol of
 * docs/experiments.md#paper-b-cpu (seed 1, widest network, longest budget) beside B4's, so the
 * difference is measured in every build.
 *
 * Default (reduced) grid: E ∈ {25, 50, 100}; `--full`: E ∈ {50, 100, 200, 400}. Runs are saved
 * under figures/runs/B4 and reused; an interrupted grid resumes.
 *
 *   npx deno task reproduce --only B4 [--full]
 * @module
 */
import { runCli } from "../../lib/cli.ts";
import * as paperB from "../../lib/experiments/paper_b_losses.ts";
import { gapsToReference } from "../../lib/nn/findings.ts";
import * as grid from "../../lib/nn/loss_grid_figure.ts";
import { lossGridFinding, readLossGrid } from "../../lib/nn/loss_grid_findings.ts";
import {
  mean,
  paperBMilestones,
  parseExperimentArgs,
  runExperimentGrid,
} from "../../lib/nn/mod.ts";
import * as ablation from "../../lib/nn/protocol_ablation.ts";
import * as plot from "../../lib/plot/mod.ts";

const usage = "Usage: deno run -A scripts/experiments/b4_mnist_losses.ts [--full] [--workers N]";

async function main(): Promise<void> {
  const args = parseExperimentArgs(Deno.args, usage);
  if (args === null) return;
  const started = performance.now();
  const widths = args.quick ? [16, 32] : [64, 128, 256, 512];
  const budgets = args.full ? [50, 100, 200, 400] : args.quick ? [10, 20] : [25, 50, 100];
  const seeds = args.quick ? [1, 2] : [1, 2, 3];
  const [n, testPerClass] = args.quick ? [20, 20] : [200, 500];
  const [widest, longest, ablationSeed] = [widths.at(-1)!, budgets.at(-1)!, seeds[0]];
  const data = { n, testPerClass, dataSeed: 0 };
  const configFor = (loss: string, width: number, epochs: number, seed: number) =>
    paperB.lossGridConfig({ loss, width, epochs, seed, longest }, data);
  // Panel d: the widest, longest run of the ablation seed, under either protocol.
  const ablationConfig = (loss: string, protocol: ablation.Protocol) =>
    paperB.lossGridConfig({ loss, width: widest, epochs: longest, seed: ablationSeed, longest }, {
      ...data,
      ...ablation.protocolSettings[protocol],
    });
  const losses = paperB.paperBLosses;
  const configs = losses.flatMap(({ loss }) =>
    widths.flatMap((w) => budgets.flatMap((e) => seeds.map((s) => configFor(loss, w, e, s))))
  );
  const plainConfigs = losses.map((l) => ablationConfig(l.loss, "plain"));
  const run = await runExperimentGrid("B4", [...configs, ...plainConfigs], args.workers);
  const lossGrid: grid.LossGrid = {
    ...{ losses, widths, budgets, seeds },
    runsOf: (loss, w, e) => seeds.map((s) => run.get(configFor(loss, w, e, s))),
  };

  const blank = { panel: null, loss: null, epoch: null, value: null, accuracy: null, width: null };
  const blankRow = { ...blank, epochs: null, gap: null, loss_x: null, protocol: null };
  const reading = readLossGrid(lossGrid);
  const protocols = ablation.compareProtocols(
    losses,
    (loss, protocol) => run.get(ablationConfig(loss, protocol)),
    blankRow,
  );
  const gapsByLoss = gapsToReference(grid.gridCells(lossGrid), "ce");
  const { rows } = grid.lossGridRows(lossGrid, gapsByLoss, blankRow, protocols.rows);
  const finding = lossGridFinding(reading, {
    ...{ trainPerClass: n, classes: 10, firstDecay: paperBMilestones(longest)[0] },
    ...{ ablationSeed, ablationText: protocols.text },
  });

  const heatOrder = (["mse", "fl", "ls"] as const).map((key) => paperB.loss.label(key));
  const charts = grid.lossGridCharts(lossGrid, paperB.lossSeries, paperB.lossColor(), heatOrder);
  const title = "B4 · Paper B on MNIST: NC dynamics and test accuracy of four losses";
  const ablationRun = { width: widest, epochs: longest, seed: ablationSeed };
  const protocolChart = ablation.protocolChart(ablationRun, losses, paperB.lossSeries);
  const gridRuns = configs.map(run.get);
  await plot.writeFigure({
    id: "B4",
    title,
    spec: plot.vconcat(
      [charts.nc, charts.accuracy, charts.budget, charts.heat, protocolChart],
      {
        title,
        subtitle: `MLP 784→w→w→10 with BatchNorm, n = ${n}/class, SGD lr 0.1 μ 0.9 wd 5e-3 ` +
          `batch 100 clip 2, lr ×0.1 at 3E/7, 5E/7; MSE targets 15 (mean over classes); ` +
          `${seeds.length} seeds`,
        shared: ["shape", "size", "opacity"], // colors and dashes differ from panel to panel
      },
    ),
    rows,
    meta: {
      paper: "B",
      claim: "Networks trained with CE, LS, FL or MSE all reach neural collapse in the terminal " +
        "phase (NC1, NC2, NC3 → 0), and once networks are wide and trained long enough their test " +
        "accuracies are nearly equal: |Acc_CE − Acc_X| shrinks with width and epochs.",
      measured: finding.text,
      command: `npx deno task reproduce --only B4${args.full ? " --full" : ""}`,
      maxTheoryError: null,
      seconds: (performance.now() - started) / 1000,
      parameters: {
        grid: args.full ? "full" : args.quick ? "quick (smoke test)" : "reduced",
        ...{ widths, budgets, seeds, runs: gridRuns.length },
        protocol: {
          ...configFor("ce", widest, longest, 1),
          ...{ loss: "ce|ls|fl|mse", width: widths, epochs: budgets, seed: seeds },
        },
        dynamics: reading.dynamics,
        ablation: {
          ...{ seed: ablationSeed, width: widest, epochs: longest },
          protocols: ablation.protocolLabels,
          plain_protocol: plainConfigs[0],
          by_loss: protocols.byLoss,
        },
        test_accuracy: reading.testAccuracy,
        gaps_pp: reading.gaps,
        seed_std_pp_mean: reading.noise,
        runs_loaded_from_disk: run.loaded,
        train_seconds_total: gridRuns.reduce((s, r) => s + r.seconds, 0),
        epoch_seconds_by_width: Object.fromEntries(widths.map((w) => [
          w,
          mean(gridRuns.filter((r) => r.config.width === w).map((r) => r.epoch_seconds)),
        ])),
      },
    },
  });
}

await runCli(main);
