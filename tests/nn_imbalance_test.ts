// Imbalanced training sets (issue 10 item 2): the split by per-class counts (its test set and
// training images are those of the balanced split with n = the largest count), the step
// imbalance of Fang et al., validation errors naming the flag, run keys, and a real MNIST run
// whose per-class test accuracies and minority classifier cosine are checked by hand.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import { splitDataset } from "../lib/data/mod.ts";
import { classifierCosine } from "../lib/metrics/mod.ts";
import { Matrix } from "../lib/matrix.ts";
import {
  minorityClassesOf,
  runKey,
  splitFor,
  trainCounts,
  trainNetwork,
  validateTrainConfig,
} from "../lib/nn/mod.ts";
import { groupAccuracy } from "../lib/nn/minority.ts";

Deno.test("split by class counts: the balanced split's test set, its first n_k training images", async () => {
  const counts = [30, 30, 30, 30, 30, 3, 3, 3, 3, 3];
  const options = { testPerClass: 20, seed: 4 };
  const imbalanced = await splitDataset("mnist", { perClass: counts, ...options });
  const balanced = await splitDataset("mnist", { perClass: 30, ...options });
  assert.deepEqual(Array.from(imbalanced.test.sourceIndex), Array.from(balanced.test.sourceIndex));
  assert.equal(imbalanced.train.count, 165);
  counts.forEach((count, k) => {
    const own = Array.from(imbalanced.train.sourceIndex).filter((_, i) =>
      imbalanced.train.labelArray[i] === k
    );
    const full = Array.from(balanced.train.sourceIndex).filter((_, i) =>
      balanced.train.labelArray[i] === k
    );
    assert.deepEqual(own, full.slice(0, count), `class ${k}`);
  });
  // The number form is the same as equal counts.
  const equal = await splitDataset("mnist", { perClass: Array(10).fill(30), ...options });
  assert.deepEqual(equal.train.sourceIndex, balanced.train.sourceIndex);
  await assert.rejects(() => splitDataset("mnist", { perClass: [5, 5], seed: 0 }), /2 training/);
  await assert.rejects(
    () => splitDataset("mnist", { perClass: [...counts.slice(1), 0], seed: 0 }),
    /integer in \[1, 862\]/,
  );
});

Deno.test("step imbalance: the last m classes get round(n/R); minority classes of each form", () => {
  const step = validateTrainConfig({ n: 500, imbalanceRatio: 25, minorityClasses: 5 });
  assert.deepEqual(trainCounts(step), [500, 500, 500, 500, 500, 20, 20, 20, 20, 20]);
  assert.deepEqual(minorityClassesOf(step), [5, 6, 7, 8, 9]);
  const rounded = validateTrainConfig({ n: 500, imbalanceRatio: 3, minorityClasses: 2 });
  assert.deepEqual(trainCounts(rounded).slice(7), [500, 167, 167]);
  // R = 1 is balanced, but the last m classes are still the ones C2 watches.
  const even = validateTrainConfig({ n: 100, imbalanceRatio: 1, minorityClasses: 3 });
  assert.deepEqual([new Set(trainCounts(even)).size, minorityClassesOf(even)], [1, [7, 8, 9]]);
  const listed = validateTrainConfig({ classCounts: [9, 9, 9, 9, 9, 9, 9, 9, 4, 2] });
  assert.equal(listed.n, 9); // n is the largest count
  assert.deepEqual(minorityClassesOf(listed), [8, 9]);
  assert.deepEqual(minorityClassesOf(validateTrainConfig({})), []);
});

Deno.test("imbalance settings: one-line errors naming the flag", () => {
  const tenCounts = (last: number) => [500, 500, 500, 500, 500, 50, 50, 50, 50, last];
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ classCounts: tenCounts(0) }, /--class-counts: each count must be an integer ≥ 1, got 0/],
    [{ classCounts: tenCounts(-5) }, /--class-counts: each count .* got -5/],
    [{ classCounts: tenCounts(2.5) }, /--class-counts: each count .* got 2.5/],
    [{ classCounts: [...tenCounts(50), 50] }, /one count per class \(10 for mnist\), got 11/],
    [{ classCounts: [500, 50] }, /--class-counts: expected one count per class .* got 2/],
    [{ classCounts: tenCounts(50), n: 200 }, /--class-counts: excludes --n/],
    [
      { classCounts: tenCounts(50), imbalanceRatio: 10, minorityClasses: 5 },
      /--class-counts: excludes --imbalance-ratio/,
    ],
    [
      { classCounts: [...tenCounts(50).slice(1), 700], testPerClass: 200 },
      /largest count 700 \+ test per class 200 exceeds the smallest mnist class \(863/,
    ],
    [
      { classCounts: [...tenCounts(50).slice(1), 863] },
      /largest count 863 \+ at least 1 test image exceeds/,
    ],
    [{ imbalanceRatio: 0.5, minorityClasses: 5 }, /--imbalance-ratio: must be a number ≥ 1/],
    [{ imbalanceRatio: NaN, minorityClasses: 5 }, /--imbalance-ratio: must be a number ≥ 1/],
    [{ imbalanceRatio: 10, minorityClasses: 10 }, /--minority-classes: .*\[1, 9\].* got 10/],
    [{ imbalanceRatio: 10, minorityClasses: 0 }, /--minority-classes/],
    [{ imbalanceRatio: 10 }, /--imbalance-ratio: needs --minority-classes/],
    [{ minorityClasses: 3 }, /--minority-classes: needs --imbalance-ratio/],
    [{ n: 10, imbalanceRatio: 25, minorityClasses: 5 }, /n\/R = 10\/25 leaves the minority/],
    [{ tau: 2 }, /--tau: only applies with --normalize-features/],
    [{ normalizeFeatures: true, tau: 0 }, /--tau: must be a number > 0, got 0/],
    [{ normalizeFeatures: true, tau: -1 }, /--tau: must be a number > 0/],
    [{ etfClassifier: true, width: 8 }, /--etf-classifier: .*width ≥ K − 1 = 9, got 8/],
    [{ etfClassifier: true, featureDim: 4 }, /--etf-classifier: .* got 4/],
  ];
  for (const [partial, message] of bad) {
    assert.throws(() => validateTrainConfig(partial as never), (e: Error) => {
      assert.ok(e instanceof UsageError, `${JSON.stringify(partial)}: ${e}`);
      assert.match(e.message, message);
      assert.equal(e.message.split("\n").length, 1);
      return true;
    });
  }
  // Width K − 1 is enough for the ETF classifier; τ defaults to 1.
  assert.equal(validateTrainConfig({ etfClassifier: true, width: 9 }).width, 9);
  assert.equal(validateTrainConfig({ normalizeFeatures: true }).tau, 1);
});

Deno.test("run keys: the new settings enter the key only when set", () => {
  const plain = validateTrainConfig({ epochs: 10 });
  const key = JSON.parse(runKey(plain));
  for (
    const name of ["classCounts", "imbalanceRatio", "normalizeFeatures", "tau", "etfClassifier"]
  ) {
    assert.ok(!(name in key), name);
  }
  const step = validateTrainConfig({ epochs: 10, imbalanceRatio: 10, minorityClasses: 5 });
  assert.equal(JSON.parse(runKey(step)).imbalanceRatio, 10);
  assert.notEqual(runKey(step), runKey({ ...step, imbalanceRatio: 5 }));
  const normalized = validateTrainConfig({ epochs: 10, normalizeFeatures: true });
  assert.equal(JSON.parse(runKey(normalized)).tau, 1);
  assert.notEqual(
    runKey(normalized),
    runKey(validateTrainConfig({ epochs: 10, etfClassifier: true })),
  );
});

Deno.test("real MNIST, step imbalance: per-class test accuracy and minority cosine, checked by hand", async () => {
  const config = validateTrainConfig({
    width: 32,
    n: 40,
    testPerClass: 15,
    imbalanceRatio: 10,
    minorityClasses: 4,
    epochs: 12,
    batch: 20,
    evalEvery: 6,
  });
  const split = await splitFor(config);
  const classifiers: Float64Array[] = [];
  const result = trainNetwork(config, split, {
    onFeatures: (_epoch, _features, classifier) =>
      classifiers.push(classifier.weight.toFloat64Array()),
  });
  assert.deepEqual(result.class_counts, [40, 40, 40, 40, 40, 40, 4, 4, 4, 4]);
  assert.deepEqual(result.minority_classes, [6, 7, 8, 9]);
  assert.equal(result.train_size, 256);
  result.evals.forEach((record, i) => {
    const perClass = record.test_acc_per_class!;
    assert.equal(perClass.length, 10);
    // 15 test images per class: the overall accuracy is the mean of the per-class ones.
    const mean = perClass.reduce((a, b) => a + b, 0) / 10;
    assert.ok(Math.abs(mean - record.test_acc) < 1e-12, `${mean} vs ${record.test_acc}`);
    perClass.forEach((acc) => assert.ok(Number.isInteger(Math.round(acc * 15 * 1e9) / 1e9)));
    const W = Matrix.from(10, 32, classifiers[i], "f64");
    assert.equal(record.minority_cosine, classifierCosine(W, [6, 7, 8, 9]));
    W.free();
  });
  // The minority classes (4 images each) are recognized worse than the majority (40 each).
  const groups = groupAccuracy(result.evals.at(-1)!.test_acc_per_class!, [6, 7, 8, 9]);
  assert.ok(groups.minority < groups.majority, JSON.stringify(groups));
  // A balanced run has no minority cosine.
  const balanced = trainNetwork(
    validateTrainConfig({ width: 16, n: 10, testPerClass: 5, epochs: 1 }),
    await splitFor(validateTrainConfig({ width: 16, n: 10, testPerClass: 5, epochs: 1 })),
  );
  assert.deepEqual([balanced.minority_classes, balanced.evals[0].minority_cosine], [[], null]);
});
