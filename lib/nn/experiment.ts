/**
 * Shared plumbing of the network figure scripts (A6, B4): their flags (`--full`, `--workers`),
 * where their runs are saved, and averaging evaluation histories over seeds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperimentArgs, runCacheDir } from "./experiment.ts";
 * const args = parseExperimentArgs(["--full"], "usage");
 * assert.equal(args?.full, true);
 * assert.match(runCacheDir("B4"), /runs\/B4$/);
 * ```
 * @module
 */
import { join } from "node:path";
import { parseFlags, parseNumberFlag } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { defaultFiguresDir } from "../plot/write_figure.ts";
import type { EvalRecord, TrainResult } from "./train.ts";

/** Flags of a network figure script. */
export interface ExperimentArgs {
  /** Run the whole grid instead of the reduced default. */
  full: boolean;
  /** A tiny grid that runs in seconds, to check the pipeline (its figure means nothing). */
  quick: boolean;
  /** Worker count (default: one per hardware thread). */
  workers: number | undefined;
}

/** Parses `--full`, `--quick` and `--workers N`; null after `--help`. */
export function parseExperimentArgs(args: string[], usage: string): ExperimentArgs | null {
  const values = parseFlags(args, {
    full: { type: "boolean", default: false, help: "run the whole grid (default: reduced)" },
    quick: { type: "boolean", default: false, help: "tiny smoke-test grid (seconds)" },
    workers: { type: "string", help: "parallel runs (default: one per hardware thread)" },
  }, usage);
  if (values === null) return null;
  if (values.full && values.quick) throw new UsageError("--full and --quick exclude each other");
  return {
    full: values.full === true,
    quick: values.quick === true,
    workers: values.workers === undefined
      ? undefined
      : parseNumberFlag("workers", values.workers as string, { integer: true, min: 1 }),
  };
}

/** Directory where figure `id` saves its runs: `<figures dir>/runs/<id>` (not committed). */
export function runCacheDir(id: string): string {
  return join(defaultFiguresDir(), "runs", id);
}

/**
 * Mean over runs of `pick(evaluation)` at each evaluated epoch (runs with the same schedule of
 * evaluations); null where any run has no value.
 */
export function meanHistory(
  runs: readonly TrainResult[],
  pick: (record: EvalRecord) => number | null,
): { epoch: number; value: number | null }[] {
  if (runs.length === 0) return [];
  return runs[0].evals.map((record, i) => {
    const values = runs.map((run) => {
      const other = run.evals[i];
      if (other?.epoch !== record.epoch) throw new Error("meanHistory: evaluation epochs differ");
      return pick(other);
    });
    const value = values.some((v) => v === null)
      ? null
      : (values as number[]).reduce((a, b) => a + b, 0) / values.length;
    return { epoch: record.epoch, value };
  });
}

/** Arithmetic mean (NaN for an empty list). */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
