/**
 * Worker side of {@link solveWithRestarts}: each worker owns one WASM core instance and solves
 * the seeds it is sent, one message per seed.
 * @module
 */
import { solveUfm } from "./solve.ts";
import type { RestartTask } from "./restarts.ts";

// The worker global scope (typed loosely: the project's lib is deno.window).
const scope = self as unknown as {
  onmessage: (event: MessageEvent<RestartTask>) => void;
  postMessage: (message: unknown) => void;
};
scope.onmessage = (event: MessageEvent<RestartTask>) => {
  const { problem, settings, seed } = event.data;
  try {
    scope.postMessage({ seed, report: solveUfm(problem, { ...settings, seed }) });
  } catch (error) {
    scope.postMessage({ seed, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
};
// Messages sent before this module finished loading (the WASM core loads with top-level await)
// could be lost: tell the parent we are listening.
scope.postMessage({ ready: true });
