/**
 * Seeded restarts of the UFM solver, run in parallel on Workers (one WASM instance each).
 * Non-convex problems (deep/extended models, focal loss, d = K − 1) can end in different
 * critical points from different initializations; this reports the best run and the
 * distribution of final objectives, so claims about landscapes are measured, not assumed.
 * Each restart is classified by where it ended: the global minimum, one of the rank-deficient
 * critical values f_j of the extended / deep linear models (science.md §3.4: j singular
 * directions at x*, the others at 0), or somewhere else.
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
}

/**
 * Classifies a final objective: `global` if |f − f*| ≤ tol·max(1, |f*|), else `f_j` for the
 * first rank-j critical value (science.md §3.4) within the same tolerance, else `other`.
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
  /** Called after every finished restart. */
  onProgress?: (done: number, total: number) => void;
}

type WorkerReply = { seed: number; report?: SolveReport; error?: string };
type WorkerMessage = WorkerReply | { ready: true };

/**
 * Solves the problem from seeds settings.seed, settings.seed + 1, …, (restarts of them) and
 * returns the best run with the distribution of all. Throws RunError if every run failed.
 */
export async function solveWithRestarts(
  statement: UfmProblem | ResolvedProblem,
  settings: Partial<SolverSettings>,
  restarts: number,
  options: RestartOptions = {},
): Promise<RestartReport> {
  const problem = resolveProblem(statement);
  const firstSeed = settings.seed ?? 0;
  const seeds = Array.from({ length: restarts }, (_, i) => firstSeed + i);
  const workerCount = Math.max(
    1,
    Math.min(options.workers ?? navigator.hardwareConcurrency ?? 1, restarts),
  );
  const replies = workerCount === 1
    ? seeds.map((seed, i) => {
      const reply = solveInThread(problem, settings, seed);
      options.onProgress?.(i + 1, restarts);
      return reply;
    })
    : await solveOnWorkers(problem, settings, seeds, workerCount, options.onProgress);
  replies.sort((a, b) => a.seed - b.seed);
  const succeeded = replies.filter((r) => r.report !== undefined);
  if (succeeded.length === 0) {
    throw new RunError(`all ${restarts} restarts failed; first: ${replies[0].error}`);
  }
  const theory = theoryFor(problem);
  const tolerance = options.tolerance ?? 1e-6;
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
      .length / restarts;
  return {
    ...best.report!,
    restarts: {
      count: restarts,
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
    },
  };
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

function solveOnWorkers(
  problem: ResolvedProblem,
  settings: Partial<SolverSettings>,
  seeds: number[],
  workerCount: number,
  onProgress?: (done: number, total: number) => void,
): Promise<WorkerReply[]> {
  return new Promise((resolve, reject) => {
    const queue = [...seeds];
    const replies: WorkerReply[] = [];
    const workers: Worker[] = [];
    const finish = (error?: Error) => {
      for (const worker of workers) worker.terminate();
      if (error) reject(error);
      else resolve(replies);
    };
    const feed = (worker: Worker) => {
      const seed = queue.shift();
      if (seed !== undefined) worker.postMessage({ problem, settings, seed } satisfies RestartTask);
    };
    for (let i = 0; i < workerCount; i++) {
      const worker = new Worker(new URL("./restart_worker.ts", import.meta.url).href, {
        type: "module",
      });
      worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
        if ("ready" in event.data) {
          feed(worker);
          return;
        }
        replies.push(event.data);
        onProgress?.(replies.length, seeds.length);
        if (event.data.error?.startsWith("UsageError")) {
          finish(new Error(event.data.error));
          return;
        }
        if (replies.length === seeds.length) finish();
        else feed(worker);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        finish(new Error(`restart worker failed: ${event.message}`));
      };
      workers.push(worker);
    }
  });
}
