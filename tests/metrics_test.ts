// NC metrics (lib/metrics/) against the hand-computed fixture of docs/metrics.md#fixture, analytic
// constants and exact collapse, and numpy fixtures computed independently with d×d Σ_W, Σ_B
// and scipy.linalg.pinv (tests/fixtures/make_fixtures.py). Also lib/linalg.ts.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import {
  jacobiEigen,
  pseudoInverseRank,
  pseudoInverseSymmetric,
  symmetricEigen,
  tridiagonalEigen,
  tridiagonalEigenLast,
} from "../lib/linalg.ts";
import { Matrix } from "../lib/matrix.ts";
import {
  betweenClassBasis,
  classStatistics,
  gramDistance,
  nc1Traces,
  type NcInput,
  type NcMetrics,
  ncMetrics,
} from "../lib/metrics/mod.ts";
import { Rng } from "../lib/rng.ts";
import { embeddedEtf, type FixtureSpec, fixtureSpecs, loadFixture } from "./metrics_fixtures.ts";

// ---------------------------------------------------------------------------------------------
// docs/metrics.md#fixture: K = 3, n = 2, d = 4

const table48 = {
  features: [
    [2, 0, 0, 1],
    [4, 0, 0, 1],
    [0, 3, 0, 0],
    [0, 1, 1, 0],
    [-1, -1, 2, 0],
    [-1, -1, 4, 2],
  ],
  labels: [0, 0, 1, 1, 2, 2],
  weights: [1, 0, 0, 0.5, 0, 1, 0, 0, -0.5, -0.5, 1, 0.2],
  bias: [0.1, 0, -0.1],
};

/** The docs/metrics.md#fixture table, verbatim (10 decimals). */
const expected48: Partial<Record<keyof NcMetrics, number>> = {
  nc1: 0.1061334267,
  sw_invsb_papyan: 0.3184002801,
  nc1_quotient: 0.2217391304,
  cdnv: 0.0769475249,
  nc2_w_etf: 0.3957899431,
  nc2_w_etf_centered: 0.2726537599,
  nc2_etf: 0.3506189155,
  nc2_of: 0.396555869,
  nc3: 0.3212306987,
  nc3_centered_w: 0.3097251988,
  self_duality_sq: 0.2244140569,
  norm_m_cov: 0.1687377014,
  norm_w_cov: 0.1076141126,
  coherence_m: 0.1647676235,
  coherence_w: 0.2695961766,
  wmu_g_b_norm: 1.3457752825,
  ncc_mismatch: 0,
};

for (const layout of ["samples-as-rows", "samples-as-columns"] as const) {
  Deno.test(`docs/metrics.md#fixture table to 1e-9 (${layout})`, () => {
    const rows = Matrix.from(6, 4, table48.features.flat());
    const features = layout === "samples-as-rows" ? rows : rows.transpose();
    const metrics = ncMetrics({
      features,
      layout,
      labels: table48.labels,
      weights: Matrix.from(3, 4, table48.weights),
      bias: table48.bias,
    });
    for (const [name, value] of Object.entries(expected48)) {
      const actual = metrics[name as keyof NcMetrics] as number;
      assert.ok(Math.abs(actual - value) <= 1e-9, `${name}: ${actual} vs ${value}`);
    }
    // Σ_B of this fixture has rank K − 1 = 2; class variances σ_k² by hand: 1, 1.25, 2.
    assert.equal(metrics.sigma_b_rank, 2);
    assert.deepEqual(metrics.per_class.count, [2, 2, 2]);
    assert.deepEqual(metrics.per_class.within_variance, [1, 1.25, 2]);
  });
}

// ---------------------------------------------------------------------------------------------
// Analytic constants and exact collapse

function etf(classes: number): Float64Array {
  const out = new Float64Array(classes * classes);
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      out[i * classes + j] = ((i === j ? 1 : 0) - 1 / classes) / Math.sqrt(classes - 1);
    }
  }
  return out;
}

Deno.test("gramDistance: dist(OF, ETF) = √(2 − 2√((K−1)/K)) and the docs/metrics.md#fixture constants", () => {
  const quoted: Record<number, number> = { 3: 0.6058108931, 4: 0.5176380902, 10: 0.320364486 };
  for (const classes of [2, 3, 4, 10, 25]) {
    const constant = Math.sqrt(2 - 2 * Math.sqrt((classes - 1) / classes));
    const identity = new Float64Array(classes * classes);
    for (let i = 0; i < classes; i++) identity[i * classes + i] = 3.7; // scale is irrelevant
    const square = (data: Float64Array) => ({ rows: classes, cols: classes, data });
    assert.ok(Math.abs(gramDistance(square(identity), "etf") - constant) <= 1e-14);
    assert.ok(Math.abs(gramDistance(square(etf(classes)), "of") - constant) <= 1e-14);
    assert.ok(gramDistance(square(etf(classes)), "etf") <= 1e-14);
    assert.ok(gramDistance(square(identity), "of") <= 1e-14);
    if (quoted[classes] !== undefined) assert.ok(Math.abs(constant - quoted[classes]) <= 1e-9);
  }
});

Deno.test("exact collapse onto a simplex ETF: NC1 = NC2 = NC3 = 0, OF distance = constant", () => {
  const classes = 4;
  const dim = 6;
  const perClass = 3;
  const vertices = embeddedEtf(classes, dim, 5);
  const labels = Array.from({ length: classes * perClass }, (_, i) => i % classes);
  // Means 2.5·v_k; features collapsed exactly onto them; W = 0.7·v_k (self-dual), b = 0.
  const features = Matrix.from(
    labels.length,
    dim,
    labels.flatMap((k) => vertices[k].map((x) => 2.5 * x)),
  );
  const weights = Matrix.from(classes, dim, vertices.flat().map((x) => 0.7 * x));
  const metrics = ncMetrics({ features, labels, weights });
  assert.ok(metrics.nc1 >= 0 && metrics.nc1 <= 1e-25, `nc1 = ${metrics.nc1}`);
  assert.ok(metrics.nc1_quotient <= 1e-25);
  assert.ok(metrics.sw_invsb_papyan >= 0 && metrics.sw_invsb_papyan <= 1e-25);
  assert.equal(metrics.sigma_b_rank, classes - 1);
  for (
    const name of [
      "nc2_etf",
      "nc2_w_etf",
      "nc2_w_etf_centered",
      "nc3",
      "nc3_centered_w",
      "self_duality_sq",
      "norm_m_cov",
      "norm_w_cov",
      "equiangularity_m",
      "equiangularity_w",
      "coherence_m",
      "coherence_w",
      "wmu_g_b_norm",
    ] as const
  ) {
    assert.ok(Math.abs(metrics[name] as number) <= 1e-7, `${name} = ${metrics[name]}`);
  }
  const constant = Math.sqrt(2 - 2 * Math.sqrt((classes - 1) / classes));
  assert.ok(Math.abs((metrics.nc2_w_of as number) - constant) <= 1e-12);
  assert.equal(metrics.ncc_mismatch, 0);
  for (const cosine of metrics.per_class.cos_w_mean as number[]) {
    assert.ok(Math.abs(cosine - 1) <= 1e-12);
  }
});

Deno.test("exact collapse onto an orthogonal frame (bias-free MSE UFM shape): nc2_of = 0", () => {
  const classes = 5;
  const labels = Array.from({ length: 15 }, (_, i) => Math.floor(i / 3));
  const rows = labels.map((k) => Array.from({ length: classes }, (_, j) => (j === k ? 1.3 : 0)));
  const features = Matrix.from(labels.length, classes, rows.flat());
  const weights = Matrix.from(
    classes,
    classes,
    rows.filter((_, i) => i % 3 === 0).flat().map((x) => 0.4 * x),
  );
  const metrics = ncMetrics({ features, labels, weights });
  assert.ok((metrics.nc2_of as number) <= 1e-14);
  assert.ok((metrics.nc2_w_of as number) <= 1e-14);
  assert.ok((metrics.self_duality_uncentered as number) <= 1e-14);
  assert.ok(metrics.nc2_etf <= 1e-12); // centred OF means are an ETF
  const constant = Math.sqrt(2 - 2 * Math.sqrt((classes - 1) / classes));
  assert.ok(Math.abs((metrics.nc2_w_etf as number) - constant) <= 1e-12); // docs/metrics.md#of-etf-distance: not 0
  assert.ok((metrics.nc2_w_etf_centered as number) <= 1e-12);
  assert.ok(metrics.nc1 <= 1e-25);
});

Deno.test("d = 1 (Σ_B is a scalar, K ≫ d): nc1 = (Tr Σ_W / Tr Σ_B)/K exactly, rank 1", () => {
  for (const [classes, seed] of [[2, 1], [20, 2], [100, 3]]) {
    const rng = new Rng(seed);
    const labels = Array.from({ length: classes * 7 + 3 }, (_, i) => i % classes); // unbalanced
    const centers = Array.from({ length: classes }, () => 5 * rng.normal() + 100);
    const x = labels.map((k) => centers[k] + rng.normal());
    const metrics = ncMetrics({ features: Matrix.from(labels.length, 1, x), labels });
    assert.equal(metrics.sigma_b_rank, 1);
    const expected = metrics.nc1_quotient / classes;
    assert.ok(Math.abs(metrics.nc1 - expected) <= 1e-12 * expected, `K=${classes}`);
  }
});

// ---------------------------------------------------------------------------------------------
// numpy fixtures

const expectedFile = { datasets: fixtureSpecs };

function assertRelative(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${what} should be null`);
    return;
  }
  assert.ok(actual !== null, `${what} is null`);
  const tolerance = 1e-9 * Math.abs(expected) + 1e-13;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs numpy ${expected}`);
}

function assertMatchesNumpy(metrics: NcMetrics, spec: FixtureSpec, name: string): void {
  for (const [key, value] of Object.entries(spec.metrics)) {
    assert.ok(key in metrics, `${name}: missing ${key}`);
    assertRelative(metrics[key as keyof NcMetrics] as number | null, value, `${name}.${key}`);
  }
  for (const [key, values] of Object.entries(spec.per_class)) {
    const actual = metrics.per_class[key as keyof NcMetrics["per_class"]];
    if (values === null) {
      assert.equal(actual, null, `${name}.per_class.${key}`);
      continue;
    }
    assert.ok(actual !== null && actual.length === values.length, `${name}.per_class.${key}`);
    values.forEach((value, k) =>
      assertRelative(actual[k], value, `${name}.per_class.${key}[${k}]`)
    );
  }
}

for (const [name, spec] of Object.entries(expectedFile.datasets)) {
  Deno.test(`numpy fixture '${name}': every metric to 1e-9 relative`, async () => {
    const input = await loadFixture(spec);
    assertMatchesNumpy(ncMetrics(input), spec, name);
  });
}

Deno.test("numpy fixtures: the other layout and f32 features give the same metrics", async () => {
  for (const name of ["unbalanced", "multi_block", "columns"]) {
    const spec = expectedFile.datasets[name];
    const input = await loadFixture(spec);
    const flipped: NcInput = {
      ...input,
      features: input.features.transpose(),
      layout: spec.layout === "samples-as-rows" ? "samples-as-columns" : "samples-as-rows",
    };
    assertMatchesNumpy(ncMetrics(flipped), spec, `${name} (transposed)`);
  }
  // f32 input is widened, so the f32 fixture gives the same numbers through an f32 Matrix.
  const spec = expectedFile.datasets.fortran_f32;
  const input = await loadFixture(spec);
  assertMatchesNumpy(ncMetrics({ ...input, features: input.features.clone("f32") }), spec, "f32");
});

Deno.test("classStatistics, and NC1 in its K×K (gram) and d×d (covariance) forms, match Σ_W", async () => {
  const spec = expectedFile.datasets.unbalanced;
  const input = await loadFixture(spec);
  const labels = Int32Array.from(input.labels);
  const stats = classStatistics(input.features, labels, 5);
  const { samples, dim, classes } = stats;
  const x = input.features.data;
  // Σ_W formed explicitly (d×d).
  const sigmaW = new Float64Array(dim * dim);
  for (let i = 0; i < samples; i++) {
    const c = Array.from({ length: dim }, (_, j) => x[i * dim + j] - stats.means.get(labels[i], j));
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) sigmaW[a * dim + b] += (c[a] * c[b]) / samples;
    }
  }
  // AᵀΣ_W A with A = M̃ᵀ/√K (sample-mean centring), the K×K form the accumulator collects.
  const basis = betweenClassBasis(stats.means, stats.globalMean);
  const projected = new Float64Array(classes * classes);
  for (let p = 0; p < classes; p++) {
    for (let q = 0; q < classes; q++) {
      for (let a = 0; a < dim; a++) {
        for (let b = 0; b < dim; b++) {
          projected[p * classes + q] += basis.get(a, p) * sigmaW[a * dim + b] * basis.get(b, q);
        }
      }
    }
  }
  const gram = nc1Traces(stats.means, stats.globalMean, stats.meanOfMeans, {
    form: "gram",
    matrix: projected,
  });
  const covariance = nc1Traces(stats.means, stats.globalMean, stats.meanOfMeans, {
    form: "covariance",
    matrix: sigmaW,
  });
  assertRelative(gram.sample.value / classes, spec.metrics.nc1, "nc1 (gram form)");
  assertRelative(covariance.sample.value / classes, spec.metrics.nc1, "nc1 (covariance form)");
  assertRelative(gram.meanOfMeans.value, spec.metrics.sw_invsb_papyan, "Papyan (gram form)");
  assertRelative(covariance.meanOfMeans.value, spec.metrics.sw_invsb_papyan, "Papyan (d×d)");
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += sigmaW[a * dim + a];
  assert.ok(Math.abs(stats.withinTrace - trace) <= 1e-12 * trace);
  assertRelative(stats.withinTrace, spec.metrics.tr_sigma_w, "withinTrace");
});

// ---------------------------------------------------------------------------------------------
// Validation

Deno.test("invalid input is a UsageError with a message that names the problem", () => {
  const features = () => Matrix.from(4, 2, [0, 0, 1, 0, 5, 5, 6, 5]);
  const labels = [0, 0, 1, 1];
  const weights = Matrix.from(2, 2, [1, 0, 0, 1]);
  const cases: [string, () => unknown, RegExp][] = [
    ["NaN feature", () => {
      const f = features();
      f.set(2, 1, NaN);
      return ncMetrics({ features: f, labels });
    }, /features contain NaN \(sample 2, feature 1\)/],
    ["Inf feature, columns", () => {
      const f = features().transpose();
      f.set(1, 3, -Infinity);
      return ncMetrics({ features: f, layout: "samples-as-columns", labels });
    }, /features contain -Infinity \(sample 3, feature 1\)/],
    [
      "Inf weight",
      () =>
        ncMetrics({
          features: features(),
          labels,
          weights: Matrix.from(2, 2, [1, Infinity, 0, 1]),
        }),
      /weights contain Infinity/,
    ],
    [
      "NaN bias",
      () => ncMetrics({ features: features(), labels, weights, bias: [0, NaN] }),
      /bias contain NaN/,
    ],
    [
      "label ≥ K",
      () => ncMetrics({ features: features(), labels: [0, 0, 1, 2], classes: 2 }),
      /labels\[3\] = 2 is out of range for K = 2/,
    ],
    [
      "negative label",
      () => ncMetrics({ features: features(), labels: [0, -1, 1, 1] }),
      /labels must be ≥ 0; labels\[1\] = -1/,
    ],
    [
      "non-integer label",
      () => ncMetrics({ features: features(), labels: [0, 0.5, 1, 1] }),
      /labels must be integers; labels\[1\] = 0.5/,
    ],
    [
      "empty class",
      () => ncMetrics({ features: features(), labels: [0, 0, 2, 2] }),
      /class 1 has no samples/,
    ],
    [
      "empty class via K",
      () => ncMetrics({ features: features(), labels, classes: 3 }),
      /class 2 has no samples/,
    ],
    [
      "K < 2",
      () => ncMetrics({ features: features(), labels: [0, 0, 0, 0] }),
      /at least 2 classes/,
    ],
    [
      "labels length",
      () => ncMetrics({ features: features(), labels: [0, 1, 1] }),
      /4 samples .* labels have 3 entries/,
    ],
    [
      "W columns",
      () =>
        ncMetrics({ features: features(), labels, weights: Matrix.from(2, 3, [1, 0, 0, 0, 1, 0]) }),
      /weights: expected K×d = 2×2 .* got 2×3/,
    ],
    [
      "W rows",
      () =>
        ncMetrics({ features: features(), labels, weights: Matrix.from(3, 2, [1, 0, 0, 1, 1, 1]) }),
      /weights: expected K×d = 2×2 .* got 3×2/,
    ],
    [
      "bias length",
      () => ncMetrics({ features: features(), labels, weights, bias: [0, 0, 0] }),
      /bias: expected 2 entries/,
    ],
    [
      "bias without W",
      () => ncMetrics({ features: features(), labels, bias: [0, 0] }),
      /bias given without weights/,
    ],
  ];
  for (const [what, run, message] of cases) {
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof UsageError, `${what}: ${error}`);
      assert.match(error.message, message, what);
      return true;
    });
  }
});

// ---------------------------------------------------------------------------------------------
// lib/linalg.ts

Deno.test("symmetricEigen: A·V = V·Λ, VᵀV = I, descending; random and degenerate matrices", () => {
  const rng = new Rng(11);
  const matrices: [number, Float64Array][] = [];
  for (const n of [1, 2, 3, 7, 12]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    }
    matrices.push([n, a]);
  }
  // Repeated eigenvalues and a zero eigenvalue: the centring projector P = I − J/K (spectrum 1, 0).
  const p = new Float64Array(16).map((_, i) => (i % 5 === 0 ? 1 : 0) - 0.25);
  matrices.push([4, p]);
  // Past JACOBI_MAX_SIZE symmetricEigen switches to tridiagonal QR: a random 100×100, the
  // 80×80 centring projector (eigenvalue 1 repeated 79 times, one 0) and a zero matrix.
  const big = new Float64Array(100 * 100);
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j <= i; j++) big[i * 100 + j] = big[j * 100 + i] = rng.normal();
  }
  matrices.push([100, big], [
    80,
    new Float64Array(6400).map((_, i) => (i % 81 === 0 ? 1 : 0) - 1 / 80),
  ]);
  matrices.push([70, new Float64Array(4900)]);
  const solvers = [symmetricEigen, jacobiEigen, tridiagonalEigen];
  for (const [n, a] of matrices) {
    for (const solve of solvers) {
      const { values, vectors } = solve(a, n);
      const scale = Math.max(1, ...Array.from(a, Math.abs));
      for (let r = 1; r < n; r++) assert.ok(values[r] <= values[r - 1]);
      for (let i = 0; i < n; i++) {
        for (let r = 0; r < n; r++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + r];
          assert.ok(
            Math.abs(av - values[r] * vectors[i * n + r]) <= 1e-13 * scale * n,
            `A·v n=${n}`,
          );
          let dot = 0;
          for (let j = 0; j < n; j++) dot += vectors[j * n + i] * vectors[j * n + r];
          assert.ok(Math.abs(dot - (i === r ? 1 : 0)) <= 1e-13 * n, `VᵀV n=${n}`);
        }
      }
    }
  }
  for (const solve of solvers) {
    const projector = solve(p, 4).values;
    assert.ok(Math.abs(projector[0] - 1) <= 1e-15 && Math.abs(projector[3]) <= 1e-15);
  }
  // The two algorithms agree on the eigenvalues of the random 100×100 matrix.
  const jacobi = jacobiEigen(big, 100).values;
  const tridiagonal = tridiagonalEigen(big, 100).values;
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(jacobi[i] - tridiagonal[i]) <= 1e-12);
});

Deno.test("tridiagonalEigenLast: the eigenvalues and |last components| of Jacobi's full decomposition", () => {
  const rng = new Rng(21);
  for (const n of [1, 2, 5, 37, 90]) {
    const diagonal = Array.from({ length: n }, () => rng.normal());
    const off = Array.from({ length: n - 1 }, () => rng.normal());
    // A Lanczos-like case too: a tiny coupling splits the matrix into nearly independent blocks.
    if (n > 4) off[2] = 1e-13;
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      dense[i * n + i] = diagonal[i];
      if (i + 1 < n) dense[i * n + i + 1] = dense[(i + 1) * n + i] = off[i];
    }
    const reference = jacobiEigen(dense, n);
    const { values, last } = tridiagonalEigenLast(diagonal, off);
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(values[j] - reference.values[j]) <= 1e-12, `n ${n} value ${j}`);
      const component = Math.abs(reference.vectors[(n - 1) * n + j]);
      assert.ok(Math.abs(Math.abs(last[j]) - component) <= 1e-9, `n ${n} last ${j}`);
    }
  }
  assert.throws(() => tridiagonalEigenLast([1, 2, 3], [1]), RangeError);
});

Deno.test("pseudoInverseSymmetric: Penrose conditions on a rank-deficient PSD matrix", () => {
  // A = B·Bᵀ with B 6×3: rank 3 of 6.
  const rng = new Rng(8);
  const n = 6;
  const b = Array.from({ length: n * 3 }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < 3; p++) a[i * n + j] += b[i * 3 + p] * b[j * 3 + p];
    }
  }
  const pinv = pseudoInverseSymmetric(a, n);
  const multiply = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let p = 0; p < n; p++) out[i * n + j] += x[i * n + p] * y[p * n + j];
      }
    }
    return out;
  };
  const apa = multiply(multiply(a, pinv), a);
  const pap = multiply(multiply(pinv, a), pinv);
  const scaleA = Math.max(...Array.from(a, Math.abs));
  const scaleP = Math.max(...Array.from(pinv, Math.abs));
  for (let i = 0; i < n * n; i++) {
    assert.ok(Math.abs(apa[i] - a[i]) <= 1e-10 * scaleA, "A·A⁺·A = A");
    assert.ok(Math.abs(pap[i] - pinv[i]) <= 1e-10 * scaleP, "A⁺·A·A⁺ = A⁺");
  }
  // scipy's rule: |λ| ≤ n·eps·λ_max is zero; maxRank caps the count.
  const values = new Float64Array([4, 1, 4 * 6 * Number.EPSILON, 0]);
  assert.equal(pseudoInverseRank(values), 3); // default rtol 4·eps: cutoff 16·eps < 24·eps
  assert.equal(pseudoInverseRank(values, { rtol: 6 * Number.EPSILON }), 2);
  assert.equal(pseudoInverseRank(values, { maxRank: 1 }), 1);
});
