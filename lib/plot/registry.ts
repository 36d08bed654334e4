/**
 * The experiments behind the figures: one entry per figure id, run in this order by
 * `deno task reproduce` (scripts/reproduce.ts). Every script writes `figures/<id>.*` through
 * `writeFigure`, ending with `figures/<id>.meta.json`.
 *
 * @example
 * ```ts
 * import { experiments } from "./registry.ts";
 * for (const { id, script } of experiments) console.log(id, script);
 * ```
 * @module
 */

/** One reproducible figure. */
export interface ExperimentEntry {
  /** Figure id, e.g. "A1"; the script writes `figures/<id>.meta.json`. */
  id: string;
  /** Script path relative to the repository root. */
  script: string;
  /** One line: what the figure shows (science.md section in brackets). */
  description: string;
}

/** All experiments, in run order. */
export const experiments: readonly ExperimentEntry[] = [
  {
    id: "A1",
    script: "scripts/experiments/a1_gd_dynamics.ts",
    description: "GD on the UFM: objective and NC metrics vs iteration against the closed form " +
      "(paper A, A-E1, science.md §5)",
  },
  {
    id: "A2",
    script: "scripts/experiments/a2_regularization.ts",
    description: "UFM minimizers across regularization strengths: solver vs closed form " +
      "(paper A, science.md §5)",
  },
  {
    id: "B1",
    script: "scripts/experiments/b1_loss_dynamics.ts",
    description: "CE, LS, FL and MSE on one UFM: NC1–NC4 and f − f* vs iteration " +
      "(paper B, science.md §3.6, §4.1)",
  },
  {
    id: "B2",
    script: "scripts/experiments/b2_margins.ts",
    description: "Margin and norms of the collapsed solution vs weight decay per loss, with " +
      "zero-solution thresholds (paper B, science.md §3.6)",
  },
  {
    id: "B3",
    script: "scripts/experiments/b3_landscape.ts",
    description: "Landscape: fraction of random initializations reaching f* per loss, d > K and " +
      "d = K − 1 (paper B, science.md §3.6)",
  },
];
