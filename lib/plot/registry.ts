/**
 * The experiments behind the figures: one entry per figure id, run in this order by
 * `deno task reproduce` (scripts/reproduce.ts). Every script writes `figures/<id>.*` through
 * `writeFigure`, ending with `figures/<id>.meta.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { experiments } from "./registry.ts";
 * assert.ok(experiments.some(({ id }) => id === "A1"));
 * for (const { script } of experiments) assert.match(script, /^scripts\/experiments\/\w+\.ts$/);
 * for (const { docs } of experiments) assert.match(docs ?? "", /^docs\/[\w-]+\.md#[\w-]+$/);
 * ```
 * @module
 */

/** One reproducible figure. */
export interface ExperimentEntry {
  /** Figure id, e.g. "A1"; the script writes `figures/<id>.meta.json`. */
  id: string;
  /** Script path relative to the repository root. */
  script: string;
  /** One line: what the figure shows (the paper and its experiment in brackets). */
  description: string;
  /** The docs section of the figure's protocol and theory, e.g. "docs/experiments.md#a1". */
  docs?: string;
  /**
   * The script's work is a grid of runs (lib/nn/grid.ts `runGrid`): `reproduce --plan`, `deno task
   * cell` and `reproduce --submit slurm` hand out its cells (lib/cluster/cells.ts).
   */
  cells?: boolean;
}

/** All experiments, in run order. */
export const experiments: readonly ExperimentEntry[] = [
  {
    id: "A1",
    script: "scripts/experiments/a1_gd_dynamics.ts",
    description: "GD on the UFM: objective and NC metrics vs iteration against the closed form " +
      "(paper A, A-E1)",
    docs: "docs/experiments.md#a1",
  },
  {
    id: "A2",
    script: "scripts/experiments/a2_regularization.ts",
    description: "UFM minimizers across regularization strengths: solver vs closed form " +
      "(paper A §3)",
    docs: "docs/experiments.md#a2",
  },
  {
    id: "B1",
    script: "scripts/experiments/b1_loss_dynamics.ts",
    description: "CE, LS, FL and MSE on one UFM: NC1–NC4 and f − f* vs iteration " +
      "(paper B)",
    docs: "docs/experiments.md#b1",
  },
  {
    id: "B2",
    script: "scripts/experiments/b2_margins.ts",
    description: "Margin and norms of the collapsed solution vs weight decay per loss, with " +
      "zero-solution thresholds (paper B)",
    docs: "docs/experiments.md#b2",
  },
  {
    id: "B3",
    script: "scripts/experiments/b3_landscape.ts",
    description: "Landscape: fraction of random initializations reaching f* per loss, d > K and " +
      "d = K − 1 (paper B)",
    docs: "docs/experiments.md#b3",
  },
  {
    id: "A3",
    script: "scripts/experiments/a3_extended_linear.ts",
    description: "Extended linear UFM W2·W1·H1: f* vs κ with the threshold 2^(−4/3), restart " +
      "outcomes and norms vs the closed form (paper A §4)",
    docs: "docs/experiments.md#a3",
  },
  {
    id: "A4",
    script: "scripts/experiments/a4_extended_relu.ts",
    description: "ReLU extended UFM vs linear: layer-wise NC1, nonnegative OF of H̄2, cosines of " +
      "H̄1 vs iteration; restart outcomes (paper A §4)",
    docs: "docs/experiments.md#a4",
  },
  {
    id: "A5",
    script: "scripts/experiments/a5_deep_linear.ts",
    description: "Deep linear UFM: thresholds κ*_L for L = 2…6 factors and solver values at " +
      "L = 3, 4",
    docs: "docs/experiments.md#a5",
  },
  {
    id: "A6",
    script: "scripts/experiments/a6_mnist_depthwise.ts",
    cells: true,
    description: "MLP on real MNIST with MSE, extra FC+ReLU head, bias off/on: NC1 of H1 vs H2, " +
      "OF/ETF distance of H̄2 vs the extended ReLU UFM (paper A, A-E2/E3)",
    docs: "docs/experiments.md#a6",
  },
  {
    id: "B4",
    script: "scripts/experiments/b4_mnist_losses.ts",
    cells: true,
    description: "MLPs on real MNIST with CE/LS/FL/MSE across widths, epochs, seeds: NC dynamics " +
      "and |Acc_CE − Acc_X| heatmaps (paper B); --full for the whole grid",
    docs: "docs/experiments.md#b4",
  },
  {
    id: "B6",
    script: "scripts/experiments/b6_fashion_losses.ts",
    cells: true,
    description: "B4 on real Fashion-MNIST: CE/LS/FL/MSE MLPs across widths, epochs, seeds; gaps " +
      "to CE against seed noise (paper B); --full adds one CNN per loss",
    docs: "docs/experiments.md#b6",
  },
  {
    id: "B5",
    script: "scripts/experiments/b5_critical_points.ts",
    description: "Landscape: critical points of the UFM found by minimizing ½‖∇f‖² from random " +
      "starts, certified by the Hessian's smallest eigenvalue, per loss (docs/landscape.md#survey)",
    docs: "docs/experiments.md#b5",
  },
  {
    id: "C1",
    script: "scripts/experiments/c1_minority_collapse.ts",
    description: "Minority collapse on the UFM: per-class classifier norms (MSE closed form and " +
      "CE solver) and the minority classifiers' cosine vs the imbalance ratio " +
      "(docs/imbalanced.md#minority-collapse)",
    docs: "docs/experiments.md#c1",
  },
  {
    id: "C3",
    script: "scripts/experiments/c3_multilabel_pal.ts",
    description:
      "Multi-label pick-all-label UFM: the tag-wise-average scale c_2 and cosine vs λ, " +
      "NC dynamics of the multiplicity-1 features (docs/multilabel.md#pal-numerics)",
    docs: "docs/experiments.md#c3",
  },
  {
    id: "D1",
    script: "scripts/experiments/d1_sphere.ts",
    description: "Spherical UFM: f* vs temperature for CE/LS/FL against the closed forms, the " +
      "fraction of random starts reaching f*, NC dynamics on the sphere (docs/sphere.md)",
    docs: "docs/experiments.md#d1",
  },
  {
    id: "D2",
    script: "scripts/experiments/d2_softmax_codes.ts",
    description: "Softmax codes (GNC, K > d + 1): the codes for d = 2, 3 and their one-vs-rest " +
      "margins against the known optimal codes (docs/sphere.md#margins)",
    docs: "docs/experiments.md#d2",
  },
  {
    id: "C2",
    script: "scripts/experiments/c2_mnist_minority.ts",
    cells: true,
    description: "Minority collapse on a real MLP: step-imbalanced MNIST, minority classifiers' " +
      "cosine and majority/minority test accuracy vs the ratio R (Fang et al. 2021, " +
      "docs/imbalanced.md#minority-collapse)",
    docs: "docs/experiments.md#c2",
  },
  {
    id: "D3",
    script: "scripts/experiments/d3_mnist_normalized.ts",
    cells: true,
    description: "Normalized vs plain features, fixed ETF vs learned classifier on MNIST MLPs: " +
      "NC1 vs epoch, training loss against f*(K, τ) (Yaras et al. 2022, " +
      "docs/sphere.md#sphere-ce)",
    docs: "docs/experiments.md#d3",
  },
];
