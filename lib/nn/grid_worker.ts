/**
 * Worker side of {@link runGrid}: each worker owns one WASM core instance (and one copy of the
 * MNIST split) and trains the runs it is sent, one message per run. A RunError (divergence) is
 * reported back; any other error is a bug and surfaces as the worker's error event.
 * @module
 */
import { RunError } from "../errors.ts";
import type { TrainConfig } from "./config.ts";
import { trainOnDataset } from "./train.ts";

// The worker global scope (typed loosely: the project's lib is deno.window).
const scope = self as unknown as {
  onmessage: (event: MessageEvent<{ index: number; config: TrainConfig }>) => void;
  postMessage: (message: unknown) => void;
};
scope.onmessage = async (event) => {
  const { index, config } = event.data;
  try {
    scope.postMessage({ index, result: await trainOnDataset(config) });
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    scope.postMessage({ index, error: error.message });
  }
};
// Messages sent before this module finished loading (the WASM core loads with top-level await)
// could be lost: tell the parent we are listening.
scope.postMessage({ ready: true });
