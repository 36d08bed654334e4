/**
 * Shared plumbing of the network figure scripts (A6, B4, B6): their flags (`--full`,
 * `--workers`), where their runs are saved, running a grid longest runs first with a lookup of
 * each config's result, and averaging evaluation histories over seeds.
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
import { RUNS_DIR_ENV } from "../cluster/cells.ts";
import { UsageError } from "../errors.ts";
import { defaultFiguresDir } from "../plot/write_figure.ts";
import { hiddenWidths, runKey, type TrainConfig, trainCounts } from "./config.ts";
import { progressLine, runGrid } from "./grid.ts";
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

/**
 * Directory of saved runs: `$UFMLAB_RUNS_DIR` (`--runs-dir` of reproduce and cell), else
 * `<figures dir>/runs` (not committed).
 */
export function defaultRunsDir(): string {
  try {
    const fromEnv = Deno.env.get(RUNS_DIR_ENV);
    if (fromEnv) return fromEnv;
  } catch {
    // No --allow-env: the figures directory's runs/.
  }
  return join(defaultFiguresDir(), "runs");
}

/** Directory where figure `id` saves its runs: `<runs dir>/<id>` ({@link defaultRunsDir}). */
export function runCacheDir(id: string): string {
  return join(defaultRunsDir(), id);
}

/**
 * Mean over runs of `pick(evaluation)` at each evaluated epoch (runs with the same schedule of
 * evaluations); null where any run has no value.
 */
export function meanHistory(
  runs: readonly Pick<TrainResult, "evals">[],
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

/**
 * Multiply-adds of one training sample's forward pass (28×28 inputs): conv blocks (3×3, pooled
 * 2×2) and dense layers. Proportional to a run's cost, to schedule long runs first.
 */
export function sampleMacs(config: TrainConfig, side = 28): number {
  let macs = 0, inChannels = 1;
  for (const channels of config.channels) {
    macs += side * side * channels * inChannels * 9;
    inChannels = channels;
    side = Math.floor(side / 2);
  }
  const dims = [inChannels * side * side, ...hiddenWidths(config), 10];
  for (let l = 0; l + 1 < dims.length; l++) macs += dims[l] * dims[l + 1];
  return macs;
}

/** A finished grid of a figure script. */
export interface ExperimentGrid {
  /** Results in the order of the configs given. */
  results: TrainResult[];
  /** The result of a config of the grid (by its run key); throws for one outside the grid. */
  get: (config: TrainConfig) => TrainResult;
  /** Runs read back from the figure's saved runs instead of trained now. */
  loaded: number;
}

/**
 * Runs `configs` for figure `id` (saved under {@link runCacheDir}(id), progress lines labelled
 * with the id), most expensive first so that the Workers finish together.
 */
export async function runExperimentGrid(
  id: string,
  configs: readonly TrainConfig[],
  workers: number | undefined,
): Promise<ExperimentGrid> {
  // Training images of every class (imbalanced runs have fewer than n per class).
  const images = (c: TrainConfig) => trainCounts(c).reduce((a, b) => a + b, 0);
  const cost = (c: TrainConfig) => c.epochs * images(c) * sampleMacs(c);
  const order = [...configs].sort((a, b) => cost(b) - cost(a));
  let loaded = 0;
  const sorted = await runGrid(order, {
    cacheDir: runCacheDir(id),
    label: id,
    workers,
    onProgress: (event) => {
      if (event.status === "saved") loaded++;
      console.error(progressLine(event, id));
    },
  });
  const byKey = new Map(sorted.map((result, i) => [runKey(order[i]), result]));
  const get = (config: TrainConfig): TrainResult => {
    const result = byKey.get(runKey(config));
    if (result === undefined) throw new Error(`${id}: no run with these settings in the grid`);
    return result;
  };
  return { results: configs.map(get), get, loaded };
}
