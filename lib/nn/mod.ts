/**
 * Network training on the WASM core (papers A and B on real MNIST and Fashion-MNIST, scaled to a
 * CPU): dense layers with optional bias and batch normalization, ReLU, convolution blocks (3×3
 * conv, BN, ReLU, 2×2 max pooling) in front of them, the four losses, SGD with momentum, weight
 * decay, multi-step decay and gradient-norm clipping, imbalanced training sets (per-class counts
 * or Fang et al.'s step imbalance), normalized features with a temperature and fixed simplex-ETF
 * classifiers, NC metrics of every hidden layer, and resumable grids of runs on Workers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainOnDataset, validateTrainConfig } from "./mod.ts";
 * const result = await trainOnDataset(
 *   validateTrainConfig({ loss: "mse", width: 64, depth: 2, n: 50, epochs: 10 }),
 * );
 * assert.ok(result.train_acc > 0.8 && result.test_acc > 0.6);
 * assert.ok((result.terminal.nc1_drop ?? 0) > 2); // NC1 (peak / final) more than halved
 * ```
 * @module
 */
export { type ConvBlock, ConvNet, type ConvNetSpec } from "./cnn.ts";
export {
  col2im3x3,
  type FeatureMap,
  im2col3x3,
  maxPool2x2,
  maxPool2x2Backward,
  pooledPlane,
  type PoolLayout,
} from "./conv_kernels.ts";
export {
  type ArchName,
  archNames,
  DEFAULT_CHANNELS,
  defaultTrainConfig,
  hiddenBiases,
  hiddenWidths,
  isImbalanced,
  minorityClassesOf,
  type MseReduction,
  mseReductions,
  runKey,
  TRAIN_PROTOCOL_VERSION,
  type TrainConfig,
  trainCounts,
  validateTrainConfig,
} from "./config.ts";
export {
  defaultRunsDir,
  type ExperimentArgs,
  type ExperimentGrid,
  mean,
  meanHistory,
  parseExperimentArgs,
  runCacheDir,
  runExperimentGrid,
  sampleMacs,
} from "./experiment.ts";
export {
  type GridEvent,
  type GridOptions,
  inspectSavedRun,
  loadSavedRun,
  progressLine,
  runDigest,
  runGrid,
  runPath,
} from "./grid.ts";
export { biasAct, maskRowSums, type NnKernel, scaleInPlace, sumSquares } from "./kernels.ts";
export {
  type BatchResult,
  countCorrect,
  type DenseLayer,
  Mlp,
  type MlpSpec,
  type MlpWorkspace,
} from "./mlp.ts";
export { buildNetwork, type BuiltNetwork, type InputShape, type Network } from "./network.ts";
export {
  NORMALIZE_EPS,
  normalizeColumns,
  normalizeColumnsBackward,
  normalizedLossBound,
  normalizeRows,
  simplexEtfRows,
} from "./normalized.ts";
export {
  type BatchNormCache,
  type BatchNormState,
  type LayerGradients,
  layerGradients,
  layerParameters,
  type LayerTail,
  tailBackward,
  tailForward,
  type TailGradients,
  type WeightedLayer,
  zerosLike,
} from "./norm_relu.ts";
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
  trainOnDataset,
  type TrainResult,
} from "./train.ts";
