/**
 * Seeded restarts of the UFM solver, run in parallel on Workers (one WASM instance each).
 * Non-convex problems (deep/extended models, focal loss, d = K − 1) can end in different
 * critical points from different initializations; this reports the best run and the
 * distribution of final objectives, so claims about landscapes are measured, not assumed.
 * Each restart is classified by where it ended: the global minimum, one of the rank-deficient
 * critical values f_j of the extended / deep linear models (docs/extended-deep.md#rank-deficient:
 * j singular directions at x*, the others at 0), or somewhere else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveWithRestarts } from "./restarts.ts";
 * const result = await solveWithRestarts({ K: 4, n: 5, d: 8, lambdaW: 5e-3, lambdaH: 5e-3,
 *   lambdaB: 5e-3, bias: "reg", norm: "z", loss: "ce", targetScale: 1 }, {}, 4, { workers: 2 });
 * assert.equal(result.restarts.objectives.length, 4);
 * assert.equal(result.restarts.fraction_at_theory, 1); // CE's landscape is benign here
 * ```
 * @module
 */
import { RunError } from "../errors.ts";
import type { Theory } from "../theory/mod.ts";
import { type ResolvedProblem, resolveProblem, type UfmProblem } from "./problem.ts";
import { type SolveReport, type SolverSettings, solveUfm, theoryFor } from "./solve.ts";

/** One unit of work sent to a worker. */
export interface RestartTask {
  /** The resolved problem (plain data; resolved once by the caller). */
  problem: ResolvedProblem;
  /** Solver settings (seed overridden). */
  settings: Partial<SolverSettings>;
  /** Initialization seed of this restart. */
  seed: number;
}

/** Distribution of the restarts' outcomes. */
export interface RestartStats {
  /** Number of restarts. */
  count: number;
  /** Seeds, in order. */
  seeds: number[];
  /** Final objective of each seed. */
  objectives: number[];
  /** f − f* per seed (null without theory). */
  gaps: (number | null)[];
  /** Seed of the best run. */
  best_seed: number;
  /** Fraction of restarts within `tolerance` of f* (null without theory). */
  fraction_at_theory: number | null;
  /** Relative tolerance used for `fraction_at_theory`: |f − f*| ≤ tol·max(1, |f*|). */
  tolerance: number;
  /** Seeds whose run failed (diverged), with the message. */
  failures: { seed: number; error: string }[];
  /**
   * Where each restart ended (same order as `seeds`): `global` (within `tolerance` of f*),
   * `f_j` (within `tolerance` of the rank-j critical value, j < K; models with such theory),
   * `other`, or `failed`. Without theory every finished run is `other`.
   */
  outcomes: string[];
  /** Number of restarts per outcome, e.g. `{ global: 7, f_3: 1 }`. */
  outcome_counts: Record<string, number>;
  /** The rank-deficient values f_j, j = 0, 1, … used for `outcomes` (null without them). */
  rank_values: number[] | null;
  /** Certificate verdict of each restart's end point (null where not certified or failed). */
  classifications: (string | null)[];
  /** The distinct end values with their counts, lowest first. */
  distinct: DistinctEnd[];
  /** Why the restarts stopped: a fixed count, or for `auto` the closed form, a repeated best, the cap. */
  stopped_by: "count" | "closed form" | "repeated best" | "cap";
}

/**
 * Classifies a final objective: `global` if |f − f*| ≤ tol·max(1, |f*|), else `f_j` for the first
 * rank-j critical value (docs/extended-deep.md#rank-deficient) within the same tolerance, else
 * `other`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyOutcome } from "./restarts.ts";
 * assert.equal(classifyOutcome(0.5, { objective: 0.3857, rank_values: [0.5, 0.471] }, 1e-6), "f_0");
 * assert.equal(classifyOutcome(0.3857, { objective: 0.3857 }, 1e-6), "global");
 * ```
 */
export function classifyOutcome(
  objective: number,
  theory: { objective: number; rank_values?: number[] } | null,
  tolerance: number,
): string {
  if (Number.isNaN(objective)) return "failed";
  if (theory === null) return "other";
  const near = (value: number): boolean =>
    Math.abs(objective - value) <= tolerance * Math.max(1, Math.abs(value));
  if (near(theory.objective)) return "global";
  const values = theory.rank_values ?? [];
  for (let j = 0; j < values.length; j++) if (near(values[j])) return `f_${j}`;
  return "other";
}

function rankValues(theory: Theory | null): number[] | null {
  return theory?.rank_values ?? null;
}

/** The best run's report plus the restart statistics. */
export type RestartReport = SolveReport & { restarts: RestartStats };

/** Options of {@link solveWithRestarts}. */
export interface RestartOptions {
  /** Number of Workers (default: min(restarts, hardware threads)); 1 runs in this thread. */
  workers?: number;
  /** Relative tolerance for "reached the global minimum" (default 1e-6). */
  tolerance?: number;
  /** Called after every finished restart (total is the cap for `auto`). */
  onProgress?: (done: number, total: number) => void;
  /** Most restarts `auto` draws (default 64). */
  cap?: number;
}

/** One distinct end value of the restarts, with how often it was reached. */
export interface DistinctEnd {
  /** The (lowest) objective of the group; ends within the tolerance are one group. */
  objective: number;
  /** Restarts that ended there. */
  count: number;
  /** Their seeds. */
  seeds: number[];
  /** Outcome class (`global`, `f_j`, `other`). */
  outcome: string;
  /** Certificate verdicts of these ends (e.g. `{ "global minimum": 3 }`), if certified. */
  classifications: Record<string, number>;
}

type WorkerReply = { seed: number; report?: SolveReport; error?: string };
type WorkerMessage = WorkerReply | { ready: true };

/**
 * Solves the problem from seeds settings.seed, settings.seed + 1, … and returns the best run with
 * the distribution of all. `restarts` is a count or `auto`: keep drawing seeds until the closed
 * form is met or, without one, the best objective has been reached by at least two restarts, up
 * to `options.cap` (docs/solvers.md#restarts). The stopping rule is applied in seed order, so the
 * result does not depend on the number of workers. Throws RunError if every run failed.
 */
export async function solveWithRestarts(
  statement: UfmProblem | ResolvedProblem,
  settings: Partial<SolverSettings>,
  restarts: number | "auto",
  options: RestartOptions = {},
): Promise<RestartReport> {
  const problem = resolveProblem(statement);
  const firstSeed = settings.seed ?? 0;
  const auto = restarts === "auto";
  const cap = auto ? (options.cap ?? 64) : restarts;
  const tolerance = options.tolerance ?? 1e-6;
  const theory = theoryFor(problem);
  const workerCount = Math.max(
    1,
    Math.min(options.workers ?? navigator.hardwareConcurrency ?? 1, cap),
  );
  const pool = workerCount === 1 ? null : new RestartPool(workerCount);
  const replies: WorkerReply[] = [];
  let stoppedBy: "count" | "closed form" | "repeated best" | "cap" = "count";
  try {
    while (replies.length < cap) {
      const batch = Array.from(
        { length: Math.min(auto ? workerCount : cap, cap - replies.length) },
        (_, i) => firstSeed + replies.length + i,
      );
      const done = replies.length;
      const onProgress = (finished: number) => options.onProgress?.(done + finished, cap);
      const results = pool === null
        ? batch.map((seed, i) => {
          const reply = solveInThread(problem, settings, seed);
          onProgress(i + 1);
          return reply;
        })
        : await pool.run(problem, settings, batch, onProgress);
      results.sort((a, b) => a.seed - b.seed);
      replies.push(...results);
      if (!auto) continue;
      const stop = autoStop(replies, theory, tolerance);
      if (stop !== null) {
        replies.length = stop.prefix; // later seeds of the batch are not part of the answer
        stoppedBy = stop.reason;
        break;
      }
      if (replies.length >= cap) stoppedBy = "cap";
    }
  } finally {
    pool?.close();
  }
  const count = replies.length;
  const seeds = replies.map((reply) => reply.seed);
  const succeeded = replies.filter((r) => r.report !== undefined);
  if (succeeded.length === 0) {
    throw new RunError(`all ${count} restarts failed; first: ${replies[0].error}`);
  }
  const objectives = replies.map((r) => r.report?.objective ?? NaN);
  const gaps = objectives.map((
    f,
  ) => (theory === null || Number.isNaN(f) ? null : f - theory.objective));
  const best = succeeded.reduce((a, b) => (b.report!.objective < a.report!.objective ? b : a));
  const ranks = rankValues(theory);
  const outcomes = objectives.map((f) =>
    classifyOutcome(
      f,
      theory === null ? null : { objective: theory.objective, rank_values: ranks ?? undefined },
      tolerance,
    )
  );
  const outcomeCounts: Record<string, number> = {};
  for (const outcome of outcomes) outcomeCounts[outcome] = (outcomeCounts[outcome] ?? 0) + 1;
  const atTheory = theory === null
    ? null
    : gaps.filter((g) =>
      g !== null && Math.abs(g) <= tolerance * Math.max(1, Math.abs(theory.objective))
    )
      .length / count;
  const classifications = replies.map((r) => r.report?.certificate?.classification ?? null);
  return {
    ...best.report!,
    settings: { ...best.report!.settings, seed: firstSeed }, // the requested first seed
    restarts: {
      count,
      seeds,
      objectives,
      gaps,
      best_seed: best.seed,
      fraction_at_theory: atTheory,
      tolerance,
      failures: replies.filter((r) => r.error !== undefined).map((r) => ({
        seed: r.seed,
        error: r.error!,
      })),
      outcomes,
      outcome_counts: outcomeCounts,
      rank_values: ranks,
      classifications,
      distinct: distinctEnds(replies, outcomes, tolerance),
      stopped_by: stoppedBy,
    },
  };
}

/**
 * The shortest seed-order prefix at which `auto` restarts stop: with a closed form, when the best
 * objective so far meets it (a repeated local minimum is not an answer); without one, when the
 * best objective has been reached (within the tolerance) by at least two restarts.
 */
function autoStop(
  replies: WorkerReply[],
  theory: Theory | null,
  tolerance: number,
): { prefix: number; reason: "closed form" | "repeated best" } | null {
  for (let prefix = 1; prefix <= replies.length; prefix++) {
    const values = replies.slice(0, prefix).flatMap((r) => r.report ? [r.report.objective] : []);
    if (values.length === 0) continue;
    const best = Math.min(...values);
    const near = (f: number, target: number) =>
      Math.abs(f - target) <= tolerance * Math.max(1, Math.abs(target));
    if (theory !== null) {
      if (near(best, theory.objective)) return { prefix, reason: "closed form" };
    } else if (values.filter((f) => near(f, best)).length >= 2) {
      return { prefix, reason: "repeated best" };
    }
  }
  return null;
}

/** Groups the end values within the tolerance, lowest first. */
function distinctEnds(
  replies: WorkerReply[],
  outcomes: string[],
  tolerance: number,
): DistinctEnd[] {
  const ends = replies.flatMap((reply, i) =>
    reply.report ? [{ reply, outcome: outcomes[i], objective: reply.report.objective }] : []
  ).sort((a, b) => a.objective - b.objective);
  const groups: DistinctEnd[] = [];
  for (const end of ends) {
    const group = groups.at(-1);
    if (
      group !== undefined &&
      Math.abs(end.objective - group.objective) <=
        tolerance * Math.max(1, Math.abs(group.objective))
    ) {
      group.count++;
      group.seeds.push(end.reply.seed);
    } else {
      groups.push({
        objective: end.objective,
        count: 1,
        seeds: [end.reply.seed],
        outcome: end.outcome,
        classifications: {},
      });
    }
    const verdict = end.reply.report!.certificate?.classification;
    const last = groups.at(-1)!;
    if (verdict) last.classifications[verdict] = (last.classifications[verdict] ?? 0) + 1;
  }
  return groups;
}

function solveInThread(
  problem: ResolvedProblem,
  settings: Partial<SolverSettings>,
  seed: number,
): WorkerReply {
  try {
    return { seed, report: solveUfm(problem, { ...settings, seed }) };
  } catch (error) {
    if (error instanceof RunError) return { seed, error: `${error.name}: ${error.message}` };
    throw error;
  }
}

/** Workers that solve seeds of one problem, reused across the batches of `auto` restarts. */
class RestartPool {
  readonly #workers: Worker[] = [];
  readonly #ready: Promise<void>[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./restart_worker.ts", import.meta.url).href, {
        type: "module",
      });
      // Messages sent before the worker's module finished loading could be lost: wait for it.
      this.#ready.push(
        new Promise((resolve) => {
          worker.onmessage = () => resolve();
        }),
      );
      this.#workers.push(worker);
    }
  }

  /** Solves `seeds` on the workers; replies in completion order. */
  async run(
    problem: ResolvedProblem,
    settings: Partial<SolverSettings>,
    seeds: number[],
    onProgress?: (done: number) => void,
  ): Promise<WorkerReply[]> {
    await Promise.all(this.#ready);
    return new Promise((resolve, reject) => {
      const queue = [...seeds];
      const replies: WorkerReply[] = [];
      const feed = (worker: Worker) => {
        const seed = queue.shift();
        if (seed !== undefined) {
          worker.postMessage({ problem, settings, seed } satisfies RestartTask);
        }
      };
      for (const worker of this.#workers) {
        worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
          if ("ready" in event.data) return;
          replies.push(event.data);
          onProgress?.(replies.length);
          if (event.data.error?.startsWith("UsageError")) {
            reject(new Error(event.data.error));
            return;
          }
          if (replies.length === seeds.length) resolve(replies);
          else feed(worker);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(`restart worker failed: ${event.message}`));
        };
        feed(worker);
      }
    });
  }

  /** Terminates the workers. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}
