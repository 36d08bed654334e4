// Normalized features and fixed classifiers (lib/nn/normalized.ts, docs/sphere.md): backprop
// through τ·h/‖h‖ against central finite differences (f64, MLP and CNN), the simplex-ETF rows,
// SGD's per-parameter decay and frozen flags, the loss bound f*(K, τ), and real MNIST runs: the
// fixed ETF classifier stays an ETF to 1e-12 at every evaluation, the normalized network keeps
// unit classifier rows and never goes below f*.
import assert from "node:assert/strict";
import { splitDataset } from "../lib/data/mod.ts";
import { type LossSpec, makeLoss } from "../lib/losses.ts";
import { IntVector, Matrix } from "../lib/matrix.ts";
import { gramDistance, rowGram } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/rng.ts";
import { ConvNet } from "../lib/nn/cnn.ts";
import {
  Mlp,
  type MlpSpec,
  normalizeColumns,
  normalizedLossBound,
  normalizeRows,
  Sgd,
  simplexEtfRows,
  trainNetwork,
  validateTrainConfig,
} from "../lib/nn/mod.ts";
import { checkGradients } from "./finite_differences.ts";

const losses: LossSpec[] = [
  { name: "ce" },
  { name: "ls", alpha: 0.1 },
  { name: "fl", beta: 2 },
  { name: "mse", targetScale: 1 },
];

const architectures: { spec: Omit<MlpSpec, "dtype">; label: string }[] = [
  { spec: { inputDim: 5, hidden: [6, 4], classes: 3 }, label: "biases" },
  {
    spec: { inputDim: 5, hidden: [7], classes: 4, outputBias: false },
    label: "one layer, no bias",
  },
  { spec: { inputDim: 4, hidden: [6, 5], classes: 3, batchNorm: true }, label: "batch norm" },
];

function randomBatch(inputDim: number, classes: number, batch: number, seed: number) {
  const rng = new Rng(seed);
  const inputs = Matrix.zeros(batch, inputDim, "f64");
  rng.fillNormal(inputs.data);
  const labels = IntVector.from(Array.from({ length: batch }, () => rng.int(classes)));
  return { inputs, labels };
}

for (const loss of losses) {
  for (const arch of architectures) {
    Deno.test(`normalized features: backprop = finite differences (f64), ${loss.name}, ${arch.label}`, () => {
      const tau = 2.5;
      const net = new Mlp(
        { ...arch.spec, dtype: "f64", normalizeFeatures: { tau } },
        new Rng(13),
      );
      for (const p of net.parameters()) p.data.forEach((v, i, a) => (a[i] = 3 * v));
      const batch = 6;
      const { inputs, labels } = randomBatch(arch.spec.inputDim, arch.spec.classes, batch, 8);
      const lossFn = makeLoss(loss);
      const grads = net.zerosLikeParameters();
      const scratch = net.zerosLikeParameters();
      net.lossAndGradient(inputs, labels, lossFn, grads, 1 / batch);
      // The classifier sees features on the sphere of radius τ.
      const features = net.hiddenFeatures(batch).at(-1)!;
      for (let j = 0; j < batch; j++) {
        let squares = 0;
        for (let i = 0; i < features.rows; i++) squares += features.get(i, j) ** 2;
        assert.ok(Math.abs(Math.sqrt(squares) - tau) < 1e-12);
      }
      const objective = () =>
        net.lossAndGradient(inputs, labels, lossFn, scratch, 1 / batch).lossSum / batch;
      checkGradients(net.parameters(), objective, grads, `${loss.name}, ${arch.label}`, 1e-4);
      net.free();
    });
  }
}

Deno.test("normalized features in a CNN's head: backprop = finite differences (f64)", () => {
  const net = new ConvNet({
    side: 6,
    channels: [3],
    hidden: [5],
    classes: 3,
    dtype: "f64",
    normalizeFeatures: { tau: 1.5 },
  }, new Rng(4));
  for (const p of net.parameters()) p.data.forEach((v, i, a) => (a[i] = 3 * v));
  const { inputs, labels } = randomBatch(36, 3, 4, 2);
  const lossFn = makeLoss({ name: "ce" });
  const grads = net.zerosLikeParameters();
  const scratch = net.zerosLikeParameters();
  net.lossAndGradient(inputs, labels, lossFn, grads, 1 / 4);
  const objective = () => net.lossAndGradient(inputs, labels, lossFn, scratch, 1 / 4).lossSum / 4;
  checkGradients(net.parameters(), objective, grads, "CNN, normalized head", 1e-4);
  net.free();
});

Deno.test("normalizeColumns / normalizeRows: F.normalize (ε = 1e-12), zero vectors stay zero", () => {
  const h = Matrix.from(2, 3, [3, 0, 1e-14, 4, 0, 0], "f64");
  const norms = new Float64Array(3);
  normalizeColumns(h, 10, norms);
  assert.deepEqual(Array.from(norms), [5, 0, 1e-14]);
  assert.deepEqual(Array.from(h.data), [6, 0, 10 * 1e-14 / 1e-12, 8, 0, 0]);
  const w = Matrix.from(2, 2, [3, 4, 0, 0], "f64");
  normalizeRows(w);
  assert.deepEqual(Array.from(w.data), [0.6, 0.8, 0, 0]);
});

Deno.test("simplexEtfRows: unit rows with cosine −1/(K−1) for d ≥ K (padded) and d = K − 1", () => {
  for (const [K, d] of [[2, 1], [3, 2], [4, 4], [10, 9], [10, 10], [10, 64]]) {
    const rows = simplexEtfRows(K, d);
    const W = Matrix.from(K, d, rows, "f64");
    const gram = rowGram(W);
    for (let a = 0; a < K; a++) {
      for (let b = 0; b < K; b++) {
        assert.ok(Math.abs(gram[a * K + b] - (a === b ? 1 : -1 / (K - 1))) < 1e-15, `${K} ${d}`);
      }
    }
    if (d > K) { for (let k = 0; k < K; k++) assert.equal(rows[k * d + K], 0); // zero padding
     }
    assert.ok(gramDistance({ rows: K, cols: K, data: gram }, "etf") < 1e-15);
    W.free();
  }
  assert.throws(() => simplexEtfRows(10, 8), /width ≥ K − 1/);
});

Deno.test("SGD: frozen parameters never move and leave the gradient norm; decay per parameter", () => {
  const a = Matrix.from(1, 2, [1, 2]);
  const b = Matrix.from(1, 2, [3, 4]);
  const c = Matrix.from(1, 1, [2]);
  const sgd = new Sgd([a, b, c], {
    momentum: 0.9,
    weightDecay: 0.5,
    clipNorm: 0,
    decay: [true, false, true],
    frozen: [false, false, true],
  });
  const g = () => [Matrix.from(1, 2, [1, 0]), Matrix.from(1, 2, [0, 1]), Matrix.from(1, 1, [7])];
  const info = sgd.step(g(), 0.1);
  assert.equal(info.gradNorm, Math.SQRT2); // c's gradient 7 is not counted
  assert.deepEqual(Array.from(c.data), [2]);
  // a: g + λθ = (1.5, 1); b without decay: (0, 1).
  assert.ok(Math.abs(a.data[0] - (1 - 0.15)) < 1e-15 && Math.abs(a.data[1] - 1.9) < 1e-15);
  assert.deepEqual(Array.from(b.data), [3, 4 - 0.1]);
  sgd.step(g(), 0.1);
  assert.deepEqual(Array.from(c.data), [2]);
  assert.throws(() => new Sgd([a], { momentum: 0, weightDecay: 0, frozen: [] }), /frozen/);
});

Deno.test("normalizedLossBound: the spherical UFM's f*(K, τ); none where it does not bound", () => {
  const config = (partial: Parameters<typeof validateTrainConfig>[0]) =>
    validateTrainConfig({ normalizeFeatures: true, width: 32, ...partial });
  const ce = (K: number, tau: number) => Math.log1p((K - 1) * Math.exp((-tau * K) / (K - 1)));
  assert.ok(Math.abs(normalizedLossBound(config({ tau: 3 }), 10, 32)! - ce(10, 3)) < 1e-15);
  // d < K − 1 (no ETF fits): the margin bound does not depend on d.
  assert.ok(Math.abs(normalizedLossBound(config({ tau: 3 }), 10, 5)! - ce(10, 3)) < 1e-15);
  // d = 2: the regular polygon is the spherical optimum, a larger (tighter) bound.
  assert.ok(normalizedLossBound(config({ tau: 3 }), 10, 2)! > ce(10, 3));
  // Label smoothing below saturation: f*_CE + ατ.
  const ls = normalizedLossBound(config({ loss: "ls", alpha: 0.05, tau: 1 }), 10, 32)!;
  assert.ok(Math.abs(ls - (ce(10, 1) + 0.05)) < 1e-15);
  // MSE, bias-free, d ≥ K: ½(s − τ)²; the mean reduction scales by 2/K.
  const mse = { loss: "mse" as const, bias: false, tau: 0.5 };
  assert.equal(normalizedLossBound(config(mse), 10, 32), 0.125);
  assert.equal(normalizedLossBound(config({ ...mse, mseReduction: "mean" }), 10, 32), 0.025);
  assert.equal(normalizedLossBound(validateTrainConfig({}), 10, 32), null);
  const imbalanced = config({ imbalanceRatio: 10, minorityClasses: 5 });
  assert.equal(normalizedLossBound(imbalanced, 10, 32), null);
});

/** Short f64 runs on real MNIST digits (20 per class). */
async function f64Run(partial: Parameters<typeof validateTrainConfig>[0]) {
  const config = validateTrainConfig({
    width: 32,
    depth: 2,
    n: 20,
    testPerClass: 10,
    epochs: 30,
    batch: 20,
    evalEvery: 5,
    seed: 3,
    ...partial,
  });
  const split = await splitDataset("mnist", {
    perClass: config.n,
    testPerClass: config.testPerClass,
    seed: config.dataSeed,
    dtype: "f64",
  });
  const weights: Float64Array[] = [];
  const result = trainNetwork(config, split, {
    onFeatures: (_epoch, _features, classifier) => weights.push(classifier.weight.toFloat64Array()),
  });
  return { config, result, weights };
}

Deno.test("real MNIST, --etf-classifier: the classifier stays a simplex ETF (≤ 1e-12) at every evaluation", async () => {
  for (const normalizeFeatures of [false, true]) {
    const { result, weights } = await f64Run({ etfClassifier: true, normalizeFeatures });
    assert.equal(result.evals.length, 7);
    for (const record of result.evals) assert.ok(record.nc2! <= 1e-12, `NC2 ${record.nc2}`);
    // Never trained: bitwise the initial ETF, and the network still learns.
    const initial = simplexEtfRows(10, 32);
    for (const w of weights) assert.deepEqual(w, initial);
    assert.ok(result.train_acc > 0.5, `train accuracy ${result.train_acc}`); // chance: 0.1
  }
  // A learned classifier moves away from any ETF: the check above can fail.
  const learned = await f64Run({});
  assert.ok(learned.result.evals.at(-1)!.nc2! > 1e-3);
});

Deno.test("real MNIST, --normalize-features: unit classifier rows, loss ≥ f*(K, τ) at every evaluation", async () => {
  const { result, weights, config } = await f64Run({ normalizeFeatures: true, tau: 2, lr: 0.1 });
  const bound = result.train_loss_bound!;
  assert.ok(Math.abs(bound - Math.log1p(9 * Math.exp(-20 / 9))) < 1e-15);
  for (const record of result.evals) {
    assert.ok(
      record.train_loss! >= bound,
      `epoch ${record.epoch}: ${record.train_loss} < ${bound}`,
    );
  }
  for (const w of weights) {
    for (let k = 0; k < 10; k++) {
      let squares = 0;
      for (let j = 0; j < config.width; j++) squares += w[k * config.width + j] ** 2;
      assert.ok(Math.abs(squares - 1) < 1e-12, `row ${k}: ‖w‖² = ${squares}`);
    }
  }
  // The bound is approached, not merely respected: the check is not vacuous.
  const final = result.evals.at(-1)!.train_loss!;
  assert.ok(final < 1.25 * bound, `final loss ${final} vs bound ${bound}`);
});
