/**
 * Figure D3 — normalized features collapse faster (Yaras et al., NeurIPS 2022; issue 11,
 * docs/sphere.md#sphere-code): MLPs 784 → 256 → 256 → 10, CE, real MNIST (n = 100 per class: few
 * samples, as the paper's 30), with plain or normalized penultimate features (τ·h/‖h‖, τ = 5,
 * unit classifier rows without weight decay) and a learned or a fixed simplex-ETF classifier.
 * Panels: a) NC1 vs epoch (geometric mean over seeds, seeds faint); b) training loss with the
 * normalized networks' lower bound f*(K, τ) (dashed); c) test accuracy. The text is
 * lib/nn/collapse_speed.ts's comparison of each variant with the plain network.
 *
 * Protocol: SGD lr 0.05, momentum 0.9, weight decay 5e-4 on everything but a normalized or fixed
 * classifier, batch 100, lr ×0.1 at ⌊3E/7⌋, ⌊5E/7⌋, E = 60 epochs, evaluated every 2, 3 seeds;
 * `--full`: E = 150, 5 seeds. Runs are saved under figures/runs/D3 and reused.
 *
 *   npx deno task reproduce --only D3 [--full]
 * @module
 */
import { runCli } from "../../lib/cli.ts";
import * as speed from "../../lib/nn/collapse_speed.ts";
import {
  meanHistory,
  paperBMilestones,
  parseExperimentArgs,
  runExperimentGrid,
  type TrainResult,
  validateTrainConfig,
} from "../../lib/nn/mod.ts";
import * as plot from "../../lib/plot/mod.ts";

const usage =
  "Usage: deno run -A scripts/experiments/d3_mnist_normalized.ts [--full] [--workers N]";
const tau = 5;
const variant = plot.category("variant", {
  plain_learned: "plain features, learned classifier",
  normalized_learned: `normalized features (τ = ${tau}), learned classifier`,
  plain_etf: "plain features, fixed ETF classifier",
  normalized_etf: `normalized features (τ = ${tau}), fixed ETF classifier`,
});
type VariantKey = typeof variant.keys[number];

async function main(): Promise<void> {
  const args = parseExperimentArgs(Deno.args, usage);
  if (args === null) return;
  const started = performance.now();
  const epochs = args.full ? 150 : args.quick ? 6 : 60;
  const seeds = args.full ? [1, 2, 3, 4, 5] : args.quick ? [1, 2] : [1, 2, 3];
  const [n, testPerClass, width] = args.quick ? [20, 20, 32] : [100, 300, 256];
  const configFor = (key: VariantKey, seed: number) =>
    validateTrainConfig({
      loss: "ce",
      ...{ width, depth: 2, n, testPerClass, epochs, batch: 100, lr: 0.05, momentum: 0.9 },
      ...{ wd: 5e-4, seed, evalEvery: args.quick ? 1 : 2, milestones: paperBMilestones(epochs) },
      ...(key.startsWith("normalized") ? { normalizeFeatures: true, tau } : {}),
      etfClassifier: key.endsWith("etf"),
    });
  const configs = variant.keys.flatMap((key) => seeds.map((seed) => configFor(key, seed)));
  const grid = await runExperimentGrid("D3", configs, args.workers);
  const runsOf = (key: VariantKey): TrainResult[] => seeds.map((s) => grid.get(configFor(key, s)));

  const rows: plot.FigureRow[] = [];
  const histories: speed.VariantHistory[] = variant.keys.map((key) => {
    const runs = runsOf(key);
    const history = speed.variantHistory(key, variant.label(key), runs);
    rows.push(...speed.historyRows(history, variant.cell(key), seeds));
    for (const [kind, pick] of [["loss", "train_loss"], ["test_acc", "test_acc"]] as const) {
      for (const { epoch, value } of meanHistory(runs, (e) => e[pick])) {
        rows.push({ kind, ...variant.cell(key), epoch, seed: null, value });
      }
    }
    return history;
  });
  const bound = runsOf("normalized_learned")[0].train_loss_bound!;
  for (const epoch of [0, epochs]) rows.push({ kind: "bound", epoch, seed: null, value: bound });

  const finding = speed.collapseSpeedFinding(histories, "plain_learned");
  const byKey = (key: VariantKey) => histories.find((h) => h.key === key)!;
  const etfCheck = speed.compareWithReference(byKey("normalized_etf"), byKey("plain_etf"));
  const claim = speed.claimText(
    "Normalized features collapse faster than plain ones (Yaras et al.)",
    [
      { setting: "with a learned classifier", comparison: finding.comparisons[0] },
      { setting: "with the fixed ETF classifier", comparison: etfCheck },
    ],
  );
  const finals = variant.keys.map((key) => ({
    label: variant.label(key),
    normalized: key.startsWith("normalized"),
    finalLosses: runsOf(key).map((run) => run.evals.at(-1)!.train_loss ?? NaN),
  }));
  const lossText = speed.lossBoundText(finals, bound, 10, tau);

  const common = { x: "epoch", y: "value", color: variant, colorTitle: null, width: 300 };
  const kind = (name: string) => `datum.kind === '${name}'`;
  const nc1Axis = { ...common, logY: true, yTitle: "NC1 = Tr(Σ_W Σ_B⁺)/K" };
  const ncPanel = plot.layer([
    plot.lineChart({ ...nc1Axis, filter: kind("nc1_seed"), detail: "seed", strokeWidth: 0.6 }),
    plot.lineChart({ ...nc1Axis, filter: kind("nc1"), strokeWidth: 2.2 }),
  ], { title: "a · NC1 of the penultimate features", width: 300, shared: ["color"] });
  const boundLine = { x: "epoch", y: "value", filter: kind("bound"), strokeDashLegend: null };
  const dashed = { domain: ["bound"], range: [[5, 4]] }; // the bound, dashed, without a legend
  const lossPanel = plot.layer([
    plot.lineChart({ ...common, filter: kind("loss"), logY: true, yTitle: "training loss" }),
    plot.lineChart({
      ...boundLine,
      strokeDash: "kind",
      strokeDashScale: dashed,
      lineColor: "#555",
      logY: true,
    }),
  ], { title: `b · training loss; dashed: f*(K, τ = ${tau})`, width: 300, shared: ["color"] });
  const accuracyPanel = plot.lineChart({
    ...{ ...common, filter: kind("test_acc"), title: "c · test accuracy", yTitle: "test accuracy" },
    ...{ zeroY: false, colorLegend: { orient: "bottom", direction: "vertical" } },
  });
  const title = "D3 · Normalized features collapse faster: MNIST MLPs, NC1 vs epoch";
  await plot.writeFigure({
    id: "D3",
    title,
    spec: plot.hconcat([ncPanel, lossPanel, accuracyPanel], {
      title,
      subtitle: `MLP 784→${width}→${width}→10, CE, real MNIST n = ${n}/class (${testPerClass}` +
        `/class held out); SGD lr 0.05 μ 0.9 wd 5e-4 (none on a normalized classifier; a ` +
        `fixed one is never trained), ${epochs} epochs, ${seeds.length} seeds (faint: each seed)`,
      shared: ["color"],
    }),
    rows,
    meta: {
      paper: "D",
      claim: "Yaras et al. (NeurIPS 2022): with normalized features and classifier rows (the " +
        "spherical UFM) neural collapse sets in faster than with plain, weight-decayed " +
        "features; a fixed simplex-ETF classifier (Zhu et al. 2021) loses nothing.",
      measured: `${claim} ${finding.text} ${lossText}`,
      command: `npx deno task reproduce --only D3${args.full ? " --full" : ""}`,
      maxTheoryError: null,
      seconds: (performance.now() - started) / 1000,
      parameters: {
        grid: args.full ? "full" : args.quick ? "quick (smoke test)" : "reduced",
        protocol: { ...configFor("normalized_learned", seeds[0]), seed: seeds },
        train_loss_bound: bound,
        comparisons: finding.comparisons,
        runs_loaded_from_disk: grid.loaded,
        train_seconds_total: grid.results.reduce((s, r) => s + r.seconds, 0),
      },
    },
  });
}

await runCli(main);
