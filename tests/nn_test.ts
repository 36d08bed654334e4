// Network training stack (lib/nn): dense-layer kernels vs definition, backprop vs central finite
// differences for every loss and layer type (f64), f32 vs f64, SGD vs PyTorch's update rule,
// gradient clipping, the multi-step schedule, the plain-TypeScript step vs the WASM one, config
// validation, and a short real-MNIST training run that reaches 100% training accuracy.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import { type LossSpec, makeLoss } from "../lib/losses.ts";
import { IntVector, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import {
  biasAct,
  countCorrect,
  hiddenWidths,
  maskRowSums,
  Mlp,
  type MlpSpec,
  multiStepLr,
  paperBMilestones,
  runKey,
  scaleInPlace,
  Sgd,
  shiftImage,
  splitFor,
  sumSquares,
  terminalPhase,
  trainOnDataset,
  validateTrainConfig,
} from "../lib/nn/mod.ts";
import { PlainMlp } from "../lib/nn/plain_ts.ts";
import { checkGradients } from "./finite_differences.ts";

const kernels = ["simd", "reference"] as const;

for (const dtype of ["f64", "f32"] as const) {
  Deno.test(`nn kernels (${dtype}): bias+ReLU, mask+row sums, scale, sum of squares = definition`, () => {
    const rng = new Rng(7);
    const tol = dtype === "f64" ? 1e-12 : 1e-5;
    for (const [rows, cols] of [[1, 1], [3, 5], [4, 8], [7, 13], [2, 64], [5, 67]]) {
      for (const kernel of kernels) {
        const z = Matrix.zeros(rows, cols, dtype);
        rng.fillNormal(z.data);
        const before = z.toFloat64Array();
        const bias = Matrix.zeros(rows, 1, dtype);
        rng.fillNormal(bias.data);
        const b = bias.toFloat64Array();
        for (const relu of [false, true]) {
          const out = z.clone();
          biasAct(out, bias, relu, kernel);
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < cols; j++) {
              const sum = before[i * cols + j] + b[i];
              const v = dtype === "f32" ? Math.fround(sum) : sum;
              const want = relu ? Math.max(v, 0) : v;
              assert.ok(Math.abs(out.get(i, j) - want) <= tol * (1 + Math.abs(want)));
            }
          }
          const same = z.clone();
          biasAct(same, null, false, kernel); // no bias, no ReLU: unchanged
          assert.deepEqual(same.toFloat64Array(), before);
        }
        // Mask by a ReLU output with exact zeros, then row sums.
        const post = z.clone();
        biasAct(post, null, true, kernel);
        const grad = Matrix.zeros(rows, cols, dtype);
        rng.fillNormal(grad.data);
        const g = grad.toFloat64Array();
        const sums = Matrix.zeros(rows, 1, dtype);
        maskRowSums(grad, post, sums, kernel);
        for (let i = 0; i < rows; i++) {
          let sum = 0;
          for (let j = 0; j < cols; j++) {
            const want = post.get(i, j) > 0 ? g[i * cols + j] : 0;
            assert.equal(grad.get(i, j), want);
            sum += want;
          }
          assert.ok(Math.abs(sums.data[i] - sum) <= tol * (1 + Math.abs(sum)));
        }
        const unmasked = Matrix.from(rows, cols, g, dtype);
        maskRowSums(unmasked, null, sums, kernel); // row sums only
        assert.deepEqual(
          unmasked.toFloat64Array(),
          Float64Array.from(Matrix.from(rows, cols, g, dtype).data),
        );
        const round = (v: number) => (dtype === "f32" ? Math.fround(v) : v);
        const squares = g.reduce((s, v) => s + round(v) ** 2, 0);
        const x = Matrix.from(rows, cols, g, dtype);
        assert.ok(Math.abs(sumSquares(x, kernel) - squares) <= 1e-9 * (1 + squares));
        scaleInPlace(x, -0.5, kernel);
        x.data.forEach((v, i) => assert.ok(Math.abs(v + 0.5 * round(g[i])) <= tol));
      }
    }
    assert.throws(
      () => biasAct(Matrix.zeros(2, 2, dtype), Matrix.zeros(3, 1, dtype), true),
      RangeError,
    );
  });
}

/** A random batch for a network with `spec`. */
function randomBatch(spec: MlpSpec, batch: number, seed: number) {
  const rng = new Rng(seed);
  const inputs = Matrix.zeros(batch, spec.inputDim, spec.dtype ?? "f32");
  rng.fillNormal(inputs.data);
  const labels = IntVector.from(Array.from({ length: batch }, () => rng.int(spec.classes)));
  return { inputs, labels };
}

const lossCases: { spec: LossSpec; scaleFactor: number; label: string }[] = [
  { spec: { name: "ce" }, scaleFactor: 1, label: "CE" },
  { spec: { name: "ls", alpha: 0.05 }, scaleFactor: 1, label: "LS α=0.05" },
  { spec: { name: "fl", beta: 3 }, scaleFactor: 1, label: "FL β=3" },
  { spec: { name: "mse", targetScale: 1 }, scaleFactor: 1, label: "MSE ½‖·‖²" },
  { spec: { name: "mse", targetScale: 15 }, scaleFactor: 2 / 3, label: "MSE mean, s=15" },
];

const architectures: { spec: Omit<MlpSpec, "dtype">; label: string }[] = [
  { spec: { inputDim: 5, hidden: [6, 4], classes: 3 }, label: "biases everywhere" },
  {
    spec: { inputDim: 5, hidden: [6, 4], classes: 3, outputBias: false },
    label: "no classifier bias",
  },
  {
    spec: { inputDim: 4, hidden: [5, 4, 3], classes: 3, hiddenBias: [true, false, false] },
    label: "bias-free head (paper A)",
  },
  {
    spec: { inputDim: 4, hidden: [6, 5], classes: 3, batchNorm: true },
    label: "batch norm",
  },
  { spec: { inputDim: 4, hidden: [], classes: 3 }, label: "linear (no hidden layer)" },
];

for (const loss of lossCases) {
  for (const arch of architectures) {
    Deno.test(`backprop = central finite differences (f64): ${loss.label}, ${arch.label}`, () => {
      const spec: MlpSpec = { ...arch.spec, dtype: "f64" };
      const batch = 7;
      const net = new Mlp(spec, new Rng(11), "simd");
      // Larger weights than the default init, so that the loss is not flat.
      for (const p of net.parameters()) p.data.forEach((v, i, a) => (a[i] = 3 * v));
      const { inputs, labels } = randomBatch(spec, batch, 5);
      const lossFn = makeLoss(loss.spec);
      const scale = loss.scaleFactor / batch;
      const grads = net.zerosLikeParameters();
      const scratch = net.zerosLikeParameters();
      net.lossAndGradient(inputs, labels, lossFn, grads, scale);
      const objective = () =>
        scale * net.lossAndGradient(inputs, labels, lossFn, scratch, scale).lossSum;
      checkGradients(net.parameters(), objective, grads, `${loss.label}, ${arch.label}`, 1e-4);
      // The scalar reference kernels give the same gradients.
      const refNet = new Mlp(spec, new Rng(11), "reference");
      refNet.parameters().forEach((p, i) => p.data.set(net.parameters()[i].data));
      const refGrads = refNet.zerosLikeParameters();
      refNet.lossAndGradient(inputs, labels, makeLoss(loss.spec, "reference"), refGrads, scale);
      refGrads.forEach((g, p) =>
        g.data.forEach((v, i) =>
          assert.ok(Math.abs(v - grads[p].data[i]) < 1e-12 * (1 + Math.abs(v)))
        )
      );
      net.free();
      refNet.free();
    });
  }
}

Deno.test("f32 network gradients match the f64 network on the same parameters", () => {
  for (const arch of architectures) {
    const net64 = new Mlp({ ...arch.spec, dtype: "f64" }, new Rng(3));
    const net32 = new Mlp({ ...arch.spec, dtype: "f32" }, new Rng(3));
    net32.parameters().forEach((p, i) => p.data.set(net64.parameters()[i].data));
    net64.parameters().forEach((p, i) => p.data.set(net32.parameters()[i].data)); // f32-rounded
    const b64 = randomBatch({ ...arch.spec, dtype: "f64" }, 9, 4);
    const inputs32 = b64.inputs.clone("f32");
    b64.inputs.data.set(inputs32.data);
    const g64 = net64.zerosLikeParameters();
    const g32 = net32.zerosLikeParameters();
    const lossFn = makeLoss({ name: "ce" });
    const l64 = net64.lossAndGradient(b64.inputs, b64.labels, lossFn, g64, 1 / 9).lossSum;
    const l32 = net32.lossAndGradient(inputs32, b64.labels, lossFn, g32, 1 / 9).lossSum;
    assert.ok(Math.abs(l64 - l32) < 1e-5 * Math.abs(l64), arch.label);
    const norm = Math.sqrt(g64.reduce((s, g) => s + sumSquares(g), 0));
    g64.forEach((g, p) =>
      g.data.forEach((v, i) => assert.ok(Math.abs(v - g32[p].data[i]) < 1e-5 * norm, arch.label))
    );
  }
});

Deno.test("SGD = PyTorch update (momentum, weight decay, clip_grad_norm_ before decay)", () => {
  const theta0 = [0.5, -1.5, 2, 0.25, -0.75];
  const gradients = [[1, 2, -3, 0.5, 4], [-0.2, 0.1, 0.3, 0.05, -0.4], [3, -3, 3, -3, 3]];
  const lr = 0.1, mu = 0.9, wd = 0.01, clip = 2;
  // Reference in f64, written from the PyTorch docs independently of lib/nn/sgd.ts.
  const theta = [...theta0];
  const velocity = theta0.map(() => 0);
  const a = Matrix.from(1, 2, theta0.slice(0, 2));
  const b = Matrix.from(3, 1, theta0.slice(2));
  const sgd = new Sgd([a, b], { momentum: mu, weightDecay: wd, clipNorm: clip });
  for (const g of gradients) {
    const norm = Math.hypot(...g);
    const coefficient = clip / (norm + 1e-6);
    const clipped = coefficient < 1 ? g.map((x) => x * coefficient) : g;
    for (let i = 0; i < theta.length; i++) {
      const d = clipped[i] + wd * theta[i];
      velocity[i] = mu * velocity[i] + d;
      theta[i] -= lr * velocity[i];
    }
    const info = sgd.step([Matrix.from(1, 2, g.slice(0, 2)), Matrix.from(3, 1, g.slice(2))], lr);
    assert.ok(Math.abs(info.gradNorm - norm) < 1e-12);
    assert.equal(info.clipped, coefficient < 1);
    const got = [...a.data, ...b.data];
    got.forEach((v, i) => assert.ok(Math.abs(v - theta[i]) < 1e-12, `${v} vs ${theta[i]}`));
  }
  // Without momentum it is plain GD on g + λθ.
  const c = Matrix.from(1, 1, [1]);
  new Sgd([c], { momentum: 0, weightDecay: 0.5 }).step([Matrix.from(1, 1, [2])], 0.1);
  assert.ok(Math.abs(c.data[0] - (1 - 0.1 * (2 + 0.5))) < 1e-15);
});

Deno.test("multi-step schedule: PyTorch ordering, and nc_loss's one-epoch-early shift", () => {
  const milestones = [3, 5];
  // scheduler.step() after each epoch: epochs 0–2 at lr, 3–4 at γ·lr, 5+ at γ²·lr.
  const expected = [1, 1, 1, 0.1, 0.1, 0.01, 0.01];
  expected.forEach((factor, epoch) =>
    assert.ok(Math.abs(multiStepLr(0.5, milestones, 0.1, epoch) - 0.5 * factor) < 1e-15)
  );
  // nc_loss steps the scheduler at the start of each epoch: every decay one epoch early.
  const shifted = [1, 1, 0.1, 0.1, 0.01, 0.01, 0.01];
  shifted.forEach((factor, epoch) =>
    assert.ok(Math.abs(multiStepLr(0.5, milestones, 0.1, epoch, true) - 0.5 * factor) < 1e-15)
  );
  assert.deepEqual(paperBMilestones(800), [342, 571]);
  assert.deepEqual(paperBMilestones(100), [42, 71]);
});

Deno.test("plain-TypeScript step = WASM step (CE, momentum, weight decay)", () => {
  const spec: MlpSpec = { inputDim: 12, hidden: [16, 8], classes: 4, dtype: "f32" };
  const net = new Mlp(spec, new Rng(9));
  const plain = PlainMlp.fromMlp(net);
  const sgd = new Sgd(net.parameters(), { momentum: 0.9, weightDecay: 5e-4 });
  const grads = net.zerosLikeParameters();
  const lossFn = makeLoss({ name: "ce" });
  for (let step = 0; step < 3; step++) {
    const { inputs, labels } = randomBatch(spec, 10, 20 + step);
    const plainLoss = plain.step(Float32Array.from(inputs.data), Int32Array.from(labels.data), {
      lr: 0.05,
      momentum: 0.9,
      wd: 5e-4,
    });
    const wasmLoss = net.lossAndGradient(inputs, labels, lossFn, grads, 1 / 10).lossSum;
    sgd.step(grads, 0.05);
    assert.ok(Math.abs(plainLoss - wasmLoss) < 1e-4 * Math.abs(wasmLoss));
  }
  net.layers.forEach((layer, l) => {
    layer.weight.data.forEach((v, i) => assert.ok(Math.abs(v - plain.weights[l][i]) < 1e-5));
    layer.bias!.data.forEach((v, i) => assert.ok(Math.abs(v - plain.biases[l]![i]) < 1e-5));
  });
});

Deno.test("PyTorch default init: W, b uniform in ±1/√fan_in; BN γ = 1, β = 0", () => {
  const net = new Mlp({ inputDim: 400, hidden: [300], classes: 10, batchNorm: true }, new Rng(1));
  const w = net.layers[0].weight.data;
  const bound = 1 / Math.sqrt(400);
  let sumSq = 0;
  for (const v of w) {
    assert.ok(Math.abs(v) <= bound);
    sumSq += v * v;
  }
  // Var of U(−a, a) is a²/3.
  assert.ok(Math.abs(sumSq / w.length / (bound * bound / 3) - 1) < 0.02);
  assert.ok(net.layers[0].norm!.gamma.data.every((v) => v === 1));
  assert.ok(net.layers[0].norm!.beta.data.every((v) => v === 0));
  assert.equal(net.parameterCount, 400 * 300 + 300 + 300 + 300 + 300 * 10 + 10);
});

Deno.test("batch norm: evaluation mode uses the running statistics", () => {
  const spec: MlpSpec = { inputDim: 3, hidden: [4], classes: 2, batchNorm: true, dtype: "f64" };
  const net = new Mlp(spec, new Rng(2));
  const { inputs, labels } = randomBatch(spec, 6, 1);
  net.lossAndGradient(inputs, labels, makeLoss({ name: "ce" }), net.zerosLikeParameters(), 1);
  const norm = net.layers[0].norm!;
  // One training batch: running mean = 0.1·batch mean, running var = 0.9 + 0.1·unbiased var.
  const z = Matrix.zeros(4, 6, "f64");
  for (let i = 0; i < 4; i++) {
    const values = Array.from({ length: 6 }, (_, j) => {
      let s = net.layers[0].bias!.data[i];
      for (let p = 0; p < 3; p++) s += net.layers[0].weight.get(i, p) * inputs.get(j, p);
      return s;
    });
    const mean = values.reduce((a, b) => a + b) / 6;
    const unbiased = values.reduce((a, v) => a + (v - mean) ** 2, 0) / 5;
    assert.ok(Math.abs(norm.runningMean[i] - 0.1 * mean) < 1e-12);
    assert.ok(Math.abs(norm.runningVar[i] - (0.9 + 0.1 * unbiased)) < 1e-12);
    z.data.set(values, i * 6);
  }
  net.forward(inputs, true, false);
  const activation = net.workspace(6).activations[0];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 6; j++) {
      const y = (z.get(i, j) - norm.runningMean[i]) / Math.sqrt(norm.runningVar[i] + 1e-5);
      assert.ok(Math.abs(activation.get(i, j) - Math.max(y, 0)) < 1e-12);
    }
  }
});

Deno.test("countCorrect: argmax of logits + bias per column, ties to the lower class", () => {
  const logits = Matrix.from(3, 3, [1, 0, 2, 1, 0, 0, 0, 5, 0]); // columns = samples
  assert.equal(countCorrect(logits, null, [0, 2, 0]), 3);
  assert.equal(countCorrect(logits, Matrix.from(3, 1, [0, 0, 3]), [2, 2, 2]), 3);
  assert.equal(countCorrect(logits, Matrix.from(3, 1, [0, 0, 3]), [0, 2, 0]), 1);
});

Deno.test("shiftImage translates a 28×28 image with a blank fill", () => {
  const image = new Float32Array(784);
  image[5 * 28 + 7] = 1; // pixel (x = 7, y = 5)
  const out = new Float32Array(784).fill(NaN);
  shiftImage(image, 0, out, 0, 2, -1, -0.5);
  assert.equal(out[4 * 28 + 9], 1);
  assert.equal(out[27 * 28 + 0], -0.5); // uncovered: bottom row after moving up
  assert.equal(out.filter((v) => v === 1).length, 1);
  assert.ok(out.every((v) => !Number.isNaN(v)));
});

Deno.test("train config: defaults, architecture and flag-named validation errors", () => {
  const config = validateTrainConfig({
    epochs: 70,
    width: 256,
    depth: 3,
    featureDim: 64,
    head: 32,
  });
  assert.deepEqual(config.milestones, [30, 50]);
  assert.deepEqual(hiddenWidths(config), [256, 256, 64, 32]);
  assert.equal(validateTrainConfig({ epochs: 1 }).milestones.length, 0);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ loss: "hinge" }, /--loss/],
    [{ width: 0 }, /--width/],
    [{ n: 900 }, /--n/],
    [{ n: 500, testPerClass: 400 }, /--test-per-class/],
    [{ lr: -1 }, /--lr/],
    [{ momentum: 1 }, /--momentum/],
    [{ milestones: [5, 3] }, /--milestones/],
    [{ alpha: 1 }, /--alpha/],
    [{ mseReduction: "sum" }, /--mse-reduction/],
    [{ clip: -1 }, /--clip/],
    [{ dataset: "cifar10" as never }, /--dataset: expected one of mnist\|fashion-mnist/],
    [{ dataset: "fashion-mnist", n: 6500, testPerClass: 501 }, /smallest fashion-mnist class/],
    [{ dataset: "fashion-mnist", n: 6001 }, /--n: n \+ test per class = 7001 .* defaults to 1000/],
    [{ arch: "rnn" as never }, /--arch/],
    [{ channels: [8] }, /--channels: only --arch cnn/],
    [{ arch: "cnn", channels: [8, 8, 8, 8, 8] }, /--channels: 5 blocks/],
    [{ arch: "cnn", channels: [0] }, /--channels/],
    [{ arch: "cnn", channels: [1024, 1024], batch: 5000 }, /--batch\/--channels: .* MiB/],
  ];
  for (const [partial, message] of bad) {
    assert.throws(() => validateTrainConfig(partial as never), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, message);
      return true;
    });
  }
  // Data set and architecture defaults; Fashion-MNIST holds out 1,000 images per class.
  assert.equal(config.dataset, "mnist");
  assert.deepEqual([config.arch, config.channels, config.testPerClass], ["mlp", [], null]);
  const fashion = validateTrainConfig({ dataset: "fashion-mnist", arch: "cnn" });
  assert.deepEqual([fashion.testPerClass, fashion.channels], [1000, [16, 32]]);
  assert.equal(
    validateTrainConfig({ dataset: "fashion-mnist", testPerClass: null }).testPerClass,
    null,
  );
  // Settings added later are left out of the key at their original values, so runs saved before
  // them (B4, A6) keep their keys; any other value is part of the key.
  const later = [
    "dataset",
    "arch",
    "channels",
    "classCounts",
    "imbalanceRatio",
    "minorityClasses",
    "normalizeFeatures",
    "tau",
    "etfClassifier",
  ];
  const legacy = Object.fromEntries(
    Object.entries(config).filter(([name]) => !later.includes(name))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  assert.equal(runKey(config), JSON.stringify({ protocol: 1, ...legacy }));
  assert.notEqual(runKey(config), runKey({ ...config, dataset: "fashion-mnist" }));
  assert.notEqual(runKey(fashion), runKey({ ...fashion, channels: [16, 64] }));
  // The key holds every setting: any change gives another key.
  assert.notEqual(runKey(config), runKey({ ...config, seed: 2 }));
  assert.notEqual(runKey(config), runKey({ ...config, wd: 1e-3 }));
  assert.equal(runKey(config), runKey(validateTrainConfig({ ...config })));
});

Deno.test("terminalPhase: 100% epoch, NC1 peak and drop factors", () => {
  const evals = [
    { epoch: 0, train_acc: 0.1, nc1: 2 },
    { epoch: 10, train_acc: 0.99, nc1: 4 },
    { epoch: 20, train_acc: 1, nc1: 1 },
    { epoch: 30, train_acc: 1, nc1: 0.1 },
  ] as never[];
  const t = terminalPhase(evals);
  assert.equal(t.first_epoch_at_100, 20);
  assert.equal(t.nc1_peak, 4);
  assert.equal(t.nc1_peak_epoch, 10);
  assert.ok(Math.abs(t.nc1_drop! - 40) < 1e-12);
  assert.ok(Math.abs(t.nc1_drop_in_tpt! - 10) < 1e-12);
});

/** Tr(Σ_W)/Tr(Σ_B) of width × N features (docs/metrics.md#nc1-quotient), straight from the definition. */
function withinOverBetween(features: Matrix, labels: Int32Array, classes: number): number {
  const n = features.cols;
  let within = 0, between = 0;
  for (let r = 0; r < features.rows; r++) {
    const row = features.data.subarray(r * n, (r + 1) * n);
    const sums = new Float64Array(classes), counts = new Float64Array(classes);
    let total = 0;
    for (let i = 0; i < n; i++) {
      sums[labels[i]] += row[i];
      counts[labels[i]]++;
      total += row[i];
    }
    const globalMean = total / n;
    for (let i = 0; i < n; i++) within += (row[i] - sums[labels[i]] / counts[labels[i]]) ** 2 / n;
    for (let k = 0; k < classes; k++) between += (sums[k] / counts[k] - globalMean) ** 2 / classes;
  }
  return within / between;
}

Deno.test("real MNIST: a small MLP reaches 100% training accuracy; same seed, same run", async () => {
  const config = validateTrainConfig({
    loss: "mse",
    width: 64,
    depth: 2,
    n: 20,
    testPerClass: 30,
    epochs: 30,
    batch: 20,
    lr: 0.05,
    evalEvery: 10,
    seed: 4,
  });
  // Feature tap: the features handed out at each evaluation are the ones the metrics were taken
  // of — Tr(Σ_W)/Tr(Σ_B) recomputed here by hand equals the recorded nc1_quotient per layer.
  const tapped: { epoch: number; quotients: number[] }[] = [];
  const split = await splitFor(config);
  const first = await trainOnDataset(config, {
    onFeatures: (epoch, features) => {
      assert.deepEqual(features.map((f) => [f.rows, f.cols]), [[64, 200], [64, 200]]);
      tapped.push({
        epoch,
        quotients: features.map((f) => withinOverBetween(f, split.train.labelArray, 10)),
      });
    },
  });
  assert.deepEqual(tapped.map((t) => t.epoch), [0, 10, 20, 30]);
  tapped.forEach((t, i) =>
    t.quotients.forEach((q, l) => {
      const recorded = first.evals[i].layers[l].nc1_quotient!;
      assert.ok(Math.abs(q - recorded) <= 1e-9 * recorded, `epoch ${t.epoch} layer ${l}: ${q}`);
    })
  );
  assert.equal(first.train_acc, 1);
  assert.ok(first.test_acc > 0.6, `test accuracy ${first.test_acc}`); // chance is 0.1
  assert.equal(first.evals.length, 4); // epochs 0, 10, 20, 30
  assert.equal(first.epochs.length, 30);
  assert.equal(first.train_size, 200);
  assert.equal(first.test_size, 300);
  // Variability collapse: NC1 of the penultimate features falls during training.
  assert.ok(first.terminal.nc1_drop! > 10, `NC1 drop ${first.terminal.nc1_drop}`);
  const again = await trainOnDataset(config);
  assert.deepEqual(again.evals, first.evals);
  const other = await trainOnDataset({ ...config, seed: 5 });
  assert.notDeepEqual(other.evals, first.evals);
});
