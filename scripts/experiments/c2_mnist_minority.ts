/**
 * Figure C2 — minority collapse on a real network (Fang et al., PNAS 2021; issue 10,
 * docs/imbalanced.md#minority-collapse): MLPs 784 → 128 → 128 → 10 trained with CE on
 * step-imbalanced real MNIST — the first 5 digits get n = 500 training images, the last 5
 * (the minority) n/R — for R ∈ {1, 5, 10, 25, 50, 100}, at the usual weight decay 5e-4 and at
 * 2e-2. Panels: a) the mean pairwise cosine of the minority classes' classifier rows vs R (→ 1:
 * the minority classifiers merge, Fang et al.'s minority collapse); b) the mean test accuracy of
 * the majority and of the minority classes vs R (300 test images per class, the same for every
 * R). Seeds as points, their mean as lines; the text is lib/nn/minority.ts's reading of the data.
 *
 * Protocol: SGD lr 0.05, momentum 0.9, batch 100, lr ×0.1 at ⌊3E/7⌋, ⌊5E/7⌋, classifier bias on,
 * E = 80 epochs, 3 seeds (reduced, a few minutes on 2 cores); `--full`: E = 200, 5 seeds and
 * weight decays 5e-4, 1e-2, 2e-2, 3e-2. Runs are saved under figures/runs/C2 and reused.
 *
 *   npx deno task reproduce --only C2 [--full]
 * @module
 */
import { runCli } from "../../lib/cli.ts";
import {
  meanVector,
  minorityCollapseFinding,
  minorityRun,
  summarizeByRatio,
} from "../../lib/nn/minority.ts";
import {
  paperBMilestones,
  parseExperimentArgs,
  runExperimentGrid,
  validateTrainConfig,
} from "../../lib/nn/mod.ts";
import * as plot from "../../lib/plot/mod.ts";

const usage = "Usage: deno run -A scripts/experiments/c2_mnist_minority.ts [--full] [--workers N]";
const K = 10, minorityClasses = 5, minority = [5, 6, 7, 8, 9];

async function main(): Promise<void> {
  const args = parseExperimentArgs(Deno.args, usage);
  if (args === null) return;
  const started = performance.now();
  const ratios = args.quick ? [1, 10] : [1, 5, 10, 25, 50, 100];
  const decays = args.full ? [5e-4, 1e-2, 2e-2, 3e-2] : args.quick ? [5e-4] : [5e-4, 2e-2];
  const seeds = args.full ? [1, 2, 3, 4, 5] : args.quick ? [1, 2] : [1, 2, 3];
  const epochs = args.full ? 200 : args.quick ? 4 : 80;
  const [n, testPerClass, width] = args.quick ? [40, 20, 32] : [500, 300, 128];
  const configFor = (wd: number, imbalanceRatio: number, seed: number) =>
    validateTrainConfig({
      loss: "ce",
      ...{ width, depth: 2, n, testPerClass, imbalanceRatio, minorityClasses },
      ...{ epochs, batch: 100, lr: 0.05, momentum: 0.9, wd, seed, evalEvery: epochs / 4 },
      milestones: paperBMilestones(epochs),
    });
  const configs = decays.flatMap((wd) =>
    ratios.flatMap((ratio) => seeds.map((seed) => configFor(wd, ratio, seed)))
  );
  const grid = await runExperimentGrid("C2", configs, args.workers);

  const decayLabels = decays.map((wd) => [wd.toExponential(0), `λ = ${wd}`]);
  const decay = plot.category("weight_decay", Object.fromEntries(decayLabels));
  const keyOf = (wd: number) => decay.keys[decays.indexOf(wd)];
  const group = plot.category("group", { majority: "majority (digits 0–4)", minority: "minority" });
  const rows: plot.FigureRow[] = [];
  const findings: string[] = [];
  const summaries: Record<string, unknown> = {};
  for (const wd of decays) {
    const finals = ratios.map((ratio) =>
      seeds.map((seed) => grid.get(configFor(wd, ratio, seed)).evals.at(-1)!)
    );
    const runs = finals.flatMap((records, r) =>
      records.map((record, s) => minorityRun(ratios[r], seeds[s], record, minority))
    );
    const base = decay.cell(keyOf(wd));
    for (const run of runs) {
      const cell = { ...base, ratio: run.ratio, seed: run.seed, statistic: "seed" };
      rows.push({ ...cell, kind: "cosine", ...group.cell("minority"), value: run.minorityCosine });
      for (const key of group.keys) {
        const value = key === "majority" ? run.majorityAcc : run.minorityAcc;
        rows.push({ ...cell, kind: "accuracy", ...group.cell(key), value });
      }
    }
    const byRatio = summarizeByRatio(runs);
    for (const s of byRatio) {
      const cell = { ...base, ratio: s.ratio, statistic: "mean" };
      const cosine = Number.isFinite(s.cosineMean) ? s.cosineMean : null; // all seeds undefined
      rows.push({ ...cell, kind: "cosine", ...group.cell("minority"), value: cosine });
      rows.push({ ...cell, kind: "accuracy", ...group.cell("majority"), value: s.majorityAcc });
      rows.push({ ...cell, kind: "accuracy", ...group.cell("minority"), value: s.minorityAcc });
    }
    const finding = minorityCollapseFinding(byRatio, K);
    findings.push(`Weight decay ${wd}: ${finding.text}`);
    const perClass = finals.map((records) => meanVector(records.map((e) => e.test_acc_per_class!)));
    summaries[`wd ${wd}`] = { by_ratio: byRatio, verdict: finding.cosine, per_class: perClass };
  }
  for (const ratio of [ratios[0], ratios.at(-1)!]) {
    rows.push({ kind: "reference", ratio, statistic: "etf", value: -1 / (K - 1) });
  }

  const axes = { xType: "ordinal" as const, xSort: ratios, xTitle: "imbalance ratio R" };
  const common = { x: "ratio", y: "value", ...axes, xLabelAngle: 0, width: 330 };
  const series = { ...common, color: decay, colorTitle: "weight decay" };
  const meanOf = (kind: string) => `datum.kind === '${kind}' && datum.statistic === 'mean'`;
  const seedOf = (kind: string) => `datum.kind === '${kind}' && datum.statistic === 'seed'`;
  const cosineTitle = "a · mean pairwise cosine of the minority classifiers";
  const cosinePanel = plot.layer([
    plot.lineChart({ ...common, filter: "datum.kind === 'reference'", lineColor: "#999" }),
    plot.lineChart({ ...series, filter: meanOf("cosine"), yTitle: "cos(w_k, w_l), minority" }),
    plot.scatterChart({ ...series, filter: seedOf("cosine"), hollow: true, opacity: 0.6 }),
  ], { title: cosineTitle, width: 330, shared: ["color"] });
  const accuracyPanel = plot.layer([
    plot.lineChart({
      ...{ ...series, filter: meanOf("accuracy"), strokeDash: group, yTitle: "test accuracy" },
      strokeDashLegend: { symbolType: "stroke", symbolStrokeWidth: 2 },
    }),
    plot.scatterChart({ ...series, filter: seedOf("accuracy"), hollow: true, opacity: 0.5 }),
  ], { title: "b · test accuracy, mean over the group's classes", width: 330, shared: ["color"] });
  const title = "C2 · Minority collapse on MNIST: step-imbalanced MLPs vs the imbalance ratio";
  await plot.writeFigure({
    id: "C2",
    title,
    spec: plot.hconcat([cosinePanel, accuracyPanel], {
      title,
      subtitle: `MLP 784→${width}→${width}→10, CE, digits 0–4: n = ${n}, digits 5–9: n/R; ` +
        `${testPerClass} test images per class; SGD lr 0.05 μ 0.9, ${epochs} epochs; ` +
        `${seeds.length} seeds (points), mean (lines); grey: −1/(K−1), the balanced ETF`,
      shared: ["color"],
    }),
    rows,
    meta: {
      paper: "C",
      claim: "Fang et al. (PNAS 2021): trained on step-imbalanced data, the minority classes' " +
        "classifiers collapse towards each other as the imbalance ratio R grows (their " +
        "pairwise cosine → 1, minority collapse), and the minority classes' test accuracy " +
        "falls; how soon depends on the regularization.",
      measured: findings.join(" "),
      command: `npx deno task reproduce --only C2${args.full ? " --full" : ""}`,
      maxTheoryError: null,
      seconds: (performance.now() - started) / 1000,
      parameters: {
        grid: args.full ? "full" : args.quick ? "quick (smoke test)" : "reduced",
        protocol: { ...configs[0], imbalanceRatio: ratios, wd: decays, seed: seeds },
        summaries,
        runs_loaded_from_disk: grid.loaded,
        train_seconds_total: grid.results.reduce((s, r) => s + r.seconds, 0),
      },
    },
  });
}

await runCli(main);
