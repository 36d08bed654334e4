/**
 * `npx deno task reproduce`: runs every experiment of the registry (lib/plot/registry.ts), each
 * in its own Deno subprocess, then prints a summary table (figure, max |solver − theory|,
 * seconds, status) read from the `figures/<id>.meta.json` each script writes, and saves it as
 * `figures/summary.json`. A failing script does not stop the others; the exit code is 1 if any
 * failed, and the failures are named.
 *
 * Flags: `--only A1,A2` runs a subset, `--list` prints the registry, `--full` is passed on to
 * every script (the network experiments A6 and B4 then run their whole grid instead of the
 * reduced default one; scripts without a reduced grid ignore it), `--help`.
 * `UFMLAB_FIGURES_DIR=/tmp/figs` redirects all figure output (passed on to the scripts).
 *
 * @example
 * ```sh
 * npx deno task reproduce --only A1
 * ```
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, runCli, RunError, UsageError } from "../lib/cli.ts";
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
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      resolve(options.repoRoot, "deno.json"),
      "--allow-read",
      "--allow-write",
      "--allow-env",
      scriptPath,
      ...(options.scriptArgs ?? []),
    ],
    cwd: options.repoRoot,
    env: { UFMLAB_FIGURES_DIR: options.figuresDir },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  });
  const child = command.spawn();
  await child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true });
  const { code } = await child.status;
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

const usage = "Usage: npx deno task reproduce [--only A1,A2] [--list] [--full]\n\n" +
  "Runs the experiment scripts and summarizes figures/<id>.meta.json.";

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
      help: "pass --full to every script (whole grids for A6/B4 instead of the reduced ones)",
    },
  }, usage);
  if (flags === null) return [];
  const selected = selectExperiments(registry, flags.only as string | undefined);
  if (flags.list) {
    for (const entry of selected) {
      console.log(`${entry.id.padEnd(6)} ${entry.script}\n       ${entry.description}`);
    }
    return [];
  }
  const results = await runAll(
    selected,
    flags.full ? { ...options, scriptArgs: [...(options.scriptArgs ?? []), "--full"] } : options,
  );
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
