// The streaming NcAccumulator against in-memory ncMetrics on every committed fixture for batch
// sizes 1, 7 and N (1e-12), the blocked K×K products past one block, the K > d (d×d) form,
// misuse of the two passes, and zero between-class variance.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import { Matrix } from "../lib/matrix.ts";
import {
  cosineMatrix,
  forEachProductBlock,
  GramDistance,
  gramDistance,
  gramStatistics,
  NcAccumulator,
  type NcInput,
  type NcMetrics,
  ncMetrics,
  productDistance,
  rowGram,
} from "../lib/metrics/mod.ts";
import { Rng } from "../lib/rng.ts";
import { fixtureSpecs, loadFixture } from "./metrics_fixtures.ts";

const datasets = fixtureSpecs;

/** The table of docs/metrics.md#fixture (K = 3, d = 4) as a fixture too. */
function table48(): NcInput & { labels: Float64Array } {
  return {
    features: Matrix.from(6, 4, [
      2,
      0,
      0,
      1,
      4,
      0,
      0,
      1,
      0,
      3,
      0,
      0,
      0,
      1,
      1,
      0,
      -1,
      -1,
      2,
      0,
      -1,
      -1,
      4,
      2,
    ]),
    labels: new Float64Array([0, 0, 1, 1, 2, 2]),
    weights: Matrix.from(3, 4, [1, 0, 0, 0.5, 0, 1, 0, 0, -0.5, -0.5, 1, 0.2]),
    bias: [0.1, 0, -0.1],
  };
}

/** Rows [first, first + count) of the input's samples as a batch matrix in the same layout. */
function sliceBatch(input: NcInput, first: number, count: number): Matrix {
  const { features } = input;
  if (input.layout === "samples-as-columns") {
    const out = Matrix.zeros(features.rows, count);
    for (let j = 0; j < features.rows; j++) {
      for (let i = 0; i < count; i++) out.set(j, i, features.get(j, first + i));
    }
    return out;
  }
  return Matrix.from(
    count,
    features.cols,
    features.data.subarray(first * features.cols, (first + count) * features.cols),
  );
}

function streamed(input: NcInput & { labels: Float64Array }, batchSize: number): NcMetrics {
  const layout = input.layout ?? "samples-as-rows";
  const samples = input.labels.length;
  const dim = layout === "samples-as-rows" ? input.features.cols : input.features.rows;
  const classes = Math.max(...input.labels) + 1;
  const accumulator = new NcAccumulator({
    classes,
    dim,
    weights: input.weights,
    bias: input.bias,
  });
  const batches = [];
  for (let first = 0; first < samples; first += batchSize) {
    const count = Math.min(batchSize, samples - first);
    batches.push({
      features: sliceBatch(input, first, count),
      layout,
      labels: input.labels.subarray(first, first + count),
    });
  }
  for (const batch of batches) accumulator.addMeans(batch);
  accumulator.finishMeans();
  // Pass 2 in the opposite order: only the data matters, not the order of the batches.
  for (const batch of batches.toReversed()) accumulator.addDeviations(batch);
  const metrics = accumulator.metrics();
  accumulator.free();
  for (const batch of batches) batch.features.free();
  return metrics;
}

function assertAgree(actual: NcMetrics, expected: NcMetrics, what: string): void {
  const close = (a: number | null, b: number | null, key: string) => {
    if (b === null || Number.isNaN(b)) {
      assert.ok(a === b || (Number.isNaN(a) && Number.isNaN(b)), `${what}.${key}: ${a} vs ${b}`);
      return;
    }
    assert.ok(a !== null, `${what}.${key} is null`);
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}.${key}: ${a} vs ${b}`);
  };
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === "number" || value === null) {
      close(actual[key as keyof NcMetrics] as number | null, value, key);
    }
  }
  for (const [key, values] of Object.entries(expected.per_class)) {
    const got = actual.per_class[key as keyof NcMetrics["per_class"]];
    if (values === null) {
      assert.equal(got, null, `${what}.per_class.${key}`);
      continue;
    }
    (values as number[]).forEach((value, k) => close(got![k], value, `per_class.${key}[${k}]`));
  }
}

const allFixtures: [string, () => Promise<NcInput & { labels: Float64Array }>][] = [
  ["docs fixture table", () => Promise.resolve(table48())],
  ...Object.entries(datasets).map(([name, spec]) =>
    [name, () => loadFixture(spec)] as [string, () => Promise<NcInput & { labels: Float64Array }>]
  ),
];

for (const [name, load] of allFixtures) {
  Deno.test(`accumulator = ncMetrics to 1e-12 on fixture '${name}' for batches of 1, 7, N`, async () => {
    const input = await load();
    const reference = ncMetrics(input);
    for (const batchSize of [1, 7, input.labels.length]) {
      assertAgree(streamed(input, batchSize), reference, `${name} batch ${batchSize}`);
    }
  });
}

Deno.test("accumulator: f32 batches give the metrics of their f64 widening", async () => {
  const input = await loadFixture(datasets.multi_block);
  const f32 = { ...input, features: input.features.clone("f32") };
  const widened = { ...input, features: f32.features.clone("f64") };
  assertAgree(streamed(f32, 64), ncMetrics(widened), "f32");
});

Deno.test("blocked K×K products past one block equal the dense Gram computations", () => {
  // K = 2100 rows: blocks of ⌊2^22 / 2100⌋ = 1997 rows, so two blocks, the second partial.
  const rng = new Rng(4);
  const classes = 2100;
  const dim = 6;
  const vectors = Matrix.from(
    classes,
    dim,
    Array.from({ length: classes * dim }, () => rng.normal()),
  );
  const other = Matrix.from(
    classes,
    dim,
    Array.from({ length: classes * dim }, () => rng.normal()),
  );
  const stats = gramStatistics(vectors, { targets: ["etf", "of"], uniformity: true });
  // Dense references on plain arrays.
  const v = vectors.data;
  const gram = new Float64Array(classes * classes);
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += v[i * dim + c] * v[j * dim + c];
      gram[i * classes + j] = dot;
    }
  }
  const square = { rows: classes, cols: classes, data: gram };
  assert.ok(Math.abs(stats.etf - gramDistance(square, "etf")) <= 1e-12);
  assert.ok(Math.abs(stats.of - gramDistance(square, "of")) <= 1e-12);
  const cosines = cosineMatrix(vectors);
  let coherence = 0;
  let logSum = 0;
  const pairs: number[] = [];
  for (let k = 0; k < classes; k++) {
    for (let l = k + 1; l < classes; l++) {
      const cosine = cosines[k * classes + l];
      pairs.push(cosine);
      coherence += Math.abs(cosine + 1 / (classes - 1));
      logSum -= Math.log(Math.sqrt(2 - 2 * cosine));
    }
  }
  const mean = pairs.reduce((sum, c) => sum + c, 0) / pairs.length;
  const std = Math.sqrt(pairs.reduce((sum, c) => sum + (c - mean) ** 2, 0) / (pairs.length - 1));
  assert.ok(Math.abs(stats.coherence - coherence / pairs.length) <= 1e-12);
  assert.ok(Math.abs(stats.equiangularity - std) <= 1e-12);
  assert.ok(Math.abs(stats.logMean - logSum / pairs.length) <= 1e-11);
  // A non-symmetric product (NC3-like) block by block, against the dense formula.
  const o = other.data;
  const cross = new Float64Array(classes * classes);
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += v[i * dim + c] * o[j * dim + c];
      cross[i * classes + j] = dot;
    }
  }
  const expected = gramDistance({ rows: classes, cols: classes, data: cross }, "etf");
  assert.ok(Math.abs(productDistance(vectors, other, "etf") - expected) <= 1e-12);
  // Explicit small blocks visit every row once, in order.
  let visited = 0;
  forEachProductBlock(vectors, other, (block, first, rows) => {
    assert.equal(first, visited);
    assert.equal(block[0], cross[first * classes]);
    visited += rows;
  }, { blockRows: 333 });
  assert.equal(visited, classes);
  // The upper triangle of V·Vᵀ: row i of a block starts at column first.
  let entries = 0;
  forEachProductBlock(vectors, vectors, (block, first, rows, columnStart) => {
    assert.equal(columnStart, first);
    const columns = classes - first;
    assert.equal(block[0], gram[first * classes + first]);
    assert.equal(
      block[(rows - 1) * columns + columns - 1],
      gram[(first + rows - 1) * classes + classes - 1],
    );
    entries += rows * columns;
  }, { blockRows: 500, upper: true });
  assert.equal(
    entries,
    [0, 500, 1000, 1500, 2000].reduce(
      (sum, first) => sum + Math.min(500, classes - first) * (classes - first),
      0,
    ),
  );
  // The elementwise route (K ≤ d + 1), and GramDistance fed in blocks of rows.
  const wide = Matrix.from(40, 50, Array.from({ length: 2000 }, () => rng.normal()));
  const wideGram = rowGram(wide);
  const dense = gramDistance({ rows: 40, cols: 40, data: wideGram }, "etf");
  assert.ok(Math.abs(productDistance(wide, wide, "etf") - dense) <= 1e-13);
  let norm2 = 0;
  for (const value of wideGram) norm2 += value * value;
  const pieces = new GramDistance(40, "etf", Math.sqrt(norm2));
  for (let first = 0; first < 40; first += 7) {
    const rows = Math.min(7, 40 - first);
    pieces.add(wideGram.subarray(first * 40, (first + rows) * 40), first, rows);
  }
  assert.ok(Math.abs(pieces.value() - dense) <= 1e-14);
  wide.free();
  vectors.free();
  other.free();
});

Deno.test("K > d: NC1 in the d×d form equals the textbook Tr(Σ_W Σ_B⁻¹)/K", () => {
  // K = 40 classes in d = 12 dimensions (Σ_B of rank 12), unbalanced, with a classifier.
  const rng = new Rng(9);
  const classes = 40;
  const dim = 12;
  const centers = Array.from(
    { length: classes },
    () => Array.from({ length: dim }, () => rng.normal()),
  );
  const labels = Array.from(
    { length: 300 },
    (_, i) => (i < classes ? i : Math.floor(rng.uniform() * classes)),
  );
  const x = labels.flatMap((k) => centers[k].map((c) => c + 0.3 * rng.normal()));
  const features = Matrix.from(labels.length, dim, x);
  const weights = Matrix.from(
    classes,
    dim,
    Array.from({ length: classes * dim }, () => rng.normal()),
  );
  const metrics = ncMetrics({ features, labels, weights });
  assert.equal(metrics.sigma_b_rank, dim);
  // Textbook: Tr(Σ_W Σ_B^{-1})/K with Σ_B of full rank d, by Gaussian elimination.
  const n = labels.length;
  const means = Array.from({ length: classes }, () => new Float64Array(dim));
  const counts = new Float64Array(classes);
  labels.forEach((k, i) => {
    counts[k]++;
    for (let j = 0; j < dim; j++) means[k][j] += x[i * dim + j];
  });
  means.forEach((m, k) => m.forEach((_, j) => (m[j] /= counts[k])));
  const mu = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mu[j] += x[i * dim + j] / n;
  const sw = Array.from({ length: dim }, () => new Float64Array(dim));
  const sb = Array.from({ length: dim }, () => new Float64Array(dim));
  labels.forEach((k, i) => {
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        sw[a][b] += (x[i * dim + a] - means[k][a]) * (x[i * dim + b] - means[k][b]) / n;
      }
    }
  });
  for (const m of means) {
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) sb[a][b] += (m[a] - mu[a]) * (m[b] - mu[b]) / classes;
    }
  }
  // Solve Σ_B·Y = Σ_W (Gauss–Jordan), then Tr(Σ_W Σ_B^{-1}) = Tr(Σ_B^{-1} Σ_W) = Tr Y.
  const aug = sb.map((row, a) => [...row, ...sw[a]]);
  for (let c = 0; c < dim; c++) {
    let pivot = c;
    for (let r = c + 1; r < dim; r++) if (Math.abs(aug[r][c]) > Math.abs(aug[pivot][c])) pivot = r;
    [aug[c], aug[pivot]] = [aug[pivot], aug[c]];
    for (let r = 0; r < dim; r++) {
      if (r === c) continue;
      const f = aug[r][c] / aug[c][c];
      for (let q = c; q < 2 * dim; q++) aug[r][q] -= f * aug[c][q];
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += aug[a][dim + a] / aug[a][a];
  assert.ok(Math.abs(metrics.nc1 - trace / classes) <= 1e-10 * trace / classes, `${metrics.nc1}`);
  features.free();
  weights.free();
});

Deno.test("accumulator: passes in the wrong order, changed data, bad batches", () => {
  const features = Matrix.from(4, 2, [0, 0, 1, 0, 5, 5, 6, 5]);
  const batch = { features, labels: [0, 0, 1, 1] };
  const fresh = () => new NcAccumulator({ classes: 2, dim: 2 });
  assert.throws(() => fresh().addDeviations(batch), /in pass 1/);
  assert.throws(() => fresh().metrics(), /in pass 1/);
  const accumulator = fresh();
  accumulator.addMeans(batch);
  accumulator.finishMeans();
  assert.throws(() => accumulator.addMeans(batch), /in pass 2/);
  accumulator.addDeviations({ features: Matrix.from(2, 2, [0, 0, 1, 0]), labels: [0, 0] });
  assert.throws(() => accumulator.metrics(), /pass 2 saw 0 samples of class 1, pass 1 saw 2/);
  const usage = (run: () => unknown, message: RegExp) =>
    assert.throws(
      run,
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  usage(() => fresh().addMeans({ features, labels: [0, 0, 1] }), /4 samples but 3 labels/);
  usage(
    () => fresh().addMeans({ features: Matrix.zeros(2, 3), labels: [0, 1] }),
    /d = 3, expected d = 2/,
  );
  usage(
    () => fresh().addMeans({ features, labels: [0, 0, 1, 2] }),
    /labels\[3\] = 2 is out of range/,
  );
  usage(() => {
    const acc = fresh();
    acc.addMeans({ features: Matrix.zeros(1, 2), labels: [0] });
    acc.addMeans({ features: Matrix.from(1, 2, [NaN, 0]), labels: [1] });
  }, /features contain NaN \(sample 1, feature 0\)/);
  usage(() => {
    const acc = fresh();
    acc.addMeans({ features: Matrix.zeros(2, 2), labels: [0, 0] });
    acc.finishMeans();
  }, /class 1 has no samples/);
  usage(
    () => new NcAccumulator({ classes: 2, dim: 2, weights: Matrix.zeros(2, 3) }),
    /weights: expected K×d = 2×2/,
  );
  usage(
    () =>
      fresh().addMeans({
        features: Matrix.from(1, 2, [0, Infinity]),
        labels: [0],
        describe: (i) => `x.npy row ${i + 10}`,
      }),
    /features contain Infinity \(x\.npy row 10, feature 1\)/,
  );
});

Deno.test("zero between-class variance (dead ReLU, constant features): undefined, never nc1 = 0", () => {
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const weights = Matrix.from(3, 4, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  for (const value of [0, 0.1, 1e6]) {
    const features = Matrix.from(7, 4, new Array(28).fill(value));
    const metrics = ncMetrics({ features, labels, weights });
    assert.match(metrics.undefined_reason ?? "", /^between-class variance is zero/);
    for (
      const key of [
        "nc1",
        "nc1_mean_of_means",
        "nc1_quotient",
        "sw_invsb_papyan",
        "nc2_etf",
        "nc3",
        "cdnv",
      ] as const
    ) {
      assert.ok(Number.isNaN(metrics[key]), `${key} = ${metrics[key]} for constant ${value}`);
    }
    assert.equal(metrics.sigma_b_rank, 0);
    assert.ok(Number.isFinite(metrics.nc2_w_etf as number)); // W alone is still measured
    assert.equal(JSON.parse(JSON.stringify(metrics)).nc1, null);
  }
  // Genuine but tiny between-class differences are measured, not declared zero.
  const features = Matrix.from(7, 4, labels.flatMap((k) => [1 + 1e-6 * k, 2, 3, 4]));
  const tiny = ncMetrics({ features, labels });
  assert.equal(tiny.undefined_reason, null);
  assert.ok(tiny.nc1 >= 0 && tiny.nc1 < 1e-12);
});
