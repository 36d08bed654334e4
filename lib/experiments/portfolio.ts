/**
 * A portfolio of seeded restarts: the same problem solved from several initialization scales
 * (e.g. 12 restarts from std 1 that find the collapsed minimum and 4 from std 0.1 that stay near
 * the origin), with the best run over all of them and the outcome counts per scale — what the
 * landscape figures of the layered models (A3, A5) measure at every κ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solvePortfolio } from "./portfolio.ts";
 * const result = await solvePortfolio({ K: 2, n: 1, d: 2, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 }, { lr: 0.1, iters: 5000 }, [
 *   { key: "std_1", initStd: 1, restarts: 2, firstSeed: 0, workers: 1 },
 *   { key: "std_0.1", initStd: 0.1, restarts: 1, firstSeed: 100, workers: 1 },
 * ]);
 * assert.deepEqual(result.counts, { "std_1": { global: 2 }, "std_0.1": { global: 1 } });
 * assert.ok(Math.abs(result.best.objective - result.best.theory!.objective) < 1e-9);
 * ```
 * @module
 */
import type { ResolvedProblem, UfmProblem } from "../ufm/problem.ts";
import { type RestartReport, solveWithRestarts } from "../ufm/restarts.ts";
import type { SolverSettings } from "../ufm/solve.ts";

/** Restarts from one initialization scale. */
export interface PortfolioEntry {
  /** Machine key of the scale, e.g. "std_1". */
  key: string;
  /** Std of the N(0, std²) initialization. */
  initStd: number;
  /** Number of restarts. */
  restarts: number;
  /** Seed of the first restart (the others follow). */
  firstSeed: number;
  /** Workers (default: lib/ufm/restarts.ts's; 1 runs in this thread). */
  workers?: number;
}

/** Options of {@link solvePortfolio}. */
export interface PortfolioOptions {
  /** Relative tolerance of "reached f*" (default 1e-6). */
  tolerance?: number;
  /** Prefix of the progress lines on stderr (default: none are printed). */
  progress?: string;
}

/** What {@link solvePortfolio} found. */
export interface PortfolioResult {
  /** The run with the lowest objective over every scale. */
  best: RestartReport;
  /** The restarts of each scale, by key. */
  reports: Record<string, RestartReport>;
  /** Outcome counts of each scale, by key. */
  counts: Record<string, Record<string, number>>;
}

/** Solves `problem` from every scale of `portfolio`, in order, and keeps the best run. */
export async function solvePortfolio(
  problem: UfmProblem | ResolvedProblem,
  settings: Partial<SolverSettings>,
  portfolio: readonly PortfolioEntry[],
  options: PortfolioOptions = {},
): Promise<PortfolioResult> {
  if (portfolio.length === 0) throw new RangeError("solvePortfolio: empty portfolio");
  const reports: Record<string, RestartReport> = {};
  const counts: Record<string, Record<string, number>> = {};
  let best: RestartReport | null = null;
  for (const { key, initStd, restarts, firstSeed, workers } of portfolio) {
    if (options.progress !== undefined) {
      console.error(`${options.progress}: ${restarts} restarts from init std ${initStd}`);
    }
    const report = await solveWithRestarts(
      problem,
      { ...settings, initStd, seed: firstSeed },
      restarts,
      { tolerance: options.tolerance, workers },
    );
    reports[key] = report;
    counts[key] = report.restarts.outcome_counts;
    if (best === null || report.objective < best.objective) best = report;
  }
  return { best: best!, reports, counts };
}
