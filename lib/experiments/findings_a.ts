/**
 * The "measured" sentences of paper A's UFM figures (A1–A5), written from the runs' numbers:
 * each function takes what a figure measured and returns the text with the statistics it
 * states, so a sentence says what the data says — tests/findings_ufm_test.ts feeds them data
 * that contradicts the papers and checks that the text changes with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNonIncreasing } from "./findings_a.ts";
 * assert.ok(isNonIncreasing([3, 2, 2, 1]));
 * assert.ok(!isNonIncreasing([3, 2, 2.5]));
 * ```
 * @module
 */
import { expectTheory, type Theory } from "../theory/mod.ts";
import { countsText, percentRange, sci, textRange } from "./format.ts";
import { countMatching, fractionOf, thresholdBracket, valueClusters } from "./outcomes.ts";

/**
 * True if every value is at most the previous one, up to a relative slack `relTol` for rounding
 * (default 1e-9).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(isNonIncreasing([1, 1 + 1e-12]));
 * assert.ok(!isNonIncreasing([1, 1 + 1e-12], 0));
 * ```
 */
export function isNonIncreasing(series: readonly number[], relTol = 1e-9): boolean {
  return series.every((value, i) => i === 0 || value <= series[i - 1] * (1 + relTol));
}

/** One gradient run of figure A1. */
export interface DynamicsRun {
  /** Bias mode key ("none", "free"). */
  bias: string;
  /** c = √(λ_Wλ_H). */
  c: number;
  /** Optimizer key: "gd" (the baseline) or "heavy_ball". */
  optimizer: string;
  /** Final |f − f*|. */
  error: number;
  /** Iterations run. */
  iterations: number;
  /** True if the gradient tolerance was reached. */
  converged: boolean;
  /** Largest final NC distance (NC1, frame, self-duality); null past the zero threshold. */
  finalDistance: number | null;
  /** NC1 at the observed iterations (empty past the zero threshold). */
  nc1: readonly number[];
}

/** What {@link gdDynamicsFinding} read off the runs. */
export interface DynamicsFinding {
  /** The measured text. */
  text: string;
  /** Largest final |f − f*|. */
  maxError: number;
  /** Largest final NC distance over the runs with a nonzero minimizer. */
  maxFinalDistance: number;
  /** GD iterations / heavy-ball iterations where both converged, per (bias, c). */
  speedups: number[];
}

/**
 * Figure A1: how close every run ended to f*, whether NC1 fell monotonically, how much faster
 * heavy ball converged than plain GD, and which runs did not converge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const run = { bias: "none", c: 0.5, error: 1e-15, converged: true, finalDistance: 1e-14,
 *   nc1: [1, 0.5, 0.1] };
 * const finding = gdDynamicsFinding([
 *   { ...run, optimizer: "gd", iterations: 3000 },
 *   { ...run, optimizer: "heavy_ball", iterations: 500 },
 * ], 60000);
 * assert.deepEqual(finding.speedups, [6]);
 * assert.match(finding.text, /NC1 is non-increasing .* in 2 of 2 runs/);
 * assert.match(finding.text, /6\.0× fewer iterations/);
 * ```
 */
export function gdDynamicsFinding(
  runs: readonly DynamicsRun[],
  maxIterations: number,
): DynamicsFinding {
  const maxError = Math.max(...runs.map((run) => run.error));
  const distances = runs.flatMap((run) => run.finalDistance === null ? [] : [run.finalDistance]);
  const maxFinalDistance = distances.length === 0 ? 0 : Math.max(...distances);
  const withNc1 = runs.filter((run) => run.nc1.length > 0);
  const monotone = withNc1.filter((run) => isNonIncreasing(run.nc1)).length;
  const speedups: number[] = [];
  for (const gd of runs.filter((run) => run.optimizer === "gd" && run.converged)) {
    const fast = runs.find((run) =>
      run.optimizer === "heavy_ball" && run.bias === gd.bias && run.c === gd.c
    );
    if (fast?.converged) speedups.push(gd.iterations / fast.iterations);
  }
  const ratio = (x: number) => x.toFixed(1);
  const speed = speedups.length === 0
    ? "No setting had both optimizers reach the gradient tolerance, so no speed-up was measured. "
    : Math.min(...speedups) >= 1
    ? "Where both optimizers reached the gradient tolerance, heavy ball needed " +
      `${textRange(speedups, ratio)}× fewer iterations than plain GD. `
    : "Where both optimizers reached the gradient tolerance, GD's iterations over heavy ball's " +
      `were ${textRange(speedups, ratio)}: heavy ball was not always faster. `;
  const unconverged = runs.filter((run) => !run.converged).map((run) =>
    `${run.optimizer} at c = ${run.c} (bias ${run.bias}): |f − f*| = ${sci(run.error)}`
  );
  const text = `Final |f − f*| ≤ ${sci(maxError)} over all ${runs.length} runs (largest final ` +
    `NC1 / frame / self-duality distance ${sci(maxFinalDistance)}); NC1 is non-increasing at ` +
    `every observed iteration in ${monotone} of ${withNc1.length} runs. ${speed}` +
    (unconverged.length === 0
      ? "All runs converged."
      : `Not converged within ${maxIterations} iterations: ${unconverged.join("; ")}.`);
  return { text, maxError, maxFinalDistance, speedups };
}

/** What {@link agreementText} compares. */
export interface Agreement {
  /** Which runs, e.g. "15 + 9 solver runs (K = 4, n = 5, d = 8)". */
  runs: string;
  /** Over which quantities the error is taken, e.g. "norms and objectives". */
  over: string;
  /** Largest |solver − theory|. */
  maxError: number;
  /** Largest error that still counts as agreement. */
  tolerance: number;
}

/**
 * The solver-vs-closed-form sentence of a figure (A2, B2): the largest error and whether it is
 * within the tolerance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const agreement = { runs: "3 runs", over: "norms", tolerance: 1e-8 };
 * assert.match(agreementText({ ...agreement, maxError: 2e-11 }), /2\.0e-11: they agree/);
 * assert.match(agreementText({ ...agreement, maxError: 0.3 }), /do NOT agree/);
 * ```
 */
export function agreementText(agreement: Agreement): string {
  const { runs, over, maxError, tolerance } = agreement;
  return `${runs}: largest |solver − theory| over ${over} ${sci(maxError)}` +
    (maxError <= tolerance
      ? `: they agree with the closed form to within ${sci(tolerance, 0)}.`
      : `: solver and closed form do NOT agree to within ${sci(tolerance, 0)}.`);
}

/** Seeded restarts of a layered linear model at one κ (figure A3). */
export interface KappaRestarts {
  /** κ. */
  kappa: number;
  /** Closed-form f*. */
  fStar: number;
  /** Best objective over all restarts. */
  best: number;
  /** Largest |norm − closed form| of the best run. */
  normError: number;
  /** Outcome counts per init key (lib/ufm/restarts.ts outcomes). */
  counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The inputs of {@link extendedLinearFinding}. */
export interface ExtendedLinearData {
  /** One entry per κ of the grid. */
  results: readonly KappaRestarts[];
  /** κ* past which the origin is the global minimum. */
  threshold: number;
  /** κ below which nonzero local minima exist. */
  bound: number;
  /** The init scales, main one first: key in `counts`, init std, restarts per κ. */
  portfolio: readonly { key: string; initStd: number; restarts: number }[];
  /** Problem sizes and λ ratios, for the text. */
  setting: string;
}

/** What {@link extendedLinearFinding} read off the restarts. */
export interface ExtendedLinearFinding {
  /** The measured text. */
  text: string;
  /** max |f_best − f*| over κ. */
  objectiveError: number;
  /** Largest norm error of the best runs. */
  normError: number;
}

/**
 * Figure A3: how close the best restart came to f* and to the closed-form norms, and how often
 * each init scale reached the global minimum below κ* (the collapsed solution) and between κ*
 * and the local-minimum bound (the origin), with every κ's outcome counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const at = (kappa: number, main: Record<string, number>) => ({ kappa, fStar: 0.3, best: 0.3,
 *   normError: 1e-9, counts: { big: main, small: { f_0: 2 } } });
 * const data = { threshold: 0.4, bound: 0.47, setting: "K = 4",
 *   portfolio: [{ key: "big", initStd: 1, restarts: 4 }, { key: "small", initStd: 0.1,
 *   restarts: 2 }] };
 * const good = extendedLinearFinding({ ...data, results: [at(0.1, { global: 4 }),
 *   at(0.45, { global: 4 })] });
 * assert.match(good.text, /Below κ\* the std 1 restarts reached f\* in 100% of seeds/);
 * const bad = extendedLinearFinding({ ...data, results: [at(0.1, { global: 1, f_2: 3 }),
 *   at(0.45, { global: 4 })] });
 * assert.match(bad.text, /in 25% of seeds per κ \(3 std 1 restarts in all ended at a rank/);
 * ```
 */
export function extendedLinearFinding(data: ExtendedLinearData): ExtendedLinearFinding {
  const { results, threshold, bound } = data;
  const inits = data.portfolio.map((p) => ({ ...p, label: `std ${p.initStd}` }));
  const [main, small] = inits;
  const objectiveError = Math.max(...results.map((r) => Math.abs(r.best - r.fStar)));
  const normError = Math.max(...results.map((r) => r.normError));
  const below = results.filter((r) => r.kappa < threshold);
  const between = results.filter((r) => r.kappa > threshold && r.kappa < bound);
  const reached = (subset: readonly KappaRestarts[], key: string) =>
    subset.length === 0 ? "(no grid point)" : percentRange(
      subset.map((r) => fractionOf(r.counts[key])),
    );
  const rankDeficient = below.reduce((sum, r) => sum + countMatching(r.counts[main.key], /^f_/), 0);
  const perKappa = results.map((r) =>
    `${r.kappa}: ${inits.map((i) => countsText(r.counts[i.key])).join(" | ")}`
  ).join("; ");
  const text = `Best of ${
    inits.map((i) => `${i.restarts} restarts from init ${i.label}`)
      .join(" and ")
  } at ${results.length} values of κ (${data.setting}): max |f_best − f*| = ` +
    `${sci(objectiveError)}, max norm error ${sci(normError)}. Below κ* the ${main.label} ` +
    `restarts reached f* in ${reached(below, main.key)} of seeds per κ (${rankDeficient} ` +
    `${main.label} restarts in all ended at a rank-deficient f_j); between κ* and the ` +
    `local-minimum bound (${bound.toFixed(4)}) they reached the global minimum (the origin) in ` +
    `${reached(between, main.key)}` +
    (small === undefined ? "" : `, the ${small.label} restarts in ${reached(between, small.key)}`) +
    `. Outcomes per κ (${inits.map((i) => i.label).join(" | ")}): ${perKappa}.`;
  return { text, objectiveError, normError };
}

/** The restarts of both extended models at one regularization (figure A4). */
export interface ReluConfigRuns {
  /** The regularization, e.g. "λ = 0.05 each". */
  label: string;
  /** The restarts of each model, by its registry name. */
  reports: { "ext-linear": LinearRestarts; "ext-relu": ReluRestarts };
}

/** The linear model's restarts (its closed form gives f*). */
export interface LinearRestarts {
  objective: number;
  theory: Theory | null;
  restarts: { outcome_counts: Readonly<Record<string, number>> };
}

/** The ReLU model's restarts, with the layer metrics of the best run. */
export interface ReluRestarts {
  objective: number;
  restarts: {
    objectives: readonly number[];
    outcomes: readonly string[];
    outcome_counts: Readonly<Record<string, number>>;
  };
  layers?: {
    penultimate_of: number;
    h1_cosines: readonly number[];
    features: readonly { min_mean_entry: number }[];
  };
}

/** The inputs of {@link extendedReluFinding}. */
export interface ExtendedReluData {
  /** One entry per regularization. */
  runs: readonly ReluConfigRuns[];
  /** Final metrics of the ReLU run whose dynamics are shown: nc1_h1, nc1_h2, of_h1. */
  final: Readonly<Record<string, number>>;
  /** Sizes and solver, for the text. */
  setting: string;
}

/** What {@link extendedReluFinding} read off the runs. */
export interface ExtendedReluFinding {
  /** The measured text. */
  text: string;
  /** Largest |best f − linear f*| of either model. */
  objectiveError: number;
  /** Largest orthogonal-frame distance of H̄2 at the best ReLU runs. */
  ofError: number;
}

/**
 * Figure A4: whether the ReLU model reaches the linear model's f* (and never goes below it),
 * how close H̄2 is to a nonnegative orthogonal frame, the range of H̄1's cosines, the state of the
 * ReLU run shown, and where the restarts of both models ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepLinearTheory } from "../theory/deep_linear.ts";
 * const theory = deepLinearTheory({ counts: [5, 5, 5, 5], widths: [8, 8],
 *   lambdaWs: [0.0125, 0.0125], lambdaH: 0.0025, bias: "none", targetScale: 1 });
 * const fStar = theory!.objective;
 * const linear = { objective: fStar, theory, restarts: { outcome_counts: { global: 2 } } };
 * const relu = { objective: fStar,
 *   restarts: { objectives: [fStar, 0.31], outcomes: ["global", "other"],
 *     outcome_counts: { global: 1, other: 1 } },
 *   layers: { penultimate_of: 1e-9, h1_cosines: [-0.3, 0], features: [{ min_mean_entry: 0.1 }] } };
 * const final = { nc1_h1: 1e-12, nc1_h2: 1e-13, of_h1: 0.4 };
 * const runs = [{ label: "λ", reports: { "ext-linear": linear, "ext-relu": relu } }];
 * const finding = extendedReluFinding({ runs, final, setting: "" });
 * assert.match(finding.text, /no ReLU restart ended below the linear f[*]/);
 * assert.match(finding.text, /other at f = 0\.3100/);
 * const lower = { ...relu, restarts: { ...relu.restarts, objectives: [fStar - 0.1, 0.31] } };
 * const worse = [{ label: "λ", reports: { "ext-linear": linear, "ext-relu": lower } }];
 * assert.match(extendedReluFinding({ runs: worse, final, setting: "" }).text, /BELOW/);
 * ```
 */
export function extendedReluFinding(data: ExtendedReluData): ExtendedReluFinding {
  const { final } = data;
  const runs = data.runs.map(({ label, reports: { "ext-linear": linear, "ext-relu": relu } }) => ({
    label,
    fStar: expectTheory(linear.theory, "deep-linear").objective,
    linearBest: linear.objective,
    reluBest: relu.objective,
    reluRestarts: relu.restarts,
    linearCounts: linear.restarts.outcome_counts,
    layers: relu.layers!,
  }));
  const objectiveError = Math.max(
    ...runs.map((r) => Math.max(Math.abs(r.reluBest - r.fStar), Math.abs(r.linearBest - r.fStar))),
  );
  const ofError = Math.max(...runs.map((r) => r.layers.penultimate_of));
  const below = runs.some((r) =>
    Math.min(...r.reluRestarts.objectives.filter((f) => !Number.isNaN(f))) < r.fStar - 1e-10
  );
  const outcomes = runs.map((r) => {
    const others = r.reluRestarts.objectives.filter((_, i) =>
      r.reluRestarts.outcomes[i] === "other"
    );
    return `${r.label}: linear ${countsText(r.linearCounts)}; ReLU ` +
      countsText(r.reluRestarts.outcome_counts) + (others.length === 0
        ? ""
        : ` (other at f = ${valueClusters(others)}; f* = ${r.fStar.toFixed(4)})`);
  });
  const cosines = runs.map((r) =>
    `${Math.min(...r.layers.h1_cosines).toFixed(3)}, ${sci(Math.max(...r.layers.h1_cosines))}`
  );
  const text = `${data.setting}. Best ReLU f − linear f*: ` +
    runs.map((r) => `${sci(r.reluBest - r.fStar)} (${r.label})`).join(", ") + "; " +
    (below
      ? "some ReLU restart ended BELOW the linear f*"
      : "no ReLU restart ended below the linear f*") +
    `. At the best ReLU runs the OF distance of H̄2 is ` +
    `${runs.map((r) => sci(r.layers.penultimate_of)).join(" and ")} with smallest mean entry ` +
    `${runs.map((r) => r.layers.features.at(-1)!.min_mean_entry.toPrecision(2)).join(" and ")}; ` +
    `pairwise cosines of H̄1 lie in [${cosines.join("] and [")}]. Final state of the ReLU run ` +
    `shown: NC1(H1) ${sci(final.nc1_h1)}, NC1(H2) ${sci(final.nc1_h2)}, OF distance of H̄1 ` +
    `${final.of_h1.toFixed(3)}. Outcomes — ${outcomes.join("; ")} (f_j: rank-deficient values ` +
    "docs/extended-deep.md#rank-deficient; other: none of these).";
  return { text, objectiveError, ofError };
}

/** The best of the restarts at one (L, κ) of figure A5. */
export interface FactorPoint {
  /** Number of factors L. */
  factors: number;
  /** κ. */
  kappa: number;
  /** Best objective over all restarts. */
  best: number;
  /** Closed-form f*. */
  fStar: number;
  /** Outcome counts of the main restarts. */
  counts: Readonly<Record<string, number>>;
}

/** The inputs of {@link deepLinearFinding}. */
export interface DeepLinearData {
  /** Every (L, κ) solved, grouped by L with κ ascending. */
  points: readonly FactorPoint[];
  /** A tabulated f* the solver must reproduce (to 1e-8). */
  reference: { factors: number; kappa: number; objective: number };
  /** κ*_L of the closed form (lib/theory/deep_linear.ts `kappaStar`). */
  threshold: (factors: number) => number;
}

/** What {@link deepLinearFinding} read off the restarts. */
export interface DeepLinearFinding {
  /** The measured text. */
  text: string;
  /** max |f_best − f*|. */
  objectiveError: number;
  /** Per L: the grid interval where the best f first reaches ½ (null: not one clean switch). */
  brackets: { factors: number; bracket: [number, number] | null }[];
}

/**
 * Figure A5: how close the best restarts came to f*, whether the tabulated reference value is
 * reproduced, between which grid points the solver's best value reaches ½ (the zero solution)
 * and whether κ*_L lies inside that interval, and every point's outcome counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const at = (kappa: number, best: number) => ({ factors: 3, kappa, best, fStar: best,
 *   counts: { global: 2 } });
 * const data = { reference: { factors: 3, kappa: 0.1, objective: 0.3 }, threshold: () => 0.39685026 };
 * const inside = deepLinearFinding({ ...data, points: [at(0.1, 0.3), at(0.39, 0.49), at(0.4, 0.5)] });
 * assert.deepEqual(inside.brackets, [{ factors: 3, bracket: [0.39, 0.4] }]);
 * assert.match(inside.text, /L = 3: \(0\.39, 0\.4\] \(κ\*_3 = 0\.3969, inside\)/);
 * const outside = deepLinearFinding({ ...data, points: [at(0.1, 0.3), at(0.3, 0.5)] });
 * assert.match(outside.text, /OUTSIDE/);
 * ```
 */
export function deepLinearFinding(data: DeepLinearData): DeepLinearFinding {
  const { points, reference, threshold } = data;
  const objectiveError = Math.max(...points.map((p) => Math.abs(p.best - p.fStar)));
  const factorsList = [...new Set(points.map((p) => p.factors))];
  const brackets = factorsList.map((factors) => {
    const series = points.filter((p) => p.factors === factors);
    const zero = series.map((p) => p.best >= 0.5 - 1e-9);
    return { factors, bracket: thresholdBracket(series.map((p) => p.kappa), zero) };
  });
  const check = points.find((p) => p.factors === reference.factors && p.kappa === reference.kappa);
  const checkText = check === undefined
    ? `the reference point L = ${reference.factors}, λ = ${reference.kappa} was not solved`
    : `at L = ${reference.factors}, λ = ${reference.kappa} each the best f is ` +
      `${check.best.toFixed(8)} (tabulated: ${reference.objective}; ` +
      (Math.abs(check.best - reference.objective) <= 1e-8 ? "agrees)" : "DIFFERS)");
  const bracketText = brackets.map(({ factors, bracket }) => {
    const star = threshold(factors);
    const where = bracket !== null && bracket[0] < star && star <= bracket[1]
      ? "inside"
      : "OUTSIDE";
    return `L = ${factors}: ${bracket === null ? "no single switch" : `(${bracket.join(", ")}]`} ` +
      `(κ*_${factors} = ${star.toFixed(4)}, ${where})`;
  }).join("; ");
  const outcomes = points.map((p) => `L=${p.factors} κ=${p.kappa}: ${countsText(p.counts)}`);
  const text = `max |f_best − f*| = ${sci(objectiveError)}; ${checkText}. The solver's best ` +
    `value reaches ½ between grid points ${bracketText}. Outcomes of the main restarts per ` +
    `(L, κ): ${outcomes.join("; ")}.`;
  return { text, objectiveError, brackets };
}
