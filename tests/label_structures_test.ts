// Label structures beyond balanced one-hot classes (issue 10): imbalanced classes against the
// per-class closed form of docs/imbalanced.md and against independent scipy solutions
// (tests/fixtures/make_ufm_fixtures.py), multi-label pick-all-label (PAL) against the same
// fixtures and its tag-wise-average structure, the PAL loss kernel, and column-order freedom.
import assert from "node:assert/strict";
import { coreKernel, type SoftTargetLossKernel } from "../lib/core/wasm.ts";
import { Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import { countLabels, labelSets, pairLabels } from "../lib/ufm/labels.ts";
import type { UfmObjective } from "../lib/ufm/models/types.ts";
import { convertLambdas, resolveProblem, type UfmProblem } from "../lib/ufm/problem.ts";
import { createModel, solveUfm, theoryFor } from "../lib/ufm/solve.ts";
import { UsageError } from "../lib/errors.ts";

interface ImbalancedFixture {
  counts: number[];
  d: number;
  loss: "ce" | "ls" | "fl";
  bias: "none" | "free" | "reg";
  lambda_w: number;
  lambda_h: number;
  lambda_b: number;
  alpha?: number;
  beta?: number;
  objective: number;
  starts_at_best: number;
  minority_cosine: number | null;
}

interface PalFixture {
  K: number;
  n: number;
  n_multi: number;
  d: number;
  bias: "none" | "free" | "reg";
  lambda_w: number;
  lambda_h: number;
  lambda_b: number;
  objective: number;
  c2: number[];
}

const fixtures = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/ufm_label_structures.json", import.meta.url)),
) as { imbalanced: ImbalancedFixture[]; pal: PalFixture[] };

function close(actual: number, expected: number, tol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} ≠ ${expected} (tol ${tol})`,
  );
}

const tight = { optimizer: "momentum" as const, lr: 0.1, momentum: 0.9, iters: 400000, tol: 1e-13 };

/**
 * docs/imbalanced.md#mse-bias-free written out directly: class k adds t√n_k − t²/2 if √n_k > t,
 * else n_k/2.
 */
function minorityCollapseObjective(counts: number[], lambdaW: number, lambdaH: number): number {
  const N = counts.reduce((sum, n) => sum + n, 0);
  const t = N * Math.sqrt(lambdaW * lambdaH);
  return counts.reduce(
    (sum, n) => sum + (Math.sqrt(n) > t ? t * Math.sqrt(n) - t * t / 2 : n / 2),
    0,
  ) /
    N;
}

Deno.test("imbalanced bias-free MSE: objective and per-class norms = closed form (f64, Z and TB)", () => {
  // (counts, λ^Z): t = N√(λ_Wλ_H) against √n_k decides which classes collapse.
  const cases: [number[], number, number][] = [
    [[20, 10, 5, 2], 2e-3, 2e-3], // nothing collapses
    [[20, 10, 5, 2, 2], 5e-2, 5e-2], // t = 1.95: the two classes of 2 collapse
    [[30, 3, 3, 3], 5e-2, 5e-2], // t = 1.95 > √3: only the majority survives
    [[6, 6, 6, 1], 6e-2, 5e-2], // t = 1.04 > √1: the one-sample class collapses
    [[12, 7, 4, 4, 1], 1e-2, 5e-3],
    [[9, 9, 2], 4e-3, 4e-3],
    [[50, 5], 1e-3, 2e-2],
  ];
  let collapsedClasses = 0;
  for (const [counts, lambdaW, lambdaH] of cases) {
    const N = counts.reduce((sum, n) => sum + n, 0);
    const K = counts.length;
    const expected = minorityCollapseObjective(counts, lambdaW, lambdaH);
    for (const norm of ["z", "tb"] as const) {
      const lambdas = norm === "z"
        ? { lambdaW, lambdaH }
        : convertLambdas({ lambdaW, lambdaH, lambdaB: 0 }, "z", "tb", K, N);
      const problem: UfmProblem = {
        K,
        counts,
        d: K + 2,
        lambdaW: lambdas.lambdaW,
        lambdaH: lambdas.lambdaH,
        lambdaB: 0,
        bias: "none",
        norm,
        loss: "mse",
        targetScale: 1,
      };
      const label = `${counts} (${norm})`;
      const theory = theoryFor(problem)!;
      close(theory.objective, expected, 1e-14, `${label} closed form vs the written formula`);
      const report = solveUfm(problem, { ...tight, initStd: 0.5, seed: 3 });
      assert.ok(report.converged, `${label} converged`);
      close(report.objective, theory.objective, 1e-9, `${label} f`);
      const perClass = theory.per_class!;
      for (let k = 0; k < K; k++) {
        close(report.norms.h_class_sq[k], perClass.h_mean_sq[k], 1e-9, `${label} ‖h̄_${k}‖²`);
        close(report.norms.w_class_sq[k], perClass.w_row_sq[k], 1e-9, `${label} ‖w_${k}‖²`);
        const t = N * Math.sqrt(lambdaW * lambdaH);
        assert.equal(perClass.collapsed[k], Math.sqrt(counts[k]) <= t, `${label} collapse ${k}`);
        if (norm === "z" && perClass.collapsed[k]) collapsedClasses++;
      }
    }
  }
  assert.ok(collapsedClasses >= 4, `only ${collapsedClasses} collapsed classes were tested`);
});

/**
 * docs/imbalanced.md#mse-free-bias-step written out directly (Z convention, s = 1): K_A classes
 * of n_A and K_B of n_B, singular values √n_A (K_A − 1 times), √n_B (K_B − 1) and √μ,
 * μ = K n_A n_B / N — independent of the secular-equation code in lib/theory/imbalanced.ts.
 */
function twoGroupFreeBias(
  [KA, nA, KB, nB]: number[],
  lambdaW: number,
  lambdaH: number,
): { objective: number; wMajority: number; wMinority: number; minorityCosine: number } {
  const K = KA + KB, N = KA * nA + KB * nB;
  const t = N * Math.sqrt(lambdaW * lambdaH);
  const C = (x: number) => (x > t ? t * x - t * t / 2 : x * x / 2);
  const mu = (K * nA * nB) / N;
  const [zA, zB, zMu] = [nA, nB, mu].map((x) => Math.max(Math.sqrt(x) - t, 0));
  const ratio = Math.sqrt(lambdaH / lambdaW);
  const wMinorityScaled = (1 - 1 / KB) * zB + (KA / (K * KB)) * zMu;
  return {
    objective: ((KA - 1) * C(Math.sqrt(nA)) + (KB - 1) * C(Math.sqrt(nB)) + C(Math.sqrt(mu))) / N,
    wMajority: ratio * ((1 - 1 / KA) * zA + (KB / (K * KA)) * zMu),
    wMinority: ratio * wMinorityScaled,
    minorityCosine: (-zB / KB + (KA / (K * KB)) * zMu) / wMinorityScaled,
  };
}

Deno.test("imbalanced MSE with a free bias: closed form = two-group formula = solver (Z, TB, deep)", () => {
  for (
    const [layout, lambdaW, lambdaH] of [
      [[2, 40, 2, 4], 0.01, 0.01], // every direction alive
      [[3, 100, 2, 5], 8e-3, 8e-3], // t = 2.48: √n_B < t < √μ, parallel minority classifiers
      [[2, 30, 3, 30], 5e-3, 5e-3], // balanced: the free-bias ETF
    ] as const
  ) {
    const [KA, nA, KB, nB] = layout;
    const counts: number[] = [...new Array(KA).fill(nA), ...new Array(KB).fill(nB)];
    const label = `counts ${counts}, λ ${lambdaW}, ${lambdaH}`;
    const problem: UfmProblem = {
      K: counts.length,
      counts,
      d: 8,
      lambdaW,
      lambdaH,
      lambdaB: 0,
      bias: "free",
      norm: "z",
      loss: "mse",
      targetScale: 1,
    };
    const theory = theoryFor(problem)!;
    const twoGroup = twoGroupFreeBias([...layout], lambdaW, lambdaH);
    close(theory.objective, twoGroup.objective, 1e-13, `${label} f*`);
    const w = theory.per_class!.w_row_sq;
    close(w[0], twoGroup.wMajority, 1e-12, `${label} ‖w_majority‖²`);
    close(w[counts.length - 1], twoGroup.wMinority, 1e-12, `${label} ‖w_minority‖²`);
    const report = solveUfm(problem, { path: "full", tol: 1e-12 });
    close(report.objective, theory.objective, 1e-12, `${label} solver f`);
    for (let k = 0; k < counts.length; k++) {
      close(report.norms.w_class_sq[k], w[k], 1e-7, `${label} solver ‖w_${k}‖²`);
      close(report.norms.h_class_sq[k], theory.per_class!.h_mean_sq[k], 1e-7, `${label} ‖h̄_${k}‖²`);
    }
    // The same problem in the TB convention is the same minimizer.
    const N = counts.reduce((sum, n) => sum + n, 0);
    const tb = convertLambdas({ lambdaW, lambdaH, lambdaB: 0 }, "z", "tb", counts.length, N);
    const inTb = theoryFor({ ...problem, lambdaW: tb.lambdaW, lambdaH: tb.lambdaH, norm: "tb" })!;
    close(inTb.objective, theory.objective, 1e-13, `${label} TB`);
  }
  // Step 2's parallel minority classifiers: cosine exactly 1 while √μ > t ≥ √n_B.
  close(twoGroupFreeBias([3, 100, 2, 5], 8e-3, 8e-3).minorityCosine, 1, 1e-15, "parallel");
  // L = 3 factors: the solver (restarts auto) meets the L-factor form of the same directions.
  const deep: UfmProblem = {
    K: 5,
    counts: [50, 30, 30, 10, 5],
    d: 8,
    model: "deep-linear",
    depth: 2,
    lambdaW: 0.05,
    lambdaWs: [0.05, 0.05],
    lambdaH: 0.05,
    lambdaB: 0,
    bias: "free",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
  };
  const report = solveUfm(deep, {});
  close(report.objective, theoryFor(deep)!.objective, 1e-12, "deep-linear free bias f*");
});

Deno.test("imbalanced closed form: per-class norms follow ‖w_k‖² = √(λ_H/λ_W)(√n_k − t)_+", () => {
  const counts = [16, 9, 4, 1], lambdaW = 2e-2, lambdaH = 8e-3;
  const theory = theoryFor({
    K: 4,
    counts,
    d: 6,
    lambdaW,
    lambdaH,
    lambdaB: 0,
    bias: "none",
    norm: "z",
    loss: "mse",
    targetScale: 1,
  })!;
  const N = 30, t = N * Math.sqrt(lambdaW * lambdaH);
  counts.forEach((n, k) => {
    const z = Math.max(Math.sqrt(n) - t, 0); // singular value of the optimal W·G, G = √n_k h̄_k
    close(theory.per_class!.w_row_sq[k], Math.sqrt(lambdaH / lambdaW) * z, 1e-13, `w_${k}`);
    close(theory.per_class!.h_mean_sq[k], Math.sqrt(lambdaW / lambdaH) * z / n, 1e-13, `h_${k}`);
  });
});

Deno.test("imbalanced CE / LS / FL = independent scipy minima to 1e-8 (fixtures)", () => {
  for (const fixture of fixtures.imbalanced) {
    const problem: UfmProblem = {
      K: fixture.counts.length,
      counts: fixture.counts,
      d: fixture.d,
      lambdaW: fixture.lambda_w,
      lambdaH: fixture.lambda_h,
      lambdaB: fixture.lambda_b,
      bias: fixture.bias,
      norm: "z",
      loss: fixture.loss,
      targetScale: 1,
      ...(fixture.alpha === undefined ? {} : { alpha: fixture.alpha }),
      ...(fixture.beta === undefined ? {} : { beta: fixture.beta }),
    };
    const label = `${fixture.counts} ${fixture.loss} ${fixture.bias}`;
    assert.equal(theoryFor(problem), null, `${label}: no closed form claimed`);
    const report = solveUfm(problem, { ...tight, initStd: 1, seed: 2 });
    assert.ok(report.converged, `${label} converged`);
    close(report.objective, fixture.objective, 1e-8, `${label} f`);
    assert.ok(report.metrics.nc1 < 1e-12, `${label} NC1 ${report.metrics.nc1}`);
    if (fixture.minority_cosine !== null) {
      close(report.minority!.classifier_cosine, fixture.minority_cosine, 1e-5, `${label} cos`);
    }
  }
});

/** Tag-wise average of a PAL state: cos and scale of h̄_S against (h̄_k + h̄_l)/2 per pair. */
function tagwise(model: UfmObjective): { cosines: number[]; scales: number[] } {
  const labels = model.problem.labels;
  assert.equal(labels.kind, "multi");
  if (labels.kind !== "multi") throw new Error("unreachable");
  const H = model.penultimate().toRows(); // d rows × N
  const d = H.length;
  const meanOf = (columns: number[]): number[] =>
    Array.from(
      { length: d },
      (_, r) => columns.reduce((sum, j) => sum + H[r][j], 0) / columns.length,
    );
  const groups = new Map<string, number[]>();
  labels.sets.forEach((set, j) => {
    const key = set.join(",");
    groups.set(key, [...(groups.get(key) ?? []), j]);
  });
  const single = (k: number) => meanOf(groups.get(String(k))!);
  const cosines: number[] = [], scales: number[] = [];
  for (const [key, columns] of groups) {
    const set = key.split(",").map(Number);
    if (set.length < 2) continue;
    const hs = meanOf(columns);
    const average = Array.from(
      { length: d },
      (_, r) => set.reduce((sum, k) => sum + single(k)[r], 0) / set.length,
    );
    const dot = hs.reduce((sum, v, r) => sum + v * average[r], 0);
    const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    cosines.push(dot / (norm(hs) * norm(average)));
    scales.push(norm(hs) / norm(average));
  }
  return { cosines, scales };
}

Deno.test("PAL: objective = scipy fixtures to 1e-8; tag-wise cosine 1 to 1e-8, equal c_2", () => {
  for (const fixture of fixtures.pal) {
    const problem: UfmProblem = {
      K: fixture.K,
      n: fixture.n,
      nMulti: fixture.n_multi,
      d: fixture.d,
      lambdaW: fixture.lambda_w,
      lambdaH: fixture.lambda_h,
      lambdaB: fixture.lambda_b,
      bias: fixture.bias,
      norm: "z",
      loss: "pal",
      targetScale: 1,
    };
    const label = `PAL K=${fixture.K} n=${fixture.n} n2=${fixture.n_multi} ${fixture.bias}`;
    let structure = { cosines: [] as number[], scales: [] as number[] };
    const report = solveUfm(problem, { ...tight, initStd: 1, seed: 4 }, {
      observeAt: () => false,
      observe: (_info, model) => (structure = tagwise(model)),
    });
    assert.ok(report.converged, `${label} converged`);
    close(report.objective, fixture.objective, 1e-8, `${label} f`);
    assert.ok(report.metrics.nc1 < 1e-12, `${label} NC1 of multiplicity-1 samples`);
    assert.equal(structure.cosines.length, (fixture.K * (fixture.K - 1)) / 2);
    for (const cosine of structure.cosines) close(cosine, 1, 1e-8, `${label} tag-wise cosine`);
    for (const scale of structure.scales) close(scale, structure.scales[0], 1e-8, `${label} c_2`);
    close(structure.scales[0], fixture.c2[0], 1e-6, `${label} c_2 vs scipy`);
    // The library's multi-label metrics (lib/metrics/multilabel.ts) say the same.
    const ml = report.multilabel!;
    close(ml.tagwise_cosine_min, 1, 1e-8, `${label} report tag-wise cosine`);
    close(ml.scale_by_multiplicity["2"].mean, structure.scales[0], 1e-8, `${label} report c_2`);
    assert.ok(ml.scale_by_multiplicity["2"].max - ml.scale_by_multiplicity["2"].min < 1e-8);
  }
});

Deno.test("PAL with no pair samples is plain CE", () => {
  const base = {
    K: 3,
    n: 4,
    d: 4,
    lambdaW: 1e-2,
    lambdaH: 1e-2,
    lambdaB: 0,
    bias: "none" as const,
    norm: "z" as const,
    targetScale: 1,
  };
  const pal = solveUfm({ ...base, loss: "pal", nMulti: 0 }, { ...tight, seed: 1 });
  const ce = solveUfm({ ...base, loss: "ce" }, { ...tight, seed: 1 });
  close(pal.objective, ce.objective, 1e-12, "PAL(n-multi 0) = CE");
  close(pal.objective, theoryFor({ ...base, loss: "ce" })!.objective, 1e-9, "= CE closed form");
});

Deno.test("soft-target CE kernel: SIMD = reference = definition, odd sizes, both dtypes", () => {
  const rng = new Rng(7);
  for (const dtype of ["f64", "f32"] as const) {
    for (const [K, N] of [[2, 1], [3, 5], [4, 7], [5, 9], [7, 16]]) {
      const z0 = Array.from({ length: K * N }, () => 4 * rng.normal());
      const t = Array.from({ length: K * N }, () => (rng.uniform() < 0.4 ? 1 : 0));
      const b = Array.from({ length: K }, () => rng.normal());
      // Reference values from the definition: L = −Σ t log p, G = (Σt)p − t.
      let expectedLoss = 0;
      const expectedGrad = new Float64Array(K * N);
      const expectedRows = new Float64Array(K);
      for (let j = 0; j < N; j++) {
        const zs = Array.from({ length: K }, (_, k) => z0[k * N + j] + b[k]);
        const m = Math.max(...zs);
        const logS = Math.log(zs.reduce((sum, z) => sum + Math.exp(z - m), 0));
        let tsum = 0;
        for (let k = 0; k < K; k++) {
          tsum += t[k * N + j];
          expectedLoss -= t[k * N + j] * (zs[k] - m - logS);
        }
        for (let k = 0; k < K; k++) {
          const g = tsum * Math.exp(zs[k] - m - logS) - t[k * N + j];
          expectedGrad[k * N + j] = g;
          expectedRows[k] += g;
        }
      }
      for (const choice of ["simd", "reference"] as const) {
        const z = Matrix.from(K, N, z0, dtype);
        const targets = Matrix.from(K, N, t, dtype);
        const bias = Matrix.from(K, 1, b, dtype);
        const rows = Matrix.zeros(K, 1, dtype);
        const run = coreKernel<SoftTargetLossKernel>("loss_soft_ce", dtype, choice);
        const loss = run(z.ptr, K, N, targets.ptr, bias.ptr, rows.ptr);
        const tol = dtype === "f64" ? 1e-12 : 2e-5;
        const label = `${dtype} ${choice} K=${K} N=${N}`;
        close(loss, expectedLoss, tol, `${label} loss`);
        z.data.forEach((g, i) => close(g, expectedGrad[i], tol, `${label} grad ${i}`));
        rows.data.forEach((g, k) => close(g, expectedRows[k], tol * 10, `${label} row sum ${k}`));
        for (const m of [z, targets, bias, rows]) m.free();
      }
    }
  }
});

Deno.test("PAL model gradient = central finite differences (every block, bias free and reg)", () => {
  for (const bias of ["free", "reg"] as const) {
    const problem = resolveProblem({
      K: 3,
      n: 2,
      nMulti: 1,
      d: 4,
      lambdaW: 0.02,
      lambdaH: 0.03,
      lambdaB: bias === "reg" ? 0.05 : 0,
      bias,
      norm: "z",
      loss: "pal",
      targetScale: 1,
    });
    const model = createModel(problem, { seed: 5, initStd: 0.8 });
    model.evaluateData();
    const analytic = model.blocks.map((block) => block.grad.toFloat64Array());
    model.blocks.forEach((block, b) => {
      const values = block.value.data;
      for (let i = 0; i < values.length; i += 3) {
        const x = values[i];
        const h = 1e-6;
        values[i] = x + h;
        const up = model.evaluateData();
        values[i] = x - h;
        const down = model.evaluateData();
        values[i] = x;
        close(analytic[b][i], (up - down) / (2 * h), 1e-7, `${bias} ${block.name}[${i}]`);
      }
    });
    model.free();
  }
});

Deno.test("columns of H need not be class-major: a permuted label order gives the same minimum", () => {
  const counts = [5, 3, 2];
  const classMajor = countLabels(counts).labels;
  const shuffled = Array.from(classMajor);
  new Rng(11).shuffle(shuffled);
  assert.notDeepEqual(shuffled, Array.from(classMajor));
  const base = {
    K: 3,
    d: 5,
    lambdaW: 1e-2,
    lambdaH: 1e-2,
    lambdaB: 0,
    bias: "none" as const,
    norm: "z" as const,
    loss: "ce" as const,
    targetScale: 1,
  };
  const ordered = solveUfm({ ...base, counts }, { ...tight, seed: 1 });
  const permuted = solveUfm({ ...base, labels: shuffled }, { ...tight, seed: 1 });
  close(permuted.objective, ordered.objective, 1e-10, "same f*");
  assert.deepEqual(permuted.problem.class_counts, counts);
  assert.ok(permuted.metrics.nc1 < 1e-12);
});

Deno.test("label structures reject bad input with a UsageError naming the flag", () => {
  const base: UfmProblem = {
    K: 3,
    d: 4,
    lambdaW: 1e-2,
    lambdaH: 1e-2,
    lambdaB: 0,
    bias: "none",
    norm: "z",
    loss: "mse",
    targetScale: 1,
  };
  const cases: [Partial<UfmProblem>, RegExp][] = [
    [{ counts: [3, 0, 2] }, /--counts: class 1 needs an integer count ≥ 1, got 0/],
    [{ counts: [3, -1, 2] }, /--counts: class 1 needs an integer count ≥ 1, got -1/],
    [{ counts: [3, 2.5, 2] }, /--counts: class 1 needs an integer count ≥ 1, got 2.5/],
    [{ counts: [3, 2] }, /--counts: 2 class sizes for K = 3/],
    [{ counts: [3, 2, 2], n: 4 }, /exclusive/],
    [{ n: 3, nMulti: 2 }, /--n-multi: only used with a multi-label loss/],
    [{ labels: [0, 2, 2] }, /class 1 has no sample/],
    [{ labels: [0, 1, 3] }, /sample 2 has label 3/],
    [{}, /--n: give the samples per class/],
  ];
  for (const [fields, pattern] of cases) {
    assert.throws(() => resolveProblem({ ...base, ...fields }), (error: Error) => {
      assert.ok(error instanceof UsageError, `${JSON.stringify(fields)}: ${error}`);
      assert.match(error.message, pattern);
      return true;
    });
  }
  assert.throws(() => labelSets([[0], [], [1]], 2), /sample 1 has no label/);
  assert.throws(() => labelSets([[0], [0, 1]], 3), /class 2 has no sample/);
  assert.equal(pairLabels(4, 6, 3).sets.length, 4 * 6 + 6 * 3);
});
