/**
 * Network training on the WASM core (papers A and B on real MNIST, scaled to a CPU): dense
 * layers with optional bias and batch normalization, ReLU, the four losses, SGD with momentum,
 * weight decay, multi-step decay and gradient-norm clipping, NC metrics of every hidden layer,
 * and resumable grids of runs on Workers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainOnMnist, validateTrainConfig } from "./mod.ts";
 * const result = await trainOnMnist(
 *   validateTrainConfig({ loss: "mse", width: 64, depth: 2, n: 50, epochs: 10 }),
 * );
 * assert.ok(result.train_acc > 0.8 && result.test_acc > 0.6); // 500 digits, 10 epochs
 * ```
 * @module
 */
export {
  defaultTrainConfig,
  hiddenBiases,
  hiddenWidths,
  type MseReduction,
  mseReductions,
  runKey,
  TRAIN_PROTOCOL_VERSION,
  type TrainConfig,
  validateTrainConfig,
} from "./config.ts";
export {
  type ExperimentArgs,
  mean,
  meanHistory,
  parseExperimentArgs,
  runCacheDir,
} from "./experiment.ts";
export {
  type GridEvent,
  type GridOptions,
  loadSavedRun,
  progressLine,
  runGrid,
  runPath,
} from "./grid.ts";
export { biasAct, maskRowSums, type NnKernel, scaleInPlace, sumSquares } from "./kernels.ts";
export {
  type BatchNormState,
  type BatchResult,
  countCorrect,
  type DenseLayer,
  Mlp,
  type MlpSpec,
  type MlpWorkspace,
} from "./mlp.ts";
export { multiStepLr, paperBMilestones, thirdsMilestones } from "./schedule.ts";
export { Sgd, type SgdOptions, type SgdStepInfo } from "./sgd.ts";
export {
  type EpochRecord,
  type EvalRecord,
  type LayerMetrics,
  shiftImage,
  splitFor,
  type TerminalPhase,
  terminalPhase,
  type TrainHooks,
  trainNetwork,
  trainOnMnist,
  type TrainResult,
} from "./train.ts";
