/**
 * Core memory of a training run (lib/core/budget.ts), estimated before anything is allocated
 * so that `deno task train` refuses a network the 32-bit WASM core cannot hold with one line
 * instead of an abort: the inputs, every weight matrix three times (parameters, gradients,
 * momentum), the hidden features of the whole training set that each evaluation collects, and
 * the per-batch activations. An upper estimate (25% headroom for scratch buffers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrainConfig } from "./config.ts";
 * import { trainCoreBytes } from "./budget.ts";
 * const config = validateTrainConfig({ loss: "ce", width: 256, depth: 2 });
 * const { total, largest } = trainCoreBytes(config, 2000, 8000);
 * assert.ok(total < 64 * 2 ** 20 && largest < total);
 * ```
 * @module
 */
import { hiddenWidths, type TrainConfig } from "./config.ts";

/** Pixels per MNIST / Fashion-MNIST image. */
const INPUT_DIM = 784;
/** Classes of the classifier. */
const CLASSES = 10;
/** Samples per evaluation forward pass (train.ts `EVAL_CHUNK`). */
const EVAL_CHUNK = 1000;

/**
 * Total and largest-block bytes of training `config` on `trainCount` + `testCount` images
 * with `dtype` elements (the loader's default f32).
 */
export function trainCoreBytes(
  config: TrainConfig,
  trainCount: number,
  testCount: number,
  dtype: "f32" | "f64" = "f32",
): { total: number; largest: number } {
  const bytes = dtype === "f32" ? 4 : 8;
  const widths = hiddenWidths(config);
  const layers = [INPUT_DIM, ...widths, CLASSES];
  let parameters = 0;
  let largestLayer = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    parameters += layers[l] * layers[l + 1] + layers[l + 1];
    largestLayer = Math.max(largestLayer, layers[l] * layers[l + 1]);
  }
  const hidden = widths.reduce((sum, width) => sum + width, 0);
  const rows = Math.max(config.batch, EVAL_CHUNK);
  const elements = (trainCount + testCount + config.batch) * INPUT_DIM + // inputs, batch buffer
    3 * parameters + // parameters, gradients, momentum
    hidden * trainCount + // features of an evaluation
    4 * rows * (hidden + CLASSES); // activations, masks, gradients of one batch
  return {
    total: 1.25 * bytes * elements,
    largest: bytes *
      Math.max(largestLayer, trainCount * INPUT_DIM, trainCount * Math.max(...widths)),
  };
}
