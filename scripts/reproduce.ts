/**
 * `npx deno task reproduce`: runs every experiment of the registry (lib/plot/registry.ts), each
 * in its own Deno subprocess, then prints a summary table (figure, max |solver − theory|,
 * seconds, status) read from the `figures/<id>.meta.json` each script writes, and saves it as
 * `figures/summary.json`. A failing script does not stop the others; the exit code is 1 if any
 * failed, and the failures are named.
 *
 * Flags: `--only A1,A2` runs a subset, `--list` prints the registry, `--full` is passed on to
 * every script (the network experiments A6, B4 and B6 then run their whole grid instead of the
 * reduced default one; scripts without a reduced grid ignore it), `--quick` likewise selects
 * their tiny smoke-test grids, `--runs-dir DIR` moves their saved runs (default
 * `figures/runs`), `--help`. `UFMLAB_FIGURES_DIR=/tmp/figs` redirects all figure output (passed
 * on to the scripts).
 *
 * Grids as cells (lib/cluster/): `--plan B4` prints one JSON line per cell of the grid (index,
 * key, done, saved file, settings, the `deno task cell` command that runs it) and trains nothing;
 * `--assemble` builds grid figures from saved cells only (a missing cell is an error naming it);
 * `--only B4 --submit slurm [--partition P] [--time T] [--cpus-per-task C] [--max-parallel M]
 * [--dry-run]` submits the unfinished cells as an sbatch array and the assembling job after it.
 *
 * @example
 * ```sh
 * npx deno task reproduce --only A1
 * npx deno task reproduce --plan B4 --full
 * npx deno task reproduce --only B4 --full --submit slurm --time 1:00:00 --max-parallel 32
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, parseNumberFlag, runCli, RunError, UsageError } from "../lib/cli.ts";
import { CELL_REQUEST_ENV, resolveRunsDir, RUNS_DIR_ENV } from "../lib/cluster/cells.ts";
import { gridEntry, planCells, type PlanLine, runFigureScript } from "../lib/cluster/plan.ts";
import {
  assembleScript,
  cellsScript,
  findExecutable,
  parsePartition,
  parseSlurmTime,
  slurmDir,
  type SlurmGrid,
  submissionText,
  submitGrid,
  submitters,
  unfinished,
} from "../lib/cluster/slurm.ts";
import { writeJsonAtomic } from "../lib/io/atomic.ts";
import { type ExperimentEntry, experiments } from "../lib/plot/registry.ts";
import { defaultFiguresDir } from "../lib/plot/write_figure.ts";

/** Repository root (the directory of deno.json). */
export const repoRoot: string = fileURLToPath(new URL("..", import.meta.url));

/** Outcome of one experiment script. */
export type RunStatus = "ok" | "failed" | "missing-script" | "no-meta";

/** One line of the summary. */
export interface RunResult {
  /** Figure id. */
  id: string;
  /** Script path as in the registry. */
  script: string;
  /** Registry description. */
  description: string;
  /** "ok" only if the script exited 0 and wrote a fresh `<id>.meta.json` for this id. */
  status: RunStatus;
  /** Subprocess exit code (null if it was not started). */
  exitCode: number | null;
  /** `maxTheoryError` from the meta file (null if absent or no meta). */
  maxTheoryError: number | null;
  /** `seconds` from the meta file (null if no meta). */
  seconds: number | null;
  /** Wall-clock seconds of the subprocess, start-up included. */
  wallSeconds: number;
  /** Why the run failed, in one line. */
  error?: string;
}

/** Where and how {@link runExperiment} runs a script. */
export interface RunOptions {
  /** Directory that relative script paths are resolved against, and the subprocess cwd. */
  repoRoot: string;
  /** Figures directory to read meta files from; exported to the script as UFMLAB_FIGURES_DIR. */
  figuresDir: string;
  /** Extra arguments for every script (`--full` is forwarded this way). */
  scriptArgs?: readonly string[];
  /** Extra environment variables for every script (`--runs-dir`, `--assemble`). */
  env?: Record<string, string>;
}

/**
 * Selects registry entries by a comma-separated id list (case-sensitive), keeping registry
 * order. Undefined `only` selects everything.
 *
 * @throws {UsageError} for an unknown id or a list without any id (`--only ""`).
 */
export function selectExperiments(
  registry: readonly ExperimentEntry[],
  only?: string,
): ExperimentEntry[] {
  if (only === undefined) return [...registry];
  const wanted = only.split(",").map((id) => id.trim()).filter((id) => id !== "");
  if (wanted.length === 0) {
    throw new UsageError(`--only: no figure id given (e.g. --only A1,B2; --list shows them)`);
  }
  const known = new Set(registry.map((entry) => entry.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only: unknown figure ${unknown.join(", ")} (known: ${[...known].join(", ")})`,
    );
  }
  return registry.filter((entry) => wanted.includes(entry.id));
}

async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Runs one experiment script as `deno run --allow-read --allow-write --allow-env <script>` with
 * stderr inherited and stdout forwarded to stderr (so this process's stdout holds only the
 * summary), then reads `<figuresDir>/<id>.meta.json`. The meta file must have changed during
 * the run: a stale file from an earlier run does not count as success.
 */
export async function runExperiment(
  entry: ExperimentEntry,
  options: RunOptions,
): Promise<RunResult> {
  const scriptPath = resolve(options.repoRoot, entry.script);
  const metaPath = resolve(options.figuresDir, `${entry.id}.meta.json`);
  const base = {
    id: entry.id,
    script: entry.script,
    description: entry.description,
    maxTheoryError: null,
    seconds: null,
  };
  try {
    await Deno.stat(scriptPath);
  } catch {
    return {
      ...base,
      status: "missing-script",
      exitCode: null,
      wallSeconds: 0,
      error: `script not found: ${entry.script}`,
    };
  }
  const metaBefore = await readTextOrNull(metaPath);
  const t0 = performance.now();
  const code = await runFigureScript(scriptPath, {
    repoRoot: options.repoRoot,
    scriptArgs: options.scriptArgs,
    env: { ...options.env, UFMLAB_FIGURES_DIR: options.figuresDir },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (code !== 0) {
    return {
      ...base,
      status: "failed",
      exitCode: code,
      wallSeconds,
      error: `${entry.script} exited with code ${code}`,
    };
  }
  const metaAfter = await readTextOrNull(metaPath);
  if (metaAfter === null || metaAfter === metaBefore) {
    return {
      ...base,
      status: "no-meta",
      exitCode: code,
      wallSeconds,
      error: `exited 0 but did not write ${metaPath}`,
    };
  }
  let meta: { id?: unknown; maxTheoryError?: unknown; seconds?: unknown };
  try {
    meta = JSON.parse(metaAfter);
  } catch (error) {
    return {
      ...base,
      status: "no-meta",
      exitCode: code,
      wallSeconds,
      error: `unreadable ${metaPath}: ${(error as Error).message}`,
    };
  }
  if (meta.id !== entry.id) {
    return {
      ...base,
      status: "no-meta",
      exitCode: code,
      wallSeconds,
      error: `${metaPath} has id ${JSON.stringify(meta.id)}, expected ${entry.id}`,
    };
  }
  return {
    ...base,
    status: "ok",
    exitCode: code,
    maxTheoryError: typeof meta.maxTheoryError === "number" ? meta.maxTheoryError : null,
    seconds: typeof meta.seconds === "number" ? meta.seconds : null,
    wallSeconds,
  };
}

/**
 * Runs `entries` one after another (never in parallel: the machine is shared), reporting
 * progress on stderr. Every entry runs even if an earlier one failed.
 */
export async function runAll(
  entries: readonly ExperimentEntry[],
  options: RunOptions,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const [index, entry] of entries.entries()) {
    console.error(`[${index + 1}/${entries.length}] ${entry.id}: ${entry.script}`);
    const result = await runExperiment(entry, options);
    if (result.status !== "ok") console.error(`${entry.id}: FAILED: ${result.error}`);
    results.push(result);
  }
  return results;
}

function statusText(result: RunResult): string {
  return result.status === "ok" ? "ok" : `FAILED (${result.error})`;
}

/**
 * The summary as an aligned text table: figure, max |solver − theory| (3 significant digits,
 * "-" when the figure has no closed form), seconds (from meta, else wall clock; "-" if the script
 * did not start), status.
 *
 * @example
 * ```ts
 * console.log(formatSummaryTable(results));
 * ```
 */
export function formatSummaryTable(results: readonly RunResult[]): string {
  const header = ["figure", "max |solver − theory|", "seconds", "status"];
  const rows = results.map((result) => [
    result.id,
    result.maxTheoryError === null ? "-" : result.maxTheoryError.toExponential(2),
    result.exitCode === null ? "-" : (result.seconds ?? result.wallSeconds).toFixed(2),
    statusText(result),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: string[]): string =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column]))
      .join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)]
    .join("\n");
}

const usage = "Usage: npx deno task reproduce [--only A1,A2] [--list] [--full | --quick] " +
  "[--runs-dir DIR] [--assemble]\n" +
  "       npx deno task reproduce --plan B4 [--full | --quick] [--runs-dir DIR]\n" +
  "       npx deno task reproduce --only B4 --submit slurm [--full | --quick] [--runs-dir DIR] " +
  "[--partition P] [--time T] [--cpus-per-task C] [--max-parallel M] [--dry-run]\n\n" +
  "Runs the experiment scripts and summarizes figures/<id>.meta.json; --plan lists a grid's " +
  "cells, --submit hands them to a scheduler (README: Run on a cluster).";

/** Flags that only mean something with `--submit`. */
const submitOnly = ["partition", "time", "cpus-per-task", "max-parallel", "dry-run"] as const;

/** Figure ids of a comma list (`--plan`, `--only`), each a grid of `registry`. */
function gridEntries(registry: readonly ExperimentEntry[], flag: string, list: string) {
  const ids = list.split(",").map((id) => id.trim()).filter((id) => id !== "");
  if (ids.length === 0) throw new UsageError(`--${flag}: no figure id given (e.g. --${flag} B4)`);
  return ids.map((id) => gridEntry(registry, id));
}

/** `--submit slurm`: plans every selected grid and submits (or prints) its two Slurm scripts. */
async function submitToSlurm(
  flags: Record<string, string | boolean>,
  entries: ExperimentEntry[],
  cellOptions: Parameters<typeof planCells>[1],
  figuresDir: string,
): Promise<void> {
  const settings = {
    partition: flags.partition === undefined
      ? undefined
      : parsePartition(flags.partition as string),
    time: flags.time === undefined ? undefined : parseSlurmTime(flags.time as string),
    cpusPerTask: flags["cpus-per-task"] === undefined ? 1 : parseNumberFlag(
      "cpus-per-task",
      flags["cpus-per-task"] as string,
      { integer: true, min: 1, max: 1024 },
    ),
    maxParallel: flags["max-parallel"] === undefined ? undefined : parseNumberFlag(
      "max-parallel",
      flags["max-parallel"] as string,
      { integer: true, min: 1 },
    ),
  };
  const program = findExecutable("sbatch");
  if (program === null && !flags["dry-run"]) {
    throw new UsageError(
      "--submit slurm: sbatch is not on PATH (run this on the cluster's login node, or add " +
        "--dry-run to print the scripts)",
    );
  }
  for (const entry of entries) {
    const cells: PlanLine[] = await planCells(entry, cellOptions);
    const grid: SlurmGrid = {
      figure: entry.id,
      cells,
      repoRoot: resolve(cellOptions.repoRoot),
      runsDir: cellOptions.runsDir,
      figuresDir: resolve(figuresDir),
      gridArgs: cellOptions.gridArgs,
      settings,
    };
    if (flags["dry-run"]) {
      const dir = slurmDir(grid);
      if (unfinished(grid).length > 0) {
        console.log(`# ---- ${join(dir, "cells.sbatch")} ----\n${cellsScript(grid)}`);
      }
      console.log(`# ---- ${join(dir, "assemble.sbatch")} ----\n${assembleScript(grid)}`);
      continue;
    }
    console.log(submissionText(await submitGrid(grid, program!)));
  }
}

/** Entry point (also used by the tests with a fake registry). */
export async function main(
  args: string[],
  registry: readonly ExperimentEntry[] = experiments,
  options: RunOptions = { repoRoot, figuresDir: defaultFiguresDir() },
): Promise<RunResult[]> {
  const flags = parseFlags(args, {
    only: { type: "string", help: "comma-separated figure ids to run (default: all)" },
    list: { type: "boolean", default: false, help: "list the experiments and exit" },
    full: {
      type: "boolean",
      default: false,
      help: "pass --full to every script (whole grids for A6/B4/B6 instead of the reduced ones)",
    },
    quick: {
      type: "boolean",
      default: false,
      help: "pass --quick to every script (tiny smoke-test grids; their figures mean nothing)",
    },
    "runs-dir": {
      type: "string",
      help: "directory of the grids' saved runs (default: figures/runs)",
    },
    plan: { type: "string", help: "print the cells of these grids (one JSON line each) and exit" },
    assemble: {
      type: "boolean",
      default: false,
      help: "build grid figures from saved cells only (a missing cell is an error)",
    },
    submit: { type: "string", help: "hand the --only grids' cells to a scheduler: slurm" },
    partition: { type: "string", help: "with --submit: Slurm partition" },
    time: { type: "string", help: "with --submit: time limit per cell (e.g. 2:00:00)" },
    "cpus-per-task": { type: "string", help: "with --submit: CPUs per cell (default: 1)" },
    "max-parallel": { type: "string", help: "with --submit: at most M cells at once (%M)" },
    "dry-run": {
      type: "boolean",
      default: false,
      help: "with --submit: print the sbatch scripts, submit nothing",
    },
  }, usage);
  if (flags === null) return [];
  if (flags.full && flags.quick) throw new UsageError("--full and --quick exclude each other");
  if (flags["runs-dir"] === "") throw new UsageError("--runs-dir: empty path");
  for (const name of submitOnly) {
    if (flags[name] !== undefined && flags[name] !== false && flags.submit === undefined) {
      throw new UsageError(`--${name}: only with --submit slurm`);
    }
  }
  const gridArgs = flags.full ? ["--full"] : flags.quick ? ["--quick"] : [];
  const runsDir = resolveRunsDir(flags["runs-dir"] as string | undefined, options.figuresDir);
  const cellOptions = {
    repoRoot: options.repoRoot,
    runsDir,
    gridArgs,
    commandArgs: flags["runs-dir"] === undefined ? [] : ["--runs-dir", runsDir],
  };
  if (flags.plan !== undefined) {
    for (const other of ["only", "list", "assemble", "submit"]) {
      if (flags[other] !== undefined && flags[other] !== false) {
        throw new UsageError(`--plan: cannot be combined with --${other}`);
      }
    }
    for (const entry of gridEntries(registry, "plan", flags.plan as string)) {
      for (const line of await planCells(entry, cellOptions)) console.log(JSON.stringify(line));
    }
    return [];
  }
  if (flags.submit !== undefined) {
    if (!(submitters as readonly string[]).includes(flags.submit as string)) {
      throw new UsageError(
        `--submit: expected one of ${submitters.join("|")}, got '${flags.submit}'`,
      );
    }
    if (flags.only === undefined) {
      throw new UsageError("--submit: name the grids with --only (e.g. --only B4)");
    }
    if (flags.list || flags.assemble) {
      throw new UsageError(
        `--submit: cannot be combined with --${flags.list ? "list" : "assemble"}`,
      );
    }
    const entries = gridEntries(registry, "only", flags.only as string);
    await submitToSlurm(flags, entries, cellOptions, options.figuresDir);
    return [];
  }
  const selected = selectExperiments(registry, flags.only as string | undefined);
  if (flags.list) {
    for (const entry of selected) {
      console.log(`${entry.id.padEnd(6)} ${entry.script}\n       ${entry.description}`);
    }
    return [];
  }
  const results = await runAll(selected, {
    ...options,
    scriptArgs: [...(options.scriptArgs ?? []), ...gridArgs],
    env: {
      ...options.env,
      ...(flags["runs-dir"] === undefined ? {} : { [RUNS_DIR_ENV]: runsDir }),
      ...(flags.assemble ? { [CELL_REQUEST_ENV]: JSON.stringify({ mode: "assemble" }) } : {}),
    },
  });
  await writeJsonAtomic(resolve(options.figuresDir, "summary.json"), {
    generatedAt: new Date().toISOString(),
    only: flags.only ?? null,
    full: flags.full === true,
    results,
  });
  console.log(formatSummaryTable(results));
  const failed = results.filter((result) => result.status !== "ok");
  if (failed.length > 0) {
    throw new RunError(
      `${failed.length} of ${results.length} experiments failed: ` +
        failed.map((result) => `${result.id} (${result.error})`).join("; "),
    );
  }
  return results;
}

if (import.meta.main) await runCli(async () => void await main(Deno.args));
