/**
 * One explorer run, as the page's Web Worker executes it (lib/explore/worker.ts) — and as tests
 * run it in Deno: the URL/form settings (keyed by the `solve` flag names without dashes) go
 * through the shared `solve` parser (lib/ufm/solve_flags.ts), the problem is solved by
 * `solveUfm` on the same WASM core, and what it observes on the way is sent as messages: the NC
 * trace at log-spaced iterations, the geometry (throttled), progress (throttled) and the final
 * report with the exact `deno task solve` command that reproduces it.
 *
 * The explorer observes every iterate of the full problem, so where `solve --path auto` would
 * solve the class-reduced problem, the reproducing command adds `--path full` (the minimum is
 * the same; the iterates are those drawn). Restarts are the command line's business.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ExplorerMessage, runExplorer } from "./session.ts";
 * const messages: ExplorerMessage[] = [];
 * runExplorer([["K", "3"], ["n", "2"], ["d", "4"]], (message) => messages.push(message));
 * const done = messages.at(-1)!;
 * assert.equal(done.type, "done");
 * if (done.type === "done") {
 *   assert.ok(Math.abs(done.report.objective - done.report.theory!.objective) < 1e-12);
 *   assert.equal(done.command, "npx deno task solve --K 3 --n 2 --d 4 --path full");
 * }
 * const invalid: ExplorerMessage[] = [];
 * runExplorer([["K", "1"]], (message) => invalid.push(message));
 * assert.deepEqual(invalid, [{ type: "invalid", message: "--K: must be ≥ 2, got 1" }]);
 * ```
 * @module
 */
import { RunError, UsageError } from "../errors.ts";
import type { FlagSpec } from "../flags.ts";
import type { Theory } from "../theory/mod.ts";
import { formatSolveReport } from "../ufm/format.ts";
import { ufmMetrics } from "../ufm/metrics.ts";
import { modelDefinition } from "../ufm/models/mod.ts";
import { modelNames } from "../ufm/problem.ts";
import { reduceProblem } from "../ufm/reduce.ts";
import { type SolveReport, solveUfm } from "../ufm/solve.ts";
import {
  flagModels,
  parseSolveFlags,
  solveCommand,
  type SolveConfig,
  solveFlagChoices,
  solveFlags,
  solveFlagValues,
} from "../ufm/solve_flags.ts";
import { modelGeometry } from "./geometry.ts";
import { observationSchedule } from "./schedule.ts";
import { type ModelGeometry, type TraceMetric, traceMetrics, type TraceRow } from "./vocabulary.ts";

export { type TraceMetric, traceMetrics, type TraceRow } from "./vocabulary.ts";

/** Settings as name/value pairs, keyed by the `solve` flag names without dashes. */
export type ExplorerEntries = readonly (readonly [string, string])[];

/** A validated explorer run: the `solve` configuration and its reproducing command. */
export interface ExplorerConfig extends SolveConfig {
  /** `npx deno task solve …` with the same settings (plus `--path full` where needed). */
  command: string;
}

/** The form the page builds: every `solve` flag it offers, with what it needs to know. */
export interface ExplorerFlag {
  /** Flag name without dashes (the URL key). */
  name: string;
  /** The table entry (help text, default). */
  spec: FlagSpec;
  /** Its choices, for choice-valued flags. */
  choices: readonly string[] | null;
  /** Models that accept it (model flags), or null (every model). */
  models: readonly string[] | null;
  /** Models that reject it (flags of the problem that a model has no use for). */
  rejectedBy: readonly string[];
}

/** What the page needs to build its form, straight from the registry and the flag table. */
export interface ExplorerTable {
  /** The flags, in `--help` order (restart flags excluded: the explorer runs one seed). */
  flags: ExplorerFlag[];
  /** One line per model (`--help`). */
  summaries: Record<string, string>;
}

/** Messages of a run, in order: invalid | (start, trace*, geometry*, progress*, done | failed). */
export type ExplorerMessage =
  | { type: "invalid"; message: string }
  | {
    type: "start";
    command: string;
    theory: Theory | null;
    K: number;
    iters: number;
    /** The quantities the trace chart draws (the CSV has them all). */
    plotted: TraceMetric[];
  }
  | { type: "trace"; rows: TraceRow[] }
  | { type: "geometry"; iteration: number; geometry: ModelGeometry }
  | { type: "progress"; iteration: number; objective: number; gradNorm: number }
  | { type: "warning"; message: string }
  | {
    type: "done";
    report: SolveReport;
    text: string;
    command: string;
    /** Seconds of the run spent reading NC metrics and geometry for the views. */
    observeSeconds: number;
  }
  | { type: "failed"; message: string };

/** Flags the explorer does not take (restarts run on the command line). */
const commandLineOnly = ["restarts", "max-restarts", "workers"];

/**
 * The form's flag list: every `solve` flag but the restart flags, with choices, owning models
 * and the models that reject it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const table = explorerTable();
 * const tau = table.flags.find((flag) => flag.name === "tau")!;
 * assert.deepEqual(tau.models, ["sphere"]);
 * const norm = table.flags.find((flag) => flag.name === "norm")!;
 * assert.deepEqual(norm.rejectedBy, ["sphere"]);
 * assert.ok(!table.flags.some((flag) => flag.name === "restarts"));
 * ```
 */
export function explorerTable(): ExplorerTable {
  const flags = Object.entries(solveFlags)
    .filter(([name]) => !commandLineOnly.includes(name))
    .map(([name, spec]) => ({
      name,
      spec,
      choices: solveFlagChoices[name] ?? null,
      models: flagModels(name),
      rejectedBy: modelNames.filter((model) =>
        Object.hasOwn(modelDefinition(model).rejects ?? {}, name)
      ),
    }));
  const summaries = Object.fromEntries(
    modelNames.map((name) => [name, modelDefinition(name).summary]),
  );
  return { flags, summaries };
}

/**
 * Validates explorer settings through the shared `solve` parser (throws its {@link UsageError}),
 * refuses what only the command line does (restarts, `--path reduced`), and derives the
 * reproducing command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.throws(() => explorerConfig([["model", "resnet"]]), /--model: expected one of ufm\|/);
 * assert.throws(() => explorerConfig([["lambda-w", "-1"]]), /--lambda-w: must be ≥ 0, got -1/);
 * const config = explorerConfig([["model", "sphere"], ["loss", "ce"], ["tau", "5"], ["d", "3"]]);
 * assert.equal(config.command, "npx deno task solve --model sphere --tau 5 --loss ce --d 3");
 * ```
 */
export function explorerConfig(entries: ExplorerEntries): ExplorerConfig {
  for (const [name] of entries) {
    if (commandLineOnly.includes(name)) {
      throw new UsageError(
        `--${name}: the explorer runs one seed (restarts run on the command line: ` +
          "npx deno task solve --restarts …)",
      );
    }
  }
  const { values, given } = solveFlagValues(entries);
  const config = parseSolveFlags(values, given);
  if (config.settings.path === "reduced") {
    throw new UsageError(
      "--path reduced: the explorer draws the iterates of the full problem (use --path full or " +
        "auto here; the command line solves the reduced one)",
    );
  }
  // With observed iterates solveUfm runs the full problem; say so where auto would reduce.
  const reduction = config.settings.path === "auto" ? reduceProblem(config.resolved) : null;
  const command = solveCommand(
    reduction?.exact === true ? [...entries, ["path", "full"] as const] : entries,
  );
  return { ...config, command };
}

/** The quantities drawn for a problem: |f − f*| where a closed form exists, NC2 (OF) for OFs. */
function plottedMetrics(theory: Theory | null): TraceMetric[] {
  return traceMetrics.keys.filter((key) =>
    key === "objective"
      ? false
      : key === "gap"
      ? theory !== null
      : key === "nc2_of"
      ? theory?.structure === "orthogonal frame"
      : true
  );
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/** Throttles of {@link runExplorer}. */
export interface ExplorerRunOptions {
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** Least ms between geometry messages (default 300; the final state is always sent). */
  geometryEvery?: number;
  /** Least ms between progress messages (default 100). */
  progressEvery?: number;
  /** Observations per decade of iterations (default 16). */
  perDecade?: number;
}

/**
 * Runs one explorer session synchronously, sending every message to `post`. Invalid settings
 * give one `invalid` message; a diverging run ends with `failed`.
 */
export function runExplorer(
  entries: ExplorerEntries,
  post: (message: ExplorerMessage) => void,
  options: ExplorerRunOptions = {},
): void {
  const now = options.now ?? (() => performance.now());
  let config: ExplorerConfig;
  try {
    config = explorerConfig(entries);
  } catch (error) {
    if (error instanceof UsageError) return post({ type: "invalid", message: error.message });
    throw error;
  }
  const { resolved, settings, command } = config;
  const theory = modelDefinition(resolved.model).theory(resolved);
  post({
    type: "start",
    command,
    theory,
    K: resolved.K,
    iters: settings.iters,
    plotted: plottedMetrics(theory),
  });
  const schedule = observationSchedule(settings.iters, options.perDecade ?? 16);
  const geometryEvery = options.geometryEvery ?? 300;
  const progressEvery = options.progressEvery ?? 100;
  let lastGeometry = -Infinity;
  let lastProgress = -Infinity;
  // The geometry of the latest observation (the final one is sent once the run is done).
  const latest: { state: { iteration: number; geometry: ModelGeometry } | null } = {
    state: null,
  };
  let metricsFailure: string | null = null;
  let observeMs = 0;
  try {
    const report = solveUfm(resolved, settings, {
      observeAt: (iteration) => schedule.has(iteration),
      observe: (info, model) => {
        const started = now();
        const values: Partial<Record<TraceMetric, number | null>> = {
          objective: info.objective,
          gap: theory === null ? null : Math.abs(info.objective - theory.objective),
          grad_norm: info.gradNorm,
        };
        try {
          const metrics = ufmMetrics(model);
          Object.assign(values, {
            nc1: metrics.nc1,
            nc2_etf: metrics.nc2_etf,
            nc2_of: metrics.nc2_of,
            nc3: metrics.nc3,
            wmu_g_b: metrics.wmu_g_b_norm,
          });
          latest.state = { iteration: info.iteration, geometry: modelGeometry(model) };
        } catch (error) {
          if (metricsFailure === null) {
            metricsFailure = (error as Error).message;
            post({ type: "warning", message: `NC metrics unavailable: ${metricsFailure}` });
          }
        }
        const rows = traceMetrics.keys.filter((key) => key in values).map((key) => ({
          iteration: info.iteration,
          metric: key,
          metric_label: traceMetrics.label(key),
          value: finite(values[key]),
        }));
        post({ type: "trace", rows });
        const time = now();
        if (latest.state !== null && time - lastGeometry >= geometryEvery) {
          lastGeometry = time;
          post({ type: "geometry", ...latest.state });
        }
        observeMs += now() - started;
      },
      onProgress: (info) => {
        const time = now();
        if (time - lastProgress < progressEvery) return;
        lastProgress = time;
        post({
          type: "progress",
          iteration: info.iteration,
          objective: info.objective,
          gradNorm: info.gradNorm,
        });
      },
    });
    if (latest.state !== null) post({ type: "geometry", ...latest.state });
    post({
      type: "done",
      report,
      text: formatSolveReport(report),
      command,
      observeSeconds: observeMs / 1000,
    });
  } catch (error) {
    // A usage error here is a check that needs the problem's size (e.g. core memory).
    if (error instanceof UsageError) return post({ type: "invalid", message: error.message });
    if (error instanceof RunError) return post({ type: "failed", message: error.message });
    throw error;
  }
}
