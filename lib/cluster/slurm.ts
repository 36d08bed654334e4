/**
 * Slurm: a figure's unfinished cells (lib/cluster/cells.ts) as one sbatch array job whose task id
 * is the cell's index, and a second job that assembles the figure from the saved cells once every
 * task has succeeded (`--dependency=afterok:<array job>`, `--kill-on-invalid-dep=yes`).
 *
 * Both scripts are written to `<runs dir>/<figure>/slurm/` (`cells.sbatch`, `assemble.sbatch`),
 * with one log per task in `logs/` (`cell-<index>.<job>.log`, `assemble.<job>.log`) and the job
 * ids in `submitted.json`. The array script holds the key of every cell of the grid, so any cell
 * can be resubmitted alone: `sbatch --array=<index> cells.sbatch` (a cell already done is
 * skipped), then `sbatch assemble.sbatch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellsScript, parseSlurmTime } from "./slurm.ts";
 * assert.equal(parseSlurmTime("1-12:00:00"), "1-12:00:00");
 * const script = cellsScript({
 *   figure: "B4",
 *   cells: [{ index: 0, key: "0123456789abcdef", done: false }],
 *   repoRoot: "/home/me/ufmlab",
 *   runsDir: "/scratch/runs",
 *   figuresDir: "/home/me/ufmlab/figures",
 *   gridArgs: ["--full"],
 *   settings: { cpusPerTask: 1, maxParallel: 8 },
 * });
 * assert.match(script, /^#SBATCH --array=0%8$/m);
 * ```
 * @module
 */
import { join } from "node:path";
import { RunError, UsageError } from "../errors.ts";
import { writeJsonAtomic, writeTextFileAtomic } from "../io/atomic.ts";
import { indexRanges } from "./cells.ts";
import { shellQuote } from "./plan.ts";

/** Schedulers `reproduce --submit` knows. */
export const submitters = ["slurm"] as const;

/** Resources of every task. */
export interface SlurmSettings {
  /** `--partition` (default: the cluster's). */
  partition?: string;
  /** `--time` limit per task (default: the partition's). */
  time?: string;
  /** `--cpus-per-task` (a cell trains on one thread: 1 is enough). */
  cpusPerTask: number;
  /** At most this many tasks at once (`--array=…%M`; default: no limit). */
  maxParallel?: number;
}

/** One figure's grid to submit. */
export interface SlurmGrid {
  /** Figure id. */
  figure: string;
  /** Every cell of the grid (index, key, whether it is done). */
  cells: readonly { index: number; key: string; done: boolean }[];
  /** Absolute repository root (the jobs run there: a shared filesystem on a cluster). */
  repoRoot: string;
  /** Absolute directory of saved runs. */
  runsDir: string;
  /** Absolute figures directory the assembling job writes to. */
  figuresDir: string;
  /** `--full`, `--quick` or nothing. */
  gridArgs: readonly string[];
  /** Task resources. */
  settings: SlurmSettings;
}

/**
 * Checks a Slurm time limit: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, `UNLIMITED`.
 *
 * @throws {UsageError} naming `--time` for anything else, or a zero limit.
 */
export function parseSlurmTime(raw: string): string {
  const formats = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}(:\d{1,2})?)?)$/;
  if (/^(unlimited|infinite)$/i.test(raw)) return raw;
  if (!formats.test(raw)) {
    throw new UsageError(
      `--time: expected minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S (Slurm), got '${raw}'`,
    );
  }
  if (!/[1-9]/.test(raw)) throw new UsageError(`--time: must be longer than 0, got '${raw}'`);
  return raw;
}

/**
 * Checks a partition name (or a comma list of them).
 *
 * @throws {UsageError} naming `--partition`.
 */
export function parsePartition(raw: string): string {
  if (!/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(raw)) {
    throw new UsageError(
      `--partition: expected a partition name (letters, digits, _ . -), got '${raw}'`,
    );
  }
  return raw;
}

/** Refuses a path that an `#SBATCH` line cannot hold (spaces, quotes, `%` patterns, `$`). */
function sbatchPath(flag: string, path: string): string {
  if (!/^[^\s"'%$`\\]+$/.test(path)) {
    throw new UsageError(
      `${flag}: Slurm scripts cannot use a path with spaces, quotes, % or $: ${path}`,
    );
  }
  return path;
}

/** `<runs dir>/<figure>/slurm`: the scripts, logs and job ids of a submission. */
export function slurmDir(grid: Pick<SlurmGrid, "runsDir" | "figure">): string {
  return join(grid.runsDir, grid.figure, "slurm");
}

function header(grid: SlurmGrid, name: string, output: string): string[] {
  const { settings } = grid;
  return [
    "#!/bin/bash",
    `#SBATCH --job-name=ufmlab-${grid.figure}-${name}`,
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${settings.cpusPerTask}`,
    `#SBATCH --chdir=${sbatchPath("repository root", grid.repoRoot)}`,
    `#SBATCH --output=${join(sbatchPath("--runs-dir", slurmDir(grid)), "logs", output)}`,
    ...(settings.partition ? [`#SBATCH --partition=${settings.partition}`] : []),
    ...(settings.time ? [`#SBATCH --time=${settings.time}`] : []),
  ];
}

function environment(grid: SlurmGrid): string[] {
  return [
    "set -euo pipefail",
    `cd ${shellQuote(grid.repoRoot)}`,
    "export DENO_TLS_CA_STORE=system NO_COLOR=1",
    `export UFMLAB_FIGURES_DIR=${shellQuote(sbatchPath("figures directory", grid.figuresDir))}`,
  ];
}

/** The unfinished cells' indices. */
export function unfinished(grid: Pick<SlurmGrid, "cells">): number[] {
  return grid.cells.filter((cell) => !cell.done).map((cell) => cell.index);
}

/**
 * The array script: one task per unfinished cell (task id = cell index), each running
 * `deno task cell --figure <id> --key <key of that index>`.
 */
export function cellsScript(grid: SlurmGrid): string {
  const indices = unfinished(grid);
  if (indices.length === 0) throw new Error(`${grid.figure}: no unfinished cell to submit`);
  const throttle = grid.settings.maxParallel === undefined ? "" : `%${grid.settings.maxParallel}`;
  const plan = ["npx deno task reproduce --plan", grid.figure, ...grid.gridArgs].join(" ");
  const keys = grid.cells.map((cell) => `  [${cell.index}]=${cell.key}`);
  const cell = [
    "exec node_modules/deno/deno task cell --figure",
    grid.figure,
    '--key "$key"',
    ...grid.gridArgs,
    "--runs-dir",
    shellQuote(grid.runsDir),
  ].join(" ");
  return [
    ...header(grid, "cells", "cell-%a.%A.log"),
    `#SBATCH --array=${indexRanges(indices)}${throttle}`,
    `# ufmlab: the unfinished cells of figure ${grid.figure}'s grid, one task per cell; the task id`,
    `# is the cell's index in \`${plan}\`.`,
    "# Resubmit one cell (e.g. a failed task 7) alone:  sbatch --array=7 <this file>",
    "# then assemble the figure:                        sbatch assemble.sbatch",
    ...environment(grid),
    "# Every cell's key by index (a key names the cell's settings).",
    "keys=(",
    ...keys,
    ")",
    ': "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}"',
    'key="${keys[$SLURM_ARRAY_TASK_ID]:-}"',
    'if [ -z "$key" ]; then',
    `  echo "error: figure ${grid.figure} has no cell $SLURM_ARRAY_TASK_ID" >&2`,
    "  exit 2",
    "fi",
    cell,
    "",
  ].join("\n");
}

/** The script that assembles the figure from the saved cells (trains nothing). */
export function assembleScript(grid: SlurmGrid): string {
  const reproduce = [
    "exec node_modules/deno/deno task reproduce --only",
    grid.figure,
    ...grid.gridArgs,
    "--assemble --runs-dir",
    shellQuote(grid.runsDir),
  ].join(" ");
  return [
    ...header(grid, "assemble", "assemble.%j.log"),
    "#SBATCH --kill-on-invalid-dep=yes",
    `# ufmlab: assembles figure ${grid.figure} from its saved cells (fails naming any missing).`,
    ...environment(grid),
    reproduce,
    "",
  ].join("\n");
}

/**
 * The absolute path of executable `name` on `pathList` (default: $PATH), or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(findExecutable("no-such-program-xyz"), null);
 * ```
 */
export function findExecutable(name: string, pathList?: string): string | null {
  let path = pathList;
  if (path === undefined) {
    try {
      path = Deno.env.get("PATH") ?? "";
    } catch {
      path = "";
    }
  }
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(join(dir, name));
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Runs `sbatch --parsable <args>` and returns the job id.
 *
 * @throws {RunError} with sbatch's own message when it refuses the job.
 */
export async function sbatch(program: string, args: readonly string[]): Promise<string> {
  const output = await new Deno.Command(program, {
    args: ["--parsable", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    const why = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    throw new RunError(`sbatch ${args.join(" ")} failed: ${why || `exit code ${output.code}`}`);
  }
  const id = text.split("\n").at(-1)!.split(";")[0];
  if (!/^\d+$/.test(id)) throw new RunError(`sbatch printed no job id: '${text}'`);
  return id;
}

/** What {@link submitGrid} submitted (also saved as `submitted.json`). */
export interface Submission {
  /** Figure id. */
  figure: string;
  /** Cells in the grid. */
  cells: number;
  /** The cells submitted (task ids of the array job). */
  indices: number[];
  /** Array job id (null when every cell was done already). */
  arrayJob: string | null;
  /** Id of the assembling job. */
  assembleJob: string;
  /** The array script (null without one). */
  cellsScript: string | null;
  /** The assembling script. */
  assembleScript: string;
  /** Directory of the per-task logs. */
  logs: string;
}

/**
 * Writes both scripts, submits the array job (if any cell is unfinished) and the assembling job
 * after it, and saves the job ids in `submitted.json`.
 */
export async function submitGrid(grid: SlurmGrid, program: string): Promise<Submission> {
  const dir = slurmDir(grid);
  const logs = join(dir, "logs");
  await Deno.mkdir(logs, { recursive: true });
  const indices = unfinished(grid);
  const cellsPath = join(dir, "cells.sbatch");
  const assemblePath = join(dir, "assemble.sbatch");
  let arrayJob: string | null = null;
  if (indices.length > 0) {
    await writeTextFileAtomic(cellsPath, cellsScript(grid));
    arrayJob = await sbatch(program, [cellsPath]);
  }
  await writeTextFileAtomic(assemblePath, assembleScript(grid));
  const assembleJob = await sbatch(
    program,
    arrayJob === null ? [assemblePath] : [`--dependency=afterok:${arrayJob}`, assemblePath],
  );
  const submission: Submission = {
    figure: grid.figure,
    cells: grid.cells.length,
    indices,
    arrayJob,
    assembleJob,
    cellsScript: arrayJob === null ? null : cellsPath,
    assembleScript: assemblePath,
    logs,
  };
  await writeJsonAtomic(join(dir, "submitted.json"), {
    ...submission,
    submittedAt: new Date().toISOString(),
  });
  return submission;
}

/** What {@link submitGrid} did, in a few lines for the terminal. */
export function submissionText(s: Submission): string {
  const done = s.cells - s.indices.length;
  const head = s.arrayJob === null
    ? `${s.figure}: all ${s.cells} cells done earlier; job ${s.assembleJob} assembles the figure`
    : `${s.figure}: array job ${s.arrayJob} runs ${s.indices.length} of ${s.cells} cells` +
      (done > 0 ? ` (${done} done earlier)` : "") +
      `; job ${s.assembleJob} assembles the figure after it (afterok)`;
  return [
    head,
    `  scripts: ${[s.cellsScript, s.assembleScript].filter((p) => p !== null).join(", ")}`,
    `  logs: ${s.logs}/ (one per task)`,
    ...(s.cellsScript === null ? [] : [
      `  a failed cell i alone: sbatch --array=i ${s.cellsScript}; then sbatch ${s.assembleScript}`,
    ]),
  ].join("\n");
}
