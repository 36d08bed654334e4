// Multi-label (pick-all-label) metrics (lib/metrics/multilabel.ts): a hand-built fixture whose
// answers are known exactly (ETF m1 means, label sets at c_m × the average of their vertices),
// NC_MLab's NC2_h and angle metric from its published formula, streaming = one batch, errors.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import { readNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import {
  MultiLabelAccumulator,
  type MultiLabelMetrics,
  multiLabelMetrics,
  ncMetrics,
} from "../lib/metrics/mod.ts";
import { embeddedEtf } from "./metrics_fixtures.ts";

interface Built {
  features: number[][];
  multiHot: number[];
  weights: Matrix;
}

/**
 * K = 4, d = 6: m1 samples offset + v_k ± δ·e (3 per class, mean exactly offset + v_k), every
 * pair {i, j} as offset + c2·(v_i + v_j)/2 ± δ·f (2 samples), every triple as offset +
 * c3·(v_i + v_j + v_l)/3 (1 sample). W = 0.5·v_k.
 */
function build(offset: number[], c2: number, c3: number): Built {
  const classes = 4;
  const vertices = embeddedEtf(classes, 6, 3);
  const features: number[][] = [];
  const multiHot: number[] = [];
  const add = (labels: number[], point: number[]) => {
    features.push(point.map((x, j) => x + offset[j]));
    for (let k = 0; k < classes; k++) multiHot.push(labels.includes(k) ? 1 : 0);
  };
  const average = (labels: number[], scale: number) =>
    vertices[0].map((_, j) =>
      (scale * labels.reduce((sum, k) => sum + vertices[k][j], 0)) / labels.length
    );
  const delta = [0.1, -0.2, 0, 0.05, 0.3, -0.1];
  for (let k = 0; k < classes; k++) {
    for (const sign of [1, -1, 0]) add([k], vertices[k].map((x, j) => x + sign * delta[j]));
  }
  for (let i = 0; i < classes; i++) {
    for (let j = i + 1; j < classes; j++) {
      for (const sign of [1, -1]) {
        add([i, j], average([i, j], c2).map((x, c) => x + sign * 0.07 * delta[5 - c]));
      }
    }
  }
  for (const triple of [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]) {
    add(triple, average(triple, c3));
  }
  const weights = Matrix.from(classes, 6, vertices.flat().map((x) => 0.5 * x));
  return { features, multiHot, weights };
}

function metricsOf(built: Built): MultiLabelMetrics {
  return multiLabelMetrics({
    features: Matrix.from(built.features.length, 6, built.features.flat()),
    multiHot: new Uint8Array(built.multiHot),
    classes: 4,
    weights: built.weights,
  });
}

Deno.test("tag-wise average: cosine 1 and one scale c_m per multiplicity, with and without an offset", () => {
  const c2 = 1.73886;
  const c3 = 2.2;
  for (const offset of [[0, 0, 0, 0, 0, 0], [3, -1, 2, 0.5, 7, 1]]) {
    const metrics = metricsOf(build(offset, c2, c3));
    assert.deepEqual(metrics.multiplicity_counts, { 1: 12, 2: 12, 3: 4 });
    assert.equal(metrics.per_set.length, 10);
    assert.deepEqual(metrics.per_set[0].labels, [0, 1]);
    assert.deepEqual(metrics.per_set.at(-1)?.labels, [1, 2, 3]);
    for (const set of metrics.per_set) {
      assert.ok(Math.abs(set.cosine - 1) <= 1e-12, `cos ${set.labels}: ${set.cosine}`);
      const expected = set.labels.length === 2 ? c2 : c3;
      assert.ok(Math.abs(set.scale - expected) <= 1e-12, `scale ${set.labels}: ${set.scale}`);
      assert.equal(set.count, set.labels.length === 2 ? 2 : 1);
    }
    assert.ok(Math.abs(metrics.tagwise_cosine_min - 1) <= 1e-12);
    assert.ok(Math.abs(metrics.tagwise_cosine_mean - 1) <= 1e-12);
    const pairs = metrics.scale_by_multiplicity["2"];
    assert.equal(pairs.sets, 6);
    for (const value of [pairs.mean, pairs.min, pairs.max]) {
      assert.ok(Math.abs(value - c2) <= 1e-12);
    }
    assert.equal(metrics.scale_by_multiplicity["3"].sets, 4);
    // m1 means are an exact simplex ETF (up to the offset), W = 0.5·v_k is self-dual.
    assert.ok(metrics.nc2_m1_etf <= 1e-12);
    assert.ok((metrics.nc2_w_etf as number) <= 1e-12);
    assert.ok((metrics.nc3_m1 as number) <= 1e-12);
    assert.ok(metrics.nc1_m1 > 0); // ±δ within-class spread
    assert.equal(metrics.nc1_m1, metrics.m1.nc1);
    assert.equal(metrics.num_samples, 28);
    if (offset[4] === 0) {
      // Uncentred quantities of NC_MLab agree at zero offset: NC2_h is the ETF distance, and
      // h̄_S ∥ h̄_i + h̄_j for every pair (angle 0, so the ratio is 0).
      assert.ok(metrics.nc2_m1_uncentered_etf <= 1e-12);
      assert.ok((metrics.angle_metric as number) < 1e-5, `${metrics.angle_metric}`);
    } else {
      assert.ok(metrics.nc2_m1_uncentered_etf > 0.1); // the offset shows uncentred
      assert.ok((metrics.angle_metric as number) > 0);
    }
  }
});

Deno.test("nc1_m1 = ncMetrics of the multiplicity-1 rows; streaming = one batch to 1e-12", () => {
  const built = build([1, 2, 3, 4, 5, 6], 1.5, 2);
  const reference = metricsOf(built);
  const single = built.features.filter((_, i) =>
    built.multiHot.slice(4 * i, 4 * i + 4).reduce((a, b) => a + b) === 1
  );
  const labels = single.map((_, r) => Math.floor(r / 3));
  const direct = ncMetrics({
    features: Matrix.from(single.length, 6, single.flat()),
    labels,
    weights: built.weights,
  });
  assert.ok(Math.abs(reference.nc1_m1 - direct.nc1) <= 1e-12 * direct.nc1);
  assert.ok(Math.abs((reference.nc3_m1 as number) - (direct.nc3 as number)) <= 1e-12);
  for (const batchSize of [1, 5]) {
    const accumulator = new MultiLabelAccumulator({ classes: 4, dim: 6, weights: built.weights });
    const batches = [];
    for (let first = 0; first < built.features.length; first += batchSize) {
      const rows = built.features.slice(first, first + batchSize);
      batches.push({
        features: Matrix.from(rows.length, 6, rows.flat()),
        multiHot: built.multiHot.slice(4 * first, 4 * (first + rows.length)),
      });
    }
    for (const batch of batches) accumulator.addMeans(batch);
    accumulator.finishMeans();
    for (const batch of batches) accumulator.addDeviations(batch);
    const streamed = accumulator.metrics();
    accumulator.free();
    assert.ok(Math.abs(streamed.nc1_m1 - reference.nc1_m1) <= 1e-12 * reference.nc1_m1);
    streamed.per_set.forEach((set, s) => {
      assert.ok(Math.abs(set.scale - reference.per_set[s].scale) <= 1e-12);
      assert.ok(Math.abs(set.cosine - reference.per_set[s].cosine) <= 1e-12);
    });
  }
});

Deno.test("NC_MLab's NC2_h and angle metric from its published formula (numpy fixture)", async () => {
  const fixtures = new URL("./fixtures/", import.meta.url);
  const expected =
    JSON.parse(await Deno.readTextFile(new URL("expected_conventions.json", fixtures)))
      .multilabel;
  const x = await readNpy(new URL(expected.features, fixtures));
  const y = await readNpy(new URL(expected.labels, fixtures));
  const metrics = multiLabelMetrics({
    features: Matrix.from(x.shape[0], x.shape[1], x.data),
    multiHot: y.data,
    classes: y.shape[1],
  });
  assert.ok(Math.abs(metrics.nc2_m1_uncentered_etf - expected.nc2_h) <= 1e-12);
  assert.ok(Math.abs((metrics.angle_metric as number) - expected.angle_metric) <= 1e-10);
});

Deno.test("multi-hot errors: a row with no label, values other than 0/1, a class without m1 samples", () => {
  const features = () => Matrix.from(3, 2, [1, 0, 0, 1, 1, 1]);
  const cases: [number[], RegExp][] = [
    [[1, 0, 0, 0, 0, 1], /sample 1 has no label/],
    [[1, 0, 0, 2, 1, 1], /must be 0 or 1; sample 1, class 1 has 2/],
    [[1, 0, 1, 0, 1, 1], /class 1 has no multiplicity-1 samples/],
    [[1, 0, 0, 1], /needs 3×2 entries, got 4/],
  ];
  for (const [multiHot, message] of cases) {
    assert.throws(
      () => multiLabelMetrics({ features: features(), multiHot, classes: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, message);
        return true;
      },
    );
  }
});
