// Convolutional network stack: the conv kernels (im2col, its adjoint, 2×2 max pooling and its
// backward) against their definitions over odd sizes, SIMD = scalar reference, and the CNN's
// backprop against central finite differences (f64), and a short run on real MNIST digits.
import assert from "node:assert/strict";
import { type LossSpec, makeLoss } from "../lib/losses.ts";
import { IntVector, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import {
  col2im3x3,
  type FeatureMap,
  im2col3x3,
  maxPool2x2,
  maxPool2x2Backward,
  pooledPlane,
} from "../lib/nn/conv_kernels.ts";
import { ConvNet, type ConvNetSpec } from "../lib/nn/cnn.ts";
import { sumSquares } from "../lib/nn/kernels.ts";
import { trainOnDataset, validateTrainConfig } from "../lib/nn/mod.ts";
import { checkGradients } from "./finite_differences.ts";

const kernels = ["simd", "reference"] as const;
const maps: FeatureMap[] = [
  { channels: 1, batch: 1, height: 1, width: 1 },
  { channels: 2, batch: 3, height: 5, width: 7 },
  { channels: 3, batch: 2, height: 8, width: 8 },
  { channels: 1, batch: 2, height: 28, width: 28 },
  { channels: 2, batch: 1, height: 9, width: 19 },
  { channels: 4, batch: 2, height: 14, width: 14 },
];

/** Element (c, b, y, x) of a channel-major map. */
const at = (map: FeatureMap, c: number, b: number, y: number, x: number) =>
  ((c * map.batch + b) * map.height + y) * map.width + x;

function randomMap(map: FeatureMap, dtype: "f32" | "f64", rng: Rng): Matrix {
  const m = Matrix.zeros(map.channels, map.batch * map.height * map.width, dtype);
  rng.fillNormal(m.data);
  return m;
}

for (const dtype of ["f64", "f32"] as const) {
  Deno.test(`conv kernels (${dtype}): im2col = definition, col2im = its adjoint`, () => {
    const rng = new Rng(3);
    for (const map of maps) {
      const n = map.batch * map.height * map.width;
      const input = randomMap(map, dtype, rng);
      for (const kernel of kernels) {
        const cols = Matrix.zeros(9 * map.channels, n, dtype);
        cols.data.fill(NaN); // every entry must be written
        im2col3x3(input, map, cols, kernel);
        for (let c = 0; c < map.channels; c++) {
          for (let k = 0; k < 9; k++) {
            const ky = Math.floor(k / 3), kx = k % 3;
            for (let b = 0; b < map.batch; b++) {
              for (let y = 0; y < map.height; y++) {
                for (let x = 0; x < map.width; x++) {
                  const yy = y + ky - 1, xx = x + kx - 1;
                  const inside = yy >= 0 && yy < map.height && xx >= 0 && xx < map.width;
                  const want = inside ? input.data[at(map, c, b, yy, xx)] : 0;
                  const column = (b * map.height + y) * map.width + x;
                  assert.equal(cols.data[(c * 9 + k) * n + column], want);
                }
              }
            }
          }
        }
        // Adjoint: <im2col(x), G> = <x, col2im(G)> for random G.
        const g = Matrix.zeros(9 * map.channels, n, dtype);
        rng.fillNormal(g.data);
        const back = Matrix.zeros(map.channels, n, dtype);
        back.data.fill(NaN); // overwritten, not accumulated
        col2im3x3(g, map, back, kernel);
        let left = 0, right = 0;
        cols.data.forEach((v, i) => (left += v * g.data[i]));
        input.data.forEach((v, i) => (right += v * back.data[i]));
        const tol = dtype === "f64" ? 1e-10 : 1e-3;
        assert.ok(Math.abs(left - right) <= tol * (1 + Math.abs(left)), `${left} vs ${right}`);
        if (kernel === "reference") continue;
        const ref = Matrix.zeros(map.channels, n, dtype);
        col2im3x3(g, map, ref, "reference");
        back.data.forEach((v, i) => assert.ok(Math.abs(v - ref.data[i]) <= tol));
      }
    }
  });

  Deno.test(`conv kernels (${dtype}): 2×2 max pooling and its backward = definition`, () => {
    const rng = new Rng(5);
    for (const map of maps) {
      const plane = pooledPlane(map);
      const w2 = Math.floor(map.width / 2), h2 = Math.floor(map.height / 2);
      const input = randomMap(map, dtype, rng);
      // Ties (exact zeros, as after a ReLU) in a third of the entries.
      input.data.forEach((v, i, a) => (a[i] = i % 3 === 0 ? 0 : v));
      for (const layout of ["channel-major", "sample-major"] as const) {
        const index = (c: number, b: number, y2: number, x2: number) =>
          layout === "channel-major"
            ? (c * map.batch + b) * plane + y2 * w2 + x2
            : (b * map.channels + c) * plane + y2 * w2 + x2;
        for (const kernel of kernels) {
          const pooled = Matrix.zeros(map.channels, map.batch * plane, dtype);
          maxPool2x2(input, map, pooled, layout, kernel);
          const gradOut = Matrix.zeros(map.channels, map.batch * plane, dtype);
          rng.fillNormal(gradOut.data);
          const gradIn = Matrix.zeros(map.channels, map.batch * map.height * map.width, dtype);
          gradIn.data.fill(NaN);
          maxPool2x2Backward(input, pooled, gradOut, map, layout, gradIn, kernel);
          const expected = new Float64Array(gradIn.size);
          for (let c = 0; c < map.channels; c++) {
            for (let b = 0; b < map.batch; b++) {
              for (let y2 = 0; y2 < h2; y2++) {
                for (let x2 = 0; x2 < w2; x2++) {
                  const window = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([i, j]) =>
                    at(map, c, b, 2 * y2 + i, 2 * x2 + j)
                  );
                  const values = window.map((w) => input.data[w]);
                  const max = Math.max(...values);
                  assert.equal(pooled.data[index(c, b, y2, x2)], max);
                  expected[window[values.indexOf(max)]] = gradOut.data[index(c, b, y2, x2)];
                }
              }
            }
          }
          gradIn.data.forEach((v, i) => assert.equal(v, expected[i], `${kernel} ${layout} ${i}`));
        }
      }
    }
  });
}

Deno.test("conv kernels refuse mismatched buffers", () => {
  const map = { channels: 2, batch: 1, height: 4, width: 4 };
  const input = Matrix.zeros(2, 16, "f32");
  assert.throws(() => im2col3x3(input, map, Matrix.zeros(9, 16, "f32")), RangeError);
  assert.throws(
    () => maxPool2x2(input, map, Matrix.zeros(2, 3, "f32"), "channel-major"),
    RangeError,
  );
  assert.throws(() => im2col3x3(input, map, Matrix.zeros(18, 16, "f64")), RangeError);
});

const cnnCases: { spec: Omit<ConvNetSpec, "dtype">; label: string }[] = [
  { spec: { side: 6, channels: [2, 3], hidden: [4], classes: 3 }, label: "two blocks, biases" },
  {
    spec: { side: 6, channels: [2, 3], hidden: [5, 4], classes: 3, batchNorm: true },
    label: "batch norm (BatchNorm2d in the blocks)",
  },
  {
    spec: { side: 7, channels: [3, 2], hidden: [], classes: 3, convBias: false, outputBias: false },
    label: "odd side (dropped border), no biases, linear head",
  },
  {
    spec: { side: 9, channels: [2], hidden: [4], classes: 4, hiddenBias: false },
    label: "one block",
  },
];

const cnnLosses: LossSpec[] = [
  { name: "ce" },
  { name: "fl", beta: 3 },
  { name: "mse", targetScale: 15 },
];

for (const arch of cnnCases) {
  for (const lossSpec of cnnLosses) {
    Deno.test(`CNN backprop = central finite differences (f64): ${arch.label}, ${lossSpec.name}`, () => {
      const spec: ConvNetSpec = { ...arch.spec, dtype: "f64" };
      const batch = 4;
      const net = new ConvNet(spec, new Rng(13));
      for (const p of net.parameters()) p.data.forEach((v, i, a) => (a[i] = 2 * v));
      const rng = new Rng(8);
      const inputs = Matrix.zeros(batch, spec.side * spec.side, "f64");
      rng.fillNormal(inputs.data);
      const labels = IntVector.from(Array.from({ length: batch }, (_, i) => i % spec.classes));
      const loss = makeLoss(lossSpec);
      const scale = 1 / batch;
      const grads = net.zerosLikeParameters();
      net.lossAndGradient(inputs, labels, loss, grads, scale);
      const scratch = net.zerosLikeParameters();
      const objective = () =>
        scale * net.lossAndGradient(inputs, labels, loss, scratch, scale).lossSum;
      checkGradients(net.parameters(), objective, grads, `${arch.label}, ${lossSpec.name}`);
      // The scalar reference kernels give the same gradients.
      const ref = new ConvNet(spec, new Rng(13), "reference");
      ref.parameters().forEach((p, i) => p.data.set(net.parameters()[i].data));
      const refGrads = ref.zerosLikeParameters();
      ref.lossAndGradient(inputs, labels, makeLoss(lossSpec, "reference"), refGrads, scale);
      refGrads.forEach((g, p) =>
        g.data.forEach((v, i) =>
          assert.ok(Math.abs(v - grads[p].data[i]) < 1e-12 * (1 + Math.abs(v)), `param ${p}`)
        )
      );
      net.free();
      ref.free();
    });
  }
}

Deno.test("CNN: f32 gradients match f64; PyTorch init bounds; parameter count", () => {
  const spec: ConvNetSpec = { side: 8, channels: [3, 4], hidden: [6], classes: 3, batchNorm: true };
  const net64 = new ConvNet({ ...spec, dtype: "f64" }, new Rng(3));
  const net32 = new ConvNet({ ...spec, dtype: "f32" }, new Rng(3));
  net32.parameters().forEach((p, i) => p.data.set(net64.parameters()[i].data));
  net64.parameters().forEach((p, i) => p.data.set(net32.parameters()[i].data));
  const inputs64 = Matrix.zeros(5, 64, "f64");
  new Rng(4).fillNormal(inputs64.data);
  const inputs32 = inputs64.clone("f32");
  inputs64.data.set(inputs32.data);
  const labels = IntVector.from([0, 1, 2, 0, 1]);
  const g64 = net64.zerosLikeParameters(), g32 = net32.zerosLikeParameters();
  const loss = makeLoss({ name: "ce" });
  const l64 = net64.lossAndGradient(inputs64, labels, loss, g64, 1 / 5).lossSum;
  const l32 = net32.lossAndGradient(inputs32, labels, loss, g32, 1 / 5).lossSum;
  assert.ok(Math.abs(l64 - l32) < 1e-5 * Math.abs(l64));
  const norm = Math.sqrt(g64.reduce((s, g) => s + sumSquares(g), 0));
  g64.forEach((g, p) =>
    g.data.forEach((v, i) => assert.ok(Math.abs(v - g32[p].data[i]) < 1e-5 * norm))
  );
  // Conv weights and biases uniform in ±1/√(C_in·9).
  const bound = 1 / Math.sqrt(3 * 9);
  assert.ok(net64.blocks[1].weight.data.every((v) => Math.abs(v) <= bound));
  assert.ok(net64.blocks[1].weight.data.some((v) => Math.abs(v) > 0.8 * bound));
  // Blocks: 3·9 + 3 + 2·3, 4·27 + 4 + 2·4; head: 16 → 6 (BN) → 3.
  const expected = (27 + 3 + 6) + (108 + 4 + 8) + (16 * 6 + 6 + 12) + (6 * 3 + 3);
  assert.equal(net64.parameterCount, expected);
  assert.equal(net64.head.spec.inputDim, 4 * 2 * 2);
  assert.throws(() => new ConvNet({ ...spec, side: 3 }, new Rng(1)), /larger input/);
  net64.free();
  net32.free();
});

Deno.test("real MNIST: a small CNN fits its training digits and generalizes; same seed, same run", async () => {
  const config = validateTrainConfig({
    arch: "cnn",
    channels: [4, 8],
    loss: "ce",
    width: 32,
    depth: 1,
    n: 20,
    testPerClass: 30,
    epochs: 25,
    batch: 20,
    lr: 0.05,
    evalEvery: 25,
    seed: 3,
  });
  const first = await trainOnDataset(config);
  assert.equal(first.train_acc, 1);
  assert.ok(first.test_acc > 0.7, `test accuracy ${first.test_acc}`); // chance is 0.1
  assert.deepEqual(first.hidden, [32]);
  assert.equal(first.evals.at(-1)!.layers[0].width, 32);
  assert.ok(first.terminal.nc1_drop! > 3, `NC1 drop ${first.terminal.nc1_drop}`);
  const again = await trainOnDataset(config);
  assert.deepEqual(again.evals, first.evals);
});
