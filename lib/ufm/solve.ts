/**
 * Solve a UFM instance to its global minimum and report everything a researcher checks:
 * objective vs the closed form, NC metrics, norms, convergence. This is what `deno task solve`
 * prints and what figure scripts and tests call.
 *
 * The extended and deep models (`problem.model`, science.md §2.7–2.9) run through the same
 * optimizer; their report uses the same keys — `metrics` and `norms` of the penultimate features
 * H_m with the classifier W_m — plus `layers` (per-layer metrics, lib/ufm/layer_metrics.ts), and
 * their theory is the L-factor closed form of science.md §3.4 ({@link modelTheoryFor}).
 *
 * @example
 * ```ts
 * import { solveUfm } from "./solve.ts";
 * const report = solveUfm({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * console.log(report.objective - report.theory!.objective); // ≈ 1e-16
 * ```
 * @module
 */
import {
  type DifferentiableObjective,
  type IterationInfo,
  minimize,
  type OptimizerMethod,
} from "../optim/minimize.ts";
import { type MseTheory, mseTheory } from "../theory/mse.ts";
import { type SoftmaxTheory, softmaxTheory } from "../theory/softmax.ts";
import { type DeepLinearTheory, deepLinearTheory } from "../theory/deep_linear.ts";
import { DeepUfmModel } from "./deep_model.ts";
import {
  layerMetrics,
  type LayerMetricsReport,
  penultimateMetrics,
  penultimateNorms,
} from "./layer_metrics.ts";
import { type NcMetricsReport, ufmClassMeans, ufmMetrics } from "./metrics.ts";
import { type Precondition, UfmModel } from "./model.ts";
import { UsageError } from "../cli.ts";
import {
  type CanonicalLambdas,
  canonicalLambdas,
  convertLambdas,
  hasRelu,
  layerWidths,
  lossSpec,
  modelOf,
  type UfmProblem,
  validateProblem,
  weightLayerCount,
} from "./problem.ts";
import type { DType } from "../matrix.ts";

/** Optimizer and initialization settings. */
export interface SolverSettings {
  /** Update rule (default nesterov). */
  optimizer: OptimizerMethod;
  /** Step size (default 0.5). */
  lr: number;
  /** Momentum μ (default 0.9; ignored by gd). */
  momentum: number;
  /** Maximum iterations (default 20000). */
  iters: number;
  /** Gradient-norm tolerance (default 1e-10 for f64, 1e-5 for f32). */
  tol: number;
  /** RNG seed of the initialization (default 0). */
  seed: number;
  /** Std of the N(0, std²) initialization of W and H (default 0.1). */
  initStd: number;
  /** Element type (default f64). */
  dtype: DType;
  /** SIMD or scalar-reference kernels (default simd). */
  kernel: "simd" | "reference";
  /** Block step sizes of the plain UFM: none (default) or balanced (lib/ufm/model.ts). */
  precondition: Precondition;
}

/** Default solver settings. */
export const defaultSolverSettings: SolverSettings = {
  optimizer: "nesterov",
  lr: 0.5,
  momentum: 0.9,
  iters: 20000,
  tol: 1e-10,
  seed: 0,
  initStd: 0.1,
  dtype: "f64",
  kernel: "simd",
  precondition: "none",
};

/** Hooks into the run (progress and observation of intermediate states). */
export interface SolveHooks {
  /** Progress callback (every ~1000 iterations). */
  onProgress?: (info: IterationInfo) => void;
  /** Iterations at which `observe` is called with the model in that state. */
  observeAt?: (iteration: number) => boolean;
  /** Receives the model at the observed iterations (read it; do not keep matrices). */
  observe?: (info: IterationInfo, model: UfmModel) => void;
  /** The same for the extended / deep models (`problem.model` other than `ufm`). */
  observeDeep?: (info: IterationInfo, model: DeepUfmModel) => void;
}

/** Everything `solve` reports. */
export interface SolveReport {
  /** The problem as given, plus λ in both conventions. */
  problem: UfmProblem & { lambdas_z: CanonicalLambdas; lambdas_tb: CanonicalLambdas };
  /** Solver settings used. */
  settings: SolverSettings;
  /** Final objective f. */
  objective: number;
  /** Closed-form minimizer (null where no closed form applies). */
  theory: ModelTheory | null;
  /** |f − f*| / max(|f*|, 1e-300), or null without theory. */
  objective_rel_error: number | null;
  /** NC metrics of the final state. */
  metrics: NcMetricsReport;
  /** Norms of the solution. */
  norms: { h_mean_sq: number; h_centered_sq: number; w_row_sq: number; bias: number[] | null };
  /** Updates applied. */
  iterations: number;
  /** ‖∇f‖ at the final state. */
  grad_norm: number;
  /** True if ‖∇f‖ < tol was reached. */
  converged: boolean;
  /** Blocks snapped to exact zero (past the zero-solution threshold). */
  snapped_to_zero: string[];
  /** Wall-clock seconds of the optimization. */
  seconds: number;
  /** Per-layer metrics (extended / deep models only; absent for the plain UFM). */
  layers?: LayerMetricsReport;
}

/** A closed-form (or 1-D) prediction of the global minimizer of the plain UFM. */
export type UfmTheory = MseTheory | SoftmaxTheory;

/** A prediction of the global minimizer of any model. */
export type ModelTheory = UfmTheory | DeepLinearTheory;

/**
 * The predicted global minimizer of a problem (science.md §3.1–3.3 for MSE, §3.6 for CE, LS,
 * FL), or null where none applies (e.g. d too small, a λ of 0).
 */
export function theoryFor(problem: UfmProblem): UfmTheory | null {
  if (modelOf(problem) !== "ufm") {
    throw new TypeError(
      `theoryFor: model '${modelOf(problem)}' is not the plain UFM; use modelTheoryFor`,
    );
  }
  const lambdas = canonicalLambdas(problem);
  if (problem.loss === "mse") return mseTheory({ ...problem, ...lambdas });
  const spec = lossSpec(problem);
  return softmaxTheory({
    K: problem.K,
    n: problem.n,
    d: problem.d,
    lambdaW: lambdas.lambdaW,
    lambdaH: lambdas.lambdaH,
    loss: problem.loss,
    alpha: spec.alpha,
    beta: spec.beta,
  });
}

/**
 * The predicted global minimizer of any model, or null where none is known:
 * - `ufm`: {@link theoryFor};
 * - `ext-linear`, `deep-linear` with MSE: the L-factor closed form (science.md §3.4), L = depth + 1;
 * - `ext-relu` (and `deep-relu` with depth 2), MSE, bias-free: the same linear closed form. The
 *   ReLU model attains it (nonnegative orthogonal-frame H̄2) and was never found lower
 *   (science.md §3.5, numerical) — the tests check this, it is not a theorem here;
 * - `deep-relu` with depth ≥ 3 or a bias, other losses: null (for more ReLU layers lower-rank
 *   solutions can beat the linear value, science.md §2.9).
 */
export function modelTheoryFor(problem: UfmProblem): ModelTheory | null {
  const model = modelOf(problem);
  if (model === "ufm") return theoryFor(problem);
  if (problem.loss !== "mse" || problem.bias === "reg") return null;
  if (hasRelu(problem) && (problem.bias !== "none" || weightLayerCount(problem) > 2)) return null;
  const lambdas = canonicalLambdas(problem);
  const theory = deepLinearTheory({
    K: problem.K,
    n: problem.n,
    widths: layerWidths(problem),
    lambdaWs: lambdas.lambdaWs!,
    lambdaH: lambdas.lambdaH,
    bias: problem.bias,
    targetScale: problem.targetScale,
  });
  if (theory !== null && hasRelu(problem)) {
    theory.note = "ReLU model: the linear closed form, attained with a nonnegative orthogonal " +
      "frame H̄2; never beaten numerically (science.md §3.5), not a theorem; H̄1 is not an OF";
  }
  return theory;
}

/**
 * Validates the problem, runs the optimizer from a seeded initialization, and reports.
 * Throws UsageError for invalid input and RunError if the run diverges.
 */
export function solveUfm(
  problem: UfmProblem,
  settings: Partial<SolverSettings> = {},
  hooks: SolveHooks = {},
): SolveReport {
  validateProblem(problem);
  const dtype = settings.dtype ?? defaultSolverSettings.dtype;
  const full: SolverSettings = {
    ...defaultSolverSettings,
    tol: dtype === "f32" ? 1e-5 : defaultSolverSettings.tol,
    ...settings,
  };
  const modelOptions = {
    seed: full.seed,
    initStd: full.initStd,
    dtype: full.dtype,
    kernel: full.kernel,
  };
  if (modelOf(problem) !== "ufm") {
    if (full.precondition !== "none") {
      throw new UsageError("--precondition: only the plain UFM (--model ufm) supports it");
    }
    return runAndReport(problem, full, hooks, new DeepUfmModel(problem, modelOptions), {
      theory: modelTheoryFor,
      observe: hooks.observeDeep,
      metrics: penultimateMetrics,
      norms: penultimateNorms,
      layers: layerMetrics,
    });
  }
  const ufmOptions = { ...modelOptions, precondition: full.precondition };
  return runAndReport(problem, full, hooks, new UfmModel(problem, ufmOptions), {
    theory: theoryFor,
    observe: hooks.observe,
    metrics: ufmMetrics,
    norms: solutionNorms,
  });
}

/** How a model family is observed and summarized in a {@link SolveReport}. */
interface ReportParts<M> {
  theory: (problem: UfmProblem) => ModelTheory | null;
  observe?: (info: IterationInfo, model: M) => void;
  metrics: (model: M) => NcMetricsReport;
  norms: (model: M) => SolveReport["norms"];
  layers?: (model: M) => LayerMetricsReport;
}

/** Runs the one optimizer loop on `model` and assembles the report; frees the model. */
function runAndReport<M extends DifferentiableObjective & { free(): void }>(
  problem: UfmProblem,
  full: SolverSettings,
  hooks: SolveHooks,
  model: M,
  parts: ReportParts<M>,
): SolveReport {
  try {
    const observe = parts.observe;
    const result = minimize(model, {
      method: full.optimizer,
      lr: full.lr,
      momentum: full.momentum,
      maxIterations: full.iters,
      tolerance: full.tol,
      kernel: full.kernel,
      onProgress: hooks.onProgress,
      observeAt: hooks.observeAt,
      observe: observe ? (info) => observe(info, model) : undefined,
    });
    const theory = parts.theory(problem);
    const lambdasZ = canonicalLambdas(problem);
    const report: SolveReport = {
      problem: {
        ...problem,
        lambdas_z: lambdasZ,
        lambdas_tb: convertLambdas(lambdasZ, "z", "tb", problem.K, problem.n),
      },
      settings: full,
      objective: result.objective,
      theory,
      objective_rel_error: theory === null ? null : Math.abs(result.objective - theory.objective) /
        Math.max(Math.abs(theory.objective), 1e-300),
      metrics: parts.metrics(model),
      norms: parts.norms(model),
      iterations: result.iteration,
      grad_norm: result.gradNorm,
      converged: result.converged,
      snapped_to_zero: result.snappedToZero,
      seconds: result.seconds,
    };
    if (parts.layers) report.layers = parts.layers(model);
    return report;
  } finally {
    model.free();
  }
}

/** mean_k ‖h̄_k‖², mean_k ‖h̄_k − h_G‖², mean_k ‖w_k‖² and b of a model's current state. */
export function solutionNorms(model: UfmModel): SolveReport["norms"] {
  const { K, d } = model.problem;
  const means = ufmClassMeans(model);
  const m = means.data;
  const w = model.W.data;
  const globalMean = new Float64Array(d); // balanced classes: mean of means = sample mean
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < d; i++) globalMean[i] += m[k * d + i] / K;
  }
  let hSq = 0, hCentered = 0, wSq = 0;
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < d; i++) {
      hSq += m[k * d + i] ** 2;
      hCentered += (m[k * d + i] - globalMean[i]) ** 2;
      wSq += w[k * d + i] ** 2;
    }
  }
  means.free();
  return {
    h_mean_sq: hSq / K,
    h_centered_sq: hCentered / K,
    w_row_sq: wSq / K,
    bias: model.b === null ? null : Array.from(model.b.data),
  };
}
