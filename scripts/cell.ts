/**
 * `npx deno task cell --figure B4 --index 7` (or `--key K`): runs exactly one cell of a figure's
 * grid and saves its result atomically under `--runs-dir` (default `figures/runs/`; on a cluster,
 * a shared filesystem), then prints one line: computed, or already done and skipped. A saved file
 * that is unusable (truncated, other settings) is reported and recomputed. `--full`/`--quick`
 * select the grid, as for the figure (`npx deno task reproduce --plan B4` lists the cells).
 * A scheduler runs one cell per task (Slurm: `reproduce --submit slurm`; README "Run on a
 * cluster"); the figure is then assembled from the saved cells by `reproduce --only B4`.
 *
 * @example
 * ```sh
 * npx deno task cell --figure B4 --index 0 --full
 * ```
 * @module
 */
import { parseFlags, parseNumberFlag, runCli, UsageError } from "../lib/cli.ts";
import { resolveRunsDir } from "../lib/cluster/cells.ts";
import { gridEntry, runCell } from "../lib/cluster/plan.ts";
import { experiments } from "../lib/plot/registry.ts";
import { defaultFiguresDir } from "../lib/plot/write_figure.ts";
import { repoRoot } from "./reproduce.ts";

const usage = "Usage: npx deno task cell --figure ID (--index I | --key K) [--full | --quick] " +
  "[--runs-dir DIR]\n\nRuns one cell of a figure's grid and saves it under <runs-dir>/<ID>/.";

async function main(): Promise<void> {
  const flags = parseFlags(Deno.args, {
    figure: { type: "string", help: "figure id of a grid (A6, B4, B6, …)" },
    index: { type: "string", help: "the cell's index in `reproduce --plan ID`" },
    key: { type: "string", help: "the cell's key (16 hex digits) in `reproduce --plan ID`" },
    full: { type: "boolean", default: false, help: "a cell of the figure's whole grid" },
    quick: { type: "boolean", default: false, help: "a cell of the figure's smoke-test grid" },
    "runs-dir": { type: "string", help: "directory of saved runs (default: figures/runs)" },
  }, usage);
  if (flags === null) return;
  if (flags.figure === undefined) throw new UsageError("--figure: required (e.g. --figure B4)");
  const entry = gridEntry(experiments, flags.figure as string);
  if ((flags.index === undefined) === (flags.key === undefined)) {
    throw new UsageError("give exactly one of --index and --key");
  }
  if (flags.full && flags.quick) throw new UsageError("--full and --quick exclude each other");
  const key = flags.key as string | undefined;
  if (key !== undefined && !/^[0-9a-f]{16}$/.test(key)) {
    throw new UsageError(`--key: expected 16 hex digits, got '${key}'`);
  }
  const runsDir = flags["runs-dir"] as string | undefined;
  if (runsDir === "") throw new UsageError("--runs-dir: empty path");
  const which = key !== undefined
    ? { key }
    : { index: parseNumberFlag("index", flags.index as string, { integer: true, min: 0 }) };
  const reply = await runCell(entry, which, {
    repoRoot,
    runsDir: resolveRunsDir(runsDir, defaultFiguresDir()),
    gridArgs: flags.full ? ["--full"] : flags.quick ? ["--quick"] : [],
  });
  const what = reply.status === "skipped"
    ? "already done, skipped"
    : `computed in ${reply.seconds.toFixed(1)} s` +
      (reply.redone === undefined ? "" : ` (its unusable file was replaced: ${reply.redone})`);
  console.log(
    `${entry.id} cell ${reply.index} of ${reply.total} (key ${reply.key}): ${what} → ${reply.file}`,
  );
}

if (import.meta.main) await runCli(main);
