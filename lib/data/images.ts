/**
 * The one interface of the image data sets (MNIST, Fashion-MNIST; lib/data/mod.ts is the
 * registry): all images of a data set in memory, class-major, and {@link splitImages}, the seeded
 * balanced split into n training images per class and a held-out test set from the rest — the
 * scaled-down protocols of docs/experiments.md#paper-a-cpu and docs/experiments.md#paper-b-cpu.
 *
 * Pixels are stored compactly (bytes 0–255 for Fashion-MNIST, f32 in [0, 1] for MNIST); a
 * pixel's value in [0, 1] is `pixels[i] · pixelScale`. Split inputs are standardized with the
 * data set's mean and standard deviation, (x − mean)/std, unless `normalize: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ImageSet, splitImages } from "./images.ts";
 * // Two classes of three 1×2 "images".
 * const images: ImageSet = {
 *   name: "toy", side: 1, pixelCount: 2, classes: 2, mean: 0, std: 1, pixelScale: 1 / 255,
 *   pixels: Uint8Array.from([0, 255, 255, 0, 51, 51, 0, 0, 255, 255, 102, 102]),
 *   labels: Int32Array.from([0, 0, 0, 1, 1, 1]), count: 6, classCounts: [3, 3],
 * };
 * const { train, test } = splitImages(images, { perClass: 2, seed: 0 });
 * assert.deepEqual([train.count, test.count], [4, 2]);
 * assert.deepEqual(Array.from(train.labelArray), [0, 0, 1, 1]);
 * ```
 * @module
 */
import { IntVector, Matrix } from "../matrix.ts";
import { Rng } from "../rng.ts";

/** Every image of a data set, class-major (all of class 0, then class 1, …). */
export interface ImageSet {
  /** Data set name (as in the registry). */
  name: string;
  /** Image side in pixels (square images, one channel). */
  side: number;
  /** Pixels per image (side²). */
  pixelCount: number;
  /** Number of classes K. */
  classes: number;
  /** Mean pixel value in [0, 1] used for standardization. */
  mean: number;
  /** Pixel standard deviation used for standardization. */
  std: number;
  /** count × pixelCount stored values, row-major (one image per row). */
  pixels: Float32Array | Uint8Array;
  /** Value in [0, 1] = stored value × pixelScale. */
  pixelScale: number;
  /** Class of each image. */
  labels: Int32Array;
  /** Number of images. */
  count: number;
  /** Images per class. */
  classCounts: number[];
}

/** A labelled data set in core memory, samples as rows. */
export interface LabelledData {
  /** count × pixelCount inputs (standardized unless `normalize: false`). */
  inputs: Matrix;
  /** Labels in core memory (for the loss kernels). */
  labels: IntVector;
  /** The same labels as a plain array (for metrics and accuracy). */
  labelArray: Int32Array;
  /** Number of samples. */
  count: number;
  /** Index of each sample in its {@link ImageSet} (provenance). */
  sourceIndex: Int32Array;
}

/** Options of {@link splitImages}. */
export interface SplitOptions {
  /**
   * Training images per class: one n for every class (balanced, 1 ≤ n < the smallest class), or
   * one count per class (imbalanced; the test set then starts after the largest count).
   */
  perClass: number | readonly number[];
  /** Test images per class from the rest (default: all of the rest, unbalanced if classes are). */
  testPerClass?: number | null;
  /** Seed of the split (which images go where). */
  seed: number;
  /** Standardize with the set's mean and std (default true). */
  normalize?: boolean;
  /** Element type of the inputs (default f32). */
  dtype?: "f32" | "f64";
}

/** Train and test sets of {@link splitImages}. */
export interface DataSplit {
  /** The training images (n or n_k per class), class-major. */
  train: LabelledData;
  /** Held-out images, class-major. */
  test: LabelledData;
  /** Image side (the CNN reads the rows as side × side images). */
  side: number;
  /** Number of classes K. */
  classes: number;
}

/**
 * Seeded split: for each class, its images are shuffled by `Rng(seed)` (classes in order
 * 0…K−1, one stream); the first `perClass` (or `perClass[k]`) train; the test images of every
 * class come after the largest training count, the next `testPerClass` (default: all the rest).
 * So the test set does not depend on the smaller counts, and class k's training images are the
 * first n_k of the balanced split with n = max_k n_k (an imbalanced training set is a subset of
 * the balanced one). Both sets are class-major. Throws a RangeError if a class is too small.
 */
export function splitImages(images: ImageSet, options: SplitOptions): DataSplit {
  const { seed } = options;
  const classes = images.classCounts.length;
  const counts = typeof options.perClass === "number"
    ? images.classCounts.map(() => options.perClass as number)
    : [...options.perClass];
  const testPerClass = options.testPerClass ?? null;
  const smallest = Math.min(...images.classCounts);
  const name = images.name;
  if (counts.length !== classes) {
    throw new RangeError(`${name}: ${counts.length} training counts for ${classes} classes`);
  }
  const largest = Math.max(...counts);
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1) || largest >= smallest) {
    throw new RangeError(`${name}: n per class must be an integer in [1, ${smallest - 1}]`);
  }
  if (testPerClass !== null) {
    if (!Number.isSafeInteger(testPerClass) || testPerClass < 1) {
      throw new RangeError(`${name}: test images per class must be an integer ≥ 1`);
    }
    if (largest + testPerClass > smallest) {
      throw new RangeError(
        `${name}: n + test per class = ${largest + testPerClass} exceeds the smallest class ` +
          `(${smallest} images)`,
      );
    }
  }
  const rng = new Rng(seed);
  const trainIndex: number[] = [];
  const testIndex: number[] = [];
  let start = 0;
  images.classCounts.forEach((size, k) => {
    const order = rng.shuffle(Array.from({ length: size }, (_, i) => start + i));
    trainIndex.push(...order.slice(0, counts[k]));
    const rest = order.slice(largest);
    testIndex.push(...(testPerClass === null ? rest : rest.slice(0, testPerClass)));
    start += size;
  });
  const normalize = options.normalize ?? true;
  const dtype = options.dtype ?? "f32";
  return {
    train: gather(images, trainIndex, normalize, dtype),
    test: gather(images, testIndex, normalize, dtype),
    side: images.side,
    classes: images.classes,
  };
}

function gather(
  images: ImageSet,
  indices: number[],
  normalize: boolean,
  dtype: "f32" | "f64",
): LabelledData {
  const dim = images.pixelCount;
  const values = new Float32Array(indices.length * dim);
  indices.forEach((source, row) => {
    values.set(images.pixels.subarray(source * dim, (source + 1) * dim), row * dim);
  });
  const { mean, std, pixelScale } = images;
  if (normalize) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i] * pixelScale - mean) / std;
  } else if (pixelScale !== 1) {
    for (let i = 0; i < values.length; i++) values[i] *= pixelScale;
  }
  const labelArray = Int32Array.from(indices, (i) => images.labels[i]);
  return {
    inputs: Matrix.from(indices.length, dim, values, dtype),
    labels: IntVector.from(labelArray),
    labelArray,
    count: indices.length,
    sourceIndex: Int32Array.from(indices),
  };
}

/** Releases the core memory of a split. */
export function freeSplit(split: DataSplit): void {
  for (const set of [split.train, split.test]) {
    set.inputs.free();
    set.labels.free();
  }
}

/**
 * Stacks per-class image arrays (class 0 first, `pixelCount` values per image) into the
 * class-major pixels, labels and class sizes of an {@link ImageSet}.
 */
export function stackClasses<T extends Float32Array | Uint8Array>(
  perClass: readonly T[],
  pixelCount: number,
  allocate: (length: number) => T,
): Pick<ImageSet, "labels" | "count" | "classCounts"> & { pixels: T } {
  const classCounts = perClass.map((p) => p.length / pixelCount);
  const count = classCounts.reduce((a, b) => a + b, 0);
  const pixels = allocate(count * pixelCount);
  const labels = new Int32Array(count);
  let offset = 0;
  perClass.forEach((p, label) => {
    pixels.set(p, offset * pixelCount);
    labels.fill(label, offset, offset + classCounts[label]);
    offset += classCounts[label];
  });
  return { pixels, labels, count, classCounts };
}

/**
 * Reads a JSON file of a data-set package, turning a missing file into an Error that says how to
 * install the package.
 */
export async function readPackageJson(url: URL, packageName: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(url);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${packageName} data not found at ${url.pathname}: run \`npm ci\` first`,
      );
    }
    throw error;
  }
  return JSON.parse(text);
}
