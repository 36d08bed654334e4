/**
 * The client side of cells (lib/cluster/cells.ts): runs a figure script as a subprocess to get its
 * plan of cells or to run one cell, and builds the command lines that do the same by hand.
 *
 * The script runs with `UFMLAB_RUNS_DIR` set to the runs directory and, while planning or running
 * a cell, with `UFMLAB_FIGURES_DIR` pointing at a throwaway directory: a script that reached no
 * grid cannot overwrite a figure, and is reported instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellCommand, shellQuote } from "./plan.ts";
 * assert.equal(shellQuote("/data/runs"), "/data/runs");
 * assert.equal(shellQuote("/my runs/it's"), "'/my runs/it'\\''s'");
 * assert.equal(
 *   cellCommand("B4", "0123456789abcdef", ["--full"]),
 *   "npx deno task cell --figure B4 --key 0123456789abcdef --full",
 * );
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { ReportedFailure, RunError, UsageError } from "../errors.ts";
import type { ExperimentEntry } from "../plot/registry.ts";
import {
  CELL_REQUEST_ENV,
  type CellReply,
  type CellRequest,
  type PlannedCell,
  RUNS_DIR_ENV,
} from "./cells.ts";

/** Where and how a figure script runs. */
export interface ScriptOptions {
  /** Repository root: scripts are resolved against it and run in it. */
  repoRoot: string;
  /** Arguments for the script (`--full` or `--quick` select the grid). */
  scriptArgs?: readonly string[];
  /** Extra environment variables (added to the inherited ones). */
  env?: Record<string, string>;
}

/**
 * Runs `script` as `deno run --allow-read --allow-write --allow-env` with the repository's
 * deno.json, stderr inherited and stdout forwarded to stderr (so the caller's stdout holds only
 * its own output). Returns the exit code.
 */
export async function runFigureScript(script: string, options: ScriptOptions): Promise<number> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      resolve(options.repoRoot, "deno.json"),
      "--allow-read",
      "--allow-write",
      "--allow-env",
      resolve(options.repoRoot, script),
      ...(options.scriptArgs ?? []),
    ],
    cwd: options.repoRoot,
    env: options.env ?? {},
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  });
  const child = command.spawn();
  await child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true });
  return (await child.status).code;
}

/** One line of `reproduce --plan`: a planned cell with its figure and the command that runs it. */
export interface PlanLine extends PlannedCell {
  /** Figure id. */
  figure: string;
  /** Shell command that runs exactly this cell. */
  command: string;
}

/** Options of {@link planCells} and {@link runCell}. */
export interface CellOptions {
  /** Repository root. */
  repoRoot: string;
  /** Directory of saved runs (the figure's cells go to `<runsDir>/<id>/`). */
  runsDir: string;
  /** `--full` or `--quick` (or nothing): which grid of the figure. */
  gridArgs: readonly string[];
  /** Arguments added to every printed cell command (e.g. `--runs-dir R` when one was given). */
  commandArgs?: readonly string[];
}

/**
 * Quotes `text` for a POSIX shell (unchanged when it needs no quotes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(shellQuote("a b"), "'a b'");
 * ```
 */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command that runs one cell of figure `id`, e.g. `npx deno task cell --figure B4 --key …`. */
export function cellCommand(id: string, key: string, args: readonly string[]): string {
  return ["npx deno task cell --figure", id, "--key", key, ...args.map(shellQuote)].join(" ");
}

/**
 * The registry entry of figure `id` if it is a grid with cells.
 *
 * @throws {UsageError} for an unknown figure or one that is not a grid.
 */
export function gridEntry(registry: readonly ExperimentEntry[], id: string): ExperimentEntry {
  const entry = registry.find((e) => e.id === id);
  const grids = registry.filter((e) => e.cells).map((e) => e.id).join(", ") || "none";
  if (entry === undefined) {
    throw new UsageError(
      `unknown figure ${id} (known: ${registry.map((e) => e.id).join(", ")})`,
    );
  }
  if (!entry.cells) {
    throw new UsageError(`${id} is not a grid: it has no cells (figures with cells: ${grids})`);
  }
  return entry;
}

/** Runs `entry`'s script with a cell request and returns the reply it wrote. */
async function ask(
  entry: ExperimentEntry,
  request: Record<string, unknown>,
  options: CellOptions,
): Promise<unknown> {
  const scratch = await Deno.makeTempDir({ prefix: `ufmlab-cell-${entry.id}-` });
  try {
    const reply = join(scratch, "reply.json");
    const code = await runFigureScript(entry.script, {
      repoRoot: options.repoRoot,
      scriptArgs: options.gridArgs,
      env: {
        [CELL_REQUEST_ENV]: JSON.stringify({ ...request, reply } satisfies Partial<CellRequest>),
        [RUNS_DIR_ENV]: resolve(options.runsDir),
        UFMLAB_FIGURES_DIR: join(scratch, "figures"),
      },
    });
    if (code !== 0) {
      // The script printed its own one-line error: exit with its code, add nothing.
      throw new ReportedFailure(`${entry.script} exited with code ${code}`, code);
    }
    try {
      return JSON.parse(await Deno.readTextFile(reply));
    } catch {
      throw new RunError(
        `${entry.id}: ${entry.script} finished without reaching a grid (no cells answered; is ` +
          "its registry entry's `cells` flag wrong?)",
      );
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

/** The plan of `entry`'s grid: one line per cell, in grid order, with the command that runs it. */
export async function planCells(
  entry: ExperimentEntry,
  options: CellOptions,
): Promise<PlanLine[]> {
  const reply = await ask(entry, { mode: "plan" }, options) as { cells: PlannedCell[] };
  const extra = [...options.gridArgs, ...(options.commandArgs ?? [])];
  return reply.cells.map((cell) => ({
    figure: entry.id,
    ...cell,
    command: cellCommand(entry.id, cell.key, extra),
  }));
}

/** Runs exactly one cell of `entry`'s grid (by index or key) and returns what happened. */
export async function runCell(
  entry: ExperimentEntry,
  which: { index: number } | { key: string },
  options: CellOptions,
): Promise<CellReply> {
  return await ask(entry, { mode: "cell", ...which }, options) as CellReply;
}
