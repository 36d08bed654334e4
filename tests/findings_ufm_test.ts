/**
 * Tests for the analysis behind the UFM figures (lib/experiments, lib/theory/threshold.ts): the
 * zero-solution thresholds against their closed forms, the observation grid against the one the
 * figure scripts used to build inline, the restart summaries, and — for every figure's
 * "measured" text — that the sentence changes when synthetic data contradicts the paper.
 */
import assert from "node:assert/strict";
import {
  agreementText,
  deepLinearFinding,
  extendedLinearFinding,
  extendedReluFinding,
  gdDynamicsFinding,
} from "../lib/experiments/findings_a.ts";
import { landscapeFinding, lossDynamicsFinding } from "../lib/experiments/findings_b.ts";
import {
  countMatching,
  fractionOf,
  restartRows,
  thresholdBracket,
  valueClusters,
} from "../lib/experiments/outcomes.ts";
import { solvePortfolio } from "../lib/experiments/portfolio.ts";
import { logSpacedIterations } from "../lib/experiments/schedule.ts";
import { QUANTITIES, quantities } from "../lib/experiments/vocabulary.ts";
import { deepLinearTheory } from "../lib/theory/deep_linear.ts";
import { predictedMargin, zeroThreshold } from "../lib/theory/mod.ts";
import type { UfmProblem } from "../lib/ufm/problem.ts";
import { theoryFor } from "../lib/ufm/solve.ts";

const relClose = (a: number, b: number, tol: number) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

Deno.test("zeroThreshold finds paper B's thresholds K√(nλ_Wλ_H) = 1 and α + K√(nλ_Wλ_H) = 1", () => {
  const K = 4, n = 5;
  const at = (loss: "ce" | "ls" | "mse", lambda: number): UfmProblem => ({
    K,
    n,
    d: 8,
    lambdaW: lambda,
    lambdaH: lambda,
    lambdaB: lambda,
    bias: "reg",
    norm: "z",
    loss,
    targetScale: 1,
    ...(loss === "ls" ? { alpha: 0.05 } : {}),
  });
  const threshold = (loss: "ce" | "ls" | "mse") =>
    zeroThreshold((lambda) => predictedMargin(theoryFor(at(loss, lambda))!) === 0);
  assert.ok(relClose(threshold("ce"), 1 / (K * Math.sqrt(n)), 1e-12));
  assert.ok(relClose(threshold("ls"), (1 - 0.05) / (K * Math.sqrt(n)), 1e-12));
  assert.ok(relClose(threshold("mse"), 1 / (K * Math.sqrt(n)), 1e-12));
  assert.throws(() => zeroThreshold(() => false), /not zero at 10/);
  assert.throws(() => zeroThreshold(() => true, { low: 1, high: 0.5 }), /low < high/);
});

Deno.test("logSpacedIterations is the grid A1, A4 and B1 built inline", () => {
  for (const [last, perDecade] of [[60000, 25], [150000, 20], [12000, 20]]) {
    const inline = new Set<number>();
    for (let i = 0; i <= perDecade * Math.log10(last); i++) {
      inline.add(Math.round(10 ** (i / perDecade)));
    }
    for (let t = 0; t < 10; t++) inline.add(t);
    const grid = logSpacedIterations(last, perDecade);
    assert.deepEqual([...grid].sort((a, b) => a - b), [...inline].sort((a, b) => a - b));
  }
  assert.throws(() => logSpacedIterations(0, 10), /last/);
});

Deno.test("restart summaries: rows skip failed runs; fractions, brackets and clusters", () => {
  const stats = {
    seeds: [0, 1, 2],
    objectives: [0.5, NaN, 0.3],
    gaps: [0.2, null, 0],
    outcomes: ["f_0", "failed", "global"],
  };
  assert.deepEqual(restartRows(stats, { kappa: 0.1 }).map((row) => row.seed), [0, 2]);
  assert.deepEqual(restartRows(stats, {}, "gap").map((row) => row.value), [0.2, 0]);
  assert.equal(fractionOf({ global: 1, f_0: 1, failed: 2 }), 0.25);
  assert.throws(() => fractionOf({}), /no restarts/);
  assert.equal(countMatching({ global: 3, f_0: 1, f_2: 2, other: 4 }, /^f_/), 3);
  assert.deepEqual(thresholdBracket([0.1, 0.2, 0.3, 0.4], [false, false, true, true]), [0.2, 0.3]);
  assert.equal(thresholdBracket([0.1, 0.2, 0.3], [false, true, false]), null, "two switches");
  assert.equal(thresholdBracket([0.1, 0.2], [false, false]), null, "no switch");
  assert.throws(() => thresholdBracket([1, 2], [true]), /2 grid points, 1 flags/);
  assert.equal(valueClusters([0.4821, 0.5, 0.48209]), "0.4821 (×2), 0.5000");
});

Deno.test("solvePortfolio: best over every init scale, counts per scale", async () => {
  const problem: UfmProblem = {
    K: 3,
    n: 2,
    d: 4,
    lambdaW: 0,
    lambdaH: 0.6,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
    model: "ext-linear",
    lambdaWs: [0.6, 0.6],
  };
  const result = await solvePortfolio(problem, { lr: 0.01, iters: 4000, tol: 1e-10 }, [
    { key: "wide", initStd: 1, restarts: 2, firstSeed: 0, workers: 1 },
    { key: "narrow", initStd: 0.01, restarts: 1, firstSeed: 9, workers: 1 },
  ]);
  assert.deepEqual(Object.keys(result.counts), ["wide", "narrow"]);
  const all = [
    ...result.reports.wide.restarts.objectives,
    ...result.reports.narrow.restarts.objectives,
  ];
  assert.equal(result.best.objective, Math.min(...all.filter((f) => !Number.isNaN(f))));
  await assert.rejects(solvePortfolio(problem, {}, []), /empty portfolio/);
});

Deno.test("vocabulary: one label per key, columns in the order asked", () => {
  assert.equal(new Set(Object.values(QUANTITIES)).size, Object.keys(QUANTITIES).length);
  const metric = quantities("metric", "nc4", "gap");
  assert.deepEqual(metric.labels, [QUANTITIES.nc4, QUANTITIES.gap]);
});

const dynamicsRun = {
  bias: "none",
  c: 0.5,
  error: 1e-16,
  converged: true,
  finalDistance: 1e-15,
  nc1: [1, 0.1, 1e-3],
};

Deno.test("A1 text follows the data: monotone NC1, speed-up, convergence", () => {
  const runs = [
    { ...dynamicsRun, optimizer: "gd", iterations: 4000 },
    { ...dynamicsRun, optimizer: "heavy_ball", iterations: 400 },
  ];
  const good = gdDynamicsFinding(runs, 60000).text;
  assert.match(good, /non-increasing at every observed iteration in 2 of 2 runs/);
  assert.match(good, /heavy ball needed 10\.0× fewer iterations/);
  assert.match(good, /All runs converged\./);
  const bumpy = [{ ...runs[0], nc1: [1, 0.1, 0.2] }, runs[1]];
  assert.match(gdDynamicsFinding(bumpy, 60000).text, /in 1 of 2 runs/);
  const slow = [runs[0], { ...runs[1], iterations: 8000 }];
  assert.match(gdDynamicsFinding(slow, 60000).text, /heavy ball was not always faster/);
  const stuck = [runs[0], { ...runs[1], converged: false, error: 3e-4 }];
  const text = gdDynamicsFinding(stuck, 60000).text;
  assert.match(text, /No setting had both optimizers reach the gradient tolerance/);
  assert.match(text, /Not converged within 60000 iterations: heavy_ball at c = 0\.5/);
});

Deno.test("A2/B2 agreement text says when solver and closed form disagree", () => {
  const base = { runs: "12 solver runs", over: "norms", tolerance: 1e-8 };
  assert.match(agreementText({ ...base, maxError: 1e-12 }), /agree with the closed form/);
  assert.match(agreementText({ ...base, maxError: 2e-3 }), /do NOT agree/);
});

Deno.test("A3 text follows the restart outcomes below and above κ*", () => {
  const at = (kappa: number, big: Record<string, number>, small: Record<string, number>) => ({
    kappa,
    fStar: 0.3,
    best: 0.3,
    normError: 1e-10,
    counts: { "std_1": big, "std_0.1": small },
  });
  const data = {
    threshold: 0.3969,
    bound: 0.4725,
    setting: "K = 4",
    portfolio: [
      { key: "std_1", initStd: 1, restarts: 4 },
      { key: "std_0.1", initStd: 0.1, restarts: 2 },
    ],
  };
  const paperLike = extendedLinearFinding({
    ...data,
    results: [at(0.2, { global: 4 }, { f_0: 2 }), at(0.45, { f_3: 4 }, { global: 2 })],
  });
  assert.match(
    paperLike.text,
    /Below κ\* the std 1 restarts reached f\* in 100% of seeds per κ \(0 std 1/,
  );
  assert.match(paperLike.text, /the origin\) in 0%, the std 0\.1 restarts in 100%/);
  const trapped = extendedLinearFinding({
    ...data,
    results: [at(0.2, { global: 1, f_1: 3 }, { f_0: 2 }), at(0.45, { f_3: 4 }, { global: 2 })],
  });
  assert.match(trapped.text, /reached f\* in 25% of seeds per κ \(3 std 1 restarts in all ended/);
});

Deno.test("A4 text says when a ReLU restart ends below the linear optimum", () => {
  const theory = deepLinearTheory({
    counts: [5, 5, 5, 5],
    widths: [8, 8],
    lambdaWs: [0.075, 0.05],
    lambdaH: 0.02,
    bias: "none",
    targetScale: 1,
  })!;
  const fStar = theory.objective;
  const linear = { objective: fStar, theory, restarts: { outcome_counts: { global: 3 } } };
  const relu = {
    objective: fStar,
    restarts: {
      objectives: [fStar, 0.45],
      outcomes: ["global", "other"],
      outcome_counts: { global: 1, other: 1 },
    },
    layers: { penultimate_of: 2e-9, h1_cosines: [-0.5, -0.1], features: [{ min_mean_entry: 0.2 }] },
  };
  const final = { nc1_h1: 1e-12, nc1_h2: 1e-14, of_h1: 0.6 };
  const run = (
    r: typeof relu,
  ) => [{ label: "λ", reports: { "ext-linear": linear, "ext-relu": r } }];
  const text = extendedReluFinding({ runs: run(relu), final, setting: "K = 4" }).text;
  assert.match(text, /no ReLU restart ended below the linear f\*/);
  assert.match(text, /ReLU global 1, other 1 \(other at f = 0\.4500/);
  const below = { ...relu, restarts: { ...relu.restarts, objectives: [fStar - 0.01, 0.45] } };
  assert.match(extendedReluFinding({ runs: run(below), final, setting: "" }).text, /BELOW/);
});

Deno.test("A5 text says whether κ*_L lies in the solver's bracket and the reference agrees", () => {
  const point = (kappa: number, best: number) => ({
    factors: 4,
    kappa,
    best,
    fStar: best,
    counts: { global: 12 },
  });
  const data = {
    reference: { factors: 4, kappa: 0.2, objective: 0.37744604 },
    threshold: () => 0.2721655,
  };
  const good = deepLinearFinding({
    ...data,
    points: [point(0.2, 0.377446040001), point(0.27, 0.49), point(0.275, 0.5)],
  });
  assert.match(good.text, /L = 4: \(0\.27, 0\.275\] \(κ\*_4 = 0\.2722, inside\)/);
  assert.match(good.text, /tabulated: 0\.37744604; agrees/);
  const bad = deepLinearFinding({
    ...data,
    points: [point(0.2, 0.39), point(0.25, 0.5), point(0.275, 0.5)],
  });
  assert.match(bad.text, /\(0\.2, 0\.25\] \(κ\*_4 = 0\.2722, OUTSIDE\)/);
  assert.match(bad.text, /DIFFERS/);
  const noisy = deepLinearFinding({
    ...data,
    points: [point(0.2, 0.3774460), point(0.25, 0.5), point(0.27, 0.4)],
  });
  assert.match(noisy.text, /no single switch/);
});

Deno.test("B1 text follows the final states: f* reached, NC4 of MSE", () => {
  const run = { gap: 1e-15, nc1: 1e-16, nc2: 1e-12, nc3: 1e-11, nc4: 1e-14, iterations: 9000 };
  const runs = [
    { ...run, loss: "ce", label: "CE" },
    { ...run, loss: "ls", label: "LS (α = 0.05)" },
    { ...run, loss: "mse", label: "MSE", nc4: 0.3162 },
  ];
  const good = lossDynamicsFinding(runs, 10).text;
  assert.match(good, /every loss reached its predicted f\*/);
  assert.match(good, /≤ 1\.0e-14 for CE\/LS and at 0\.3162 for MSE/);
  const stuck = lossDynamicsFinding([{ ...runs[0], gap: 0.01 }, runs[1], runs[2]], 10).text;
  assert.match(stuck, /CE did NOT reach the predicted f\*/);
});

Deno.test("B3 text says when not every restart reached f*", () => {
  const all = { fraction_at_theory: 1, gaps: [0, 1e-16], failures: [] };
  assert.match(landscapeFinding([{ label: "CE, d = 8", stats: all }]).text, /Every run of every/);
  const some = {
    fraction_at_theory: 0.75,
    gaps: [0, 0, 0, 0.4],
    failures: [{ seed: 4, error: "diverged" }],
  };
  const text = landscapeFinding([{ label: "FL, d = 3", stats: some }]).text;
  assert.match(text, /FL, d = 3: 75% \(worst gap 4\.0e-1, 1 failed\)/);
  assert.match(text, /Not every run reached f\*/);
});
