/**
 * Cells: the runs of a grid handed out one at a time — to a Slurm array, GNU parallel, a
 * Kubernetes indexed Job — instead of to this machine's Workers.
 *
 * A figure script whose work is a grid (lib/nn/grid.ts `runGrid`) needs no code of its own for
 * this: the grid runner reads a request from the environment variable `UFMLAB_CELL_REQUEST` (JSON,
 * set by `reproduce --plan`, `deno task cell` and `reproduce --assemble`) and
 * - `plan`: writes the grid's cells (index, key, saved file, done, settings) to the reply file and
 *   stops the script ({@link StopEarly}) before anything is trained;
 * - `cell`: runs exactly one cell (by index or key), saves it atomically, writes a reply and stops.
 *   A cell whose saved file is complete and valid is skipped; an unusable one (truncated, for
 *   other settings) is reported on stderr and recomputed;
 * - `assemble`: trains nothing: every cell must be done, otherwise a RunError names the missing.
 *
 * A cell's key is the 16-hex-digit SHA-256 prefix of its run's settings, so it names what the cell
 * computes, not its position; its index is its position in the grid (longest runs first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexRanges, parseCellRequest } from "./cells.ts";
 * assert.deepEqual(parseCellRequest('{"mode":"cell","index":3,"reply":"/tmp/r.json"}'), {
 *   mode: "cell",
 *   index: 3,
 *   reply: "/tmp/r.json",
 * });
 * assert.equal(indexRanges([0, 1, 2, 3, 5, 9, 10]), "0-3,5,9-10");
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { RunError, StopEarly, UsageError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";

/** Environment variable carrying a {@link CellRequest} to a figure script. */
export const CELL_REQUEST_ENV = "UFMLAB_CELL_REQUEST";

/** Environment variable naming the directory of saved runs (default `<figures dir>/runs`). */
export const RUNS_DIR_ENV = "UFMLAB_RUNS_DIR";

/** What a grid is asked to do instead of running in full. */
export type CellRequest =
  | { mode: "plan"; reply: string }
  | { mode: "cell"; index?: number; key?: string; reply: string }
  | { mode: "assemble" };

/** The state of a cell's saved file. */
export type SavedCell =
  | { status: "missing" }
  | { status: "done" }
  | { status: "invalid"; reason: string };

/** One cell of a plan, as the grid reports it. */
export interface PlannedCell {
  /** Position in the grid (0-based). */
  index: number;
  /** SHA-256 prefix of the cell's settings. */
  key: string;
  /** The file its result is saved to. */
  file: string;
  /** Its file holds a complete result for these settings. */
  done: boolean;
  /** Why an existing file does not count (absent when missing or done). */
  invalid?: string;
  /** The cell's settings. */
  settings: unknown;
}

/** The reply of a `cell` request. */
export interface CellReply {
  /** Position of the cell in the grid. */
  index: number;
  /** Number of cells in the grid. */
  total: number;
  /** The cell's key. */
  key: string;
  /** Its saved file. */
  file: string;
  /** Trained now, or found done and skipped. */
  status: "computed" | "skipped";
  /** Why a file that existed was recomputed. */
  redone?: string;
  /** Seconds spent on this cell. */
  seconds: number;
}

/** A grid as the cell protocol sees it: per cell a key, a file, its settings, and two actions. */
export interface GridCells {
  /** Name in messages (the figure id). */
  label: string;
  /** Key of every cell. */
  keys: readonly string[];
  /** Saved file of every cell. */
  files: readonly string[];
  /** Settings of every cell. */
  settings: readonly unknown[];
  /** State of cell `index`'s saved file. */
  inspect: (index: number) => Promise<SavedCell>;
  /** Computes cell `index` and saves it atomically. */
  compute: (index: number) => Promise<void>;
}

/**
 * Parses and checks a request (the value of {@link CELL_REQUEST_ENV}).
 *
 * @throws {UsageError} for anything but a well-formed request.
 */
export function parseCellRequest(text: string): CellRequest {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${CELL_REQUEST_ENV}: not JSON: ${text.slice(0, 80)}`);
  }
  const bad = (why: string) => new UsageError(`${CELL_REQUEST_ENV}: ${why}`);
  if (value === null || typeof value !== "object") throw bad("expected an object");
  if (value.mode === "assemble") return { mode: "assemble" };
  if (typeof value.reply !== "string" || value.reply === "") throw bad("no reply file");
  if (value.mode === "plan") return { mode: "plan", reply: value.reply };
  if (value.mode !== "cell") throw bad(`unknown mode ${JSON.stringify(value.mode)}`);
  const hasIndex = value.index !== undefined, hasKey = value.key !== undefined;
  if (hasIndex === hasKey) throw bad("a cell request needs an index or a key (not both)");
  if (hasIndex) {
    if (!Number.isSafeInteger(value.index) || (value.index as number) < 0) {
      throw bad(`index must be an integer ≥ 0, got ${JSON.stringify(value.index)}`);
    }
    return { mode: "cell", index: value.index as number, reply: value.reply };
  }
  if (typeof value.key !== "string" || !/^[0-9a-f]{16}$/.test(value.key)) {
    throw bad(`key must be 16 hex digits, got ${JSON.stringify(value.key)}`);
  }
  return { mode: "cell", key: value.key, reply: value.reply };
}

/** The request in this process's environment, or null (also without --allow-env). */
export function cellRequestFromEnv(): CellRequest | null {
  let text: string | undefined;
  try {
    text = Deno.env.get(CELL_REQUEST_ENV);
  } catch {
    return null;
  }
  return text === undefined || text === "" ? null : parseCellRequest(text);
}

/**
 * The directory of saved runs for a command: its `--runs-dir` flag, else `$UFMLAB_RUNS_DIR`, else
 * `<figuresDir>/runs` — the rule the grid scripts follow (lib/nn/experiment.ts `defaultRunsDir`).
 * Absolute, so that it means the same to subprocesses and cluster jobs.
 */
export function resolveRunsDir(flag: string | undefined, figuresDir: string): string {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get(RUNS_DIR_ENV) || undefined;
  } catch {
    // No --allow-env: the flag or the figures directory.
  }
  return resolve(flag ?? fromEnv ?? join(figuresDir, "runs"));
}

/**
 * Sorted indices as Slurm's `--array` list: consecutive runs become ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(indexRanges([4, 0, 1, 2]), "0-2,4");
 * assert.equal(indexRanges([]), "");
 * ```
 */
export function indexRanges(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The index of the cell a `cell` request names, or a UsageError saying why there is none. */
export function selectCell(
  request: { index?: number; key?: string },
  keys: readonly string[],
  label: string,
): number {
  if (request.index !== undefined) {
    if (request.index >= keys.length) {
      throw new UsageError(
        `--index ${request.index}: ${label}'s grid has ${keys.length} cells (0–${keys.length - 1})`,
      );
    }
    return request.index;
  }
  const index = keys.indexOf(request.key!);
  if (index < 0) {
    throw new UsageError(
      `--key ${request.key}: no cell of ${label}'s grid has this key (reproduce --plan ${label} ` +
        "lists them; give the same --full/--quick)",
    );
  }
  return index;
}

/**
 * Answers a `plan` or `cell` request for `grid` (see the module notes) and then always throws
 * {@link StopEarly}: the script must not go on to build its figure.
 */
export async function serveCellRequest(
  request: Exclude<CellRequest, { mode: "assemble" }>,
  grid: GridCells,
): Promise<never> {
  if (request.mode === "plan") {
    const cells: PlannedCell[] = [];
    for (let index = 0; index < grid.keys.length; index++) {
      const state = await grid.inspect(index);
      cells.push({
        index,
        key: grid.keys[index],
        file: grid.files[index],
        done: state.status === "done",
        ...(state.status === "invalid" ? { invalid: state.reason } : {}),
        settings: grid.settings[index],
      });
    }
    await writeJsonAtomic(request.reply, { label: grid.label, cells }, { indent: 0 });
    throw new StopEarly(`${grid.label}: plan written`);
  }
  const started = performance.now();
  const index = selectCell(request, grid.keys, grid.label);
  const total = grid.keys.length;
  const state = await grid.inspect(index);
  const head = `${grid.label} cell ${index} of ${total} (key ${grid.keys[index]})`;
  let redone: string | undefined;
  if (state.status !== "done") {
    if (state.status === "invalid") {
      redone = state.reason;
      console.error(`${head}: saved file is unusable (${state.reason}): recomputing it`);
    }
    await grid.compute(index);
  }
  const reply: CellReply = {
    index,
    total,
    key: grid.keys[index],
    file: grid.files[index],
    status: state.status === "done" ? "skipped" : "computed",
    ...(redone === undefined ? {} : { redone }),
    seconds: (performance.now() - started) / 1000,
  };
  await writeJsonAtomic(request.reply, reply);
  throw new StopEarly(`${head}: ${reply.status}`);
}

/**
 * The error of an `assemble` request whose grid is not complete: how many cells are missing,
 * which, and how to run them.
 */
export function missingCellsError(
  label: string,
  missing: readonly number[],
  total: number,
): RunError {
  return new RunError(
    `${label}: ${missing.length} of ${total} cells are not done (indices ${
      indexRanges(missing)
    }): run them first (npx deno task cell --figure ${label} --index <i>, same --full/--quick), ` +
      "or reproduce without --assemble to train them here",
  );
}
