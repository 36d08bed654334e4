/**
 * Solve a UFM instance to its global minimum and report everything a researcher checks:
 * objective vs the closed form, NC metrics, norms, convergence. This is what `deno task solve`
 * prints and what figure scripts and tests call.
 *
 * The problem is resolved once (lib/ufm/problem.ts); its model comes from the registry
 * (lib/ufm/models/), which supplies the instance, the closed form and, for layered models, the
 * per-layer metrics (`layers`). `metrics` and `norms` always describe the features the
 * classifier sees (the penultimate layer) with the classifier; for imbalanced classes the norms
 * are also given per class, with the minority classifiers' mean cosine
 * (docs/imbalanced.md#minority-collapse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveUfm } from "./solve.ts";
 * const report = solveUfm({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1 });
 * assert.ok(Math.abs(report.objective - report.theory!.objective) < 1e-12);
 * ```
 * @module
 */
import { assertCoreFits } from "../core/budget.ts";
import { UsageError } from "../errors.ts";
import type { DType } from "../matrix.ts";
import { type IterationInfo, minimize, type OptimizerMethod } from "../optim/minimize.ts";
import type { Theory } from "../theory/mod.ts";
import { type Certificate, certify } from "./certify.ts";
import { liftSolution, reduceProblem, type Reduction, restrictSolution } from "./reduce.ts";
import type { LayerMetricsReport } from "./layer_metrics.ts";
import type { MultiLabelMetrics } from "../metrics/mod.ts";
import {
  classifierCosine,
  type NcMetricsReport,
  type SolutionNorms,
  solutionNorms,
  ufmMetrics,
  ufmMultiLabelMetrics,
} from "./metrics.ts";
import { modelDefinition } from "./models/mod.ts";
import type { ModelOptions, Precondition, UfmObjective } from "./models/types.ts";
import {
  type CanonicalLambdas,
  convertLambdas,
  type ResolvedProblem,
  resolveProblem,
  type UfmProblem,
} from "./problem.ts";

/** Optimizer and initialization settings. */
export interface SolverSettings {
  /** Update rule (default lbfgs; first-order methods for dynamics figures). */
  optimizer: OptimizerMethod;
  /** Step size of the first-order methods (default 0.5; unused by lbfgs). */
  lr: number;
  /** Momentum μ (default 0.9; ignored by gd). */
  momentum: number;
  /** Maximum iterations (default 20000). */
  iters: number;
  /** Gradient-norm tolerance (default 1e-10 for f64, 1e-5 for f32). */
  tol: number;
  /** RNG seed of the initialization (default 0). */
  seed: number;
  /** Std of the N(0, std²) initialization, or `auto` (default; lib/ufm/dense.ts `autoInitStds`). */
  initStd: number | "auto";
  /** Element type (default f64). */
  dtype: DType;
  /** SIMD or scalar-reference kernels (default simd). */
  kernel: "simd" | "reference";
  /** Block step sizes of the plain UFM: none (default) or balanced (lib/ufm/dense.ts). */
  precondition: Precondition;
  /**
   * Which problem the optimizer runs on: `full`, `reduced` (one column per class or label set up
   * to the gcd of the counts, lifted and checked on the full problem; lib/ufm/reduce.ts) or
   * `auto` (reduced when that is exact, shrinks the problem and no `observeAt` asks for iterates).
   * Default `full` for the library; `solve` defaults to `auto`.
   */
  path: "full" | "reduced" | "auto";
  /**
   * Certify the end point with the Hessian's smallest eigenvalues (lib/ufm/certify.ts):
   * `auto` (default) does so for f64 runs with at most 20,000 parameters.
   */
  certify: boolean | "auto";
}

/** Default solver settings. */
export const defaultSolverSettings: SolverSettings = {
  optimizer: "lbfgs",
  lr: 0.5,
  momentum: 0.9,
  iters: 20000,
  tol: 1e-10,
  seed: 0,
  initStd: "auto",
  dtype: "f64",
  kernel: "simd",
  precondition: "none",
  certify: "auto",
  path: "full",
};

/** Largest problem (parameters) that `certify: "auto"` certifies. */
const maxAutoCertifyParameters = 20_000;

/** Hooks into the run (progress and observation of intermediate states). */
export interface SolveHooks {
  /** Progress callback (every ~1000 iterations). */
  onProgress?: (info: IterationInfo) => void;
  /** Iterations at which `observe` is called with the model in that state. */
  observeAt?: (iteration: number) => boolean;
  /** Receives the model at the observed iterations (read it; do not keep matrices). */
  observe?: (info: IterationInfo, model: UfmObjective) => void;
}

/** The problem as reported: the statement plus what resolving it derived. */
export type ProblemEcho = UfmProblem & {
  /** λ in the canonical (Z) convention. */
  lambdas_z: CanonicalLambdas;
  /** λ in the Tirer–Bruna convention. */
  lambdas_tb: CanonicalLambdas;
  /** Samples N. */
  samples: number;
  /** Samples per class (label sets containing the class, for multi-label problems). */
  class_counts: number[];
};

/** Minority collapse of an imbalanced problem (docs/imbalanced.md#minority-collapse). */
export interface MinorityReport {
  /** The classes with the smallest count. */
  classes: number[];
  /** Mean pairwise cosine of their classifier rows (NaN if fewer than two are nonzero). */
  classifier_cosine: number;
  /** Ratio of the largest to the smallest class count. */
  imbalance_ratio: number;
}

/** Everything `solve` reports. */
export interface SolveReport {
  /** The problem as given, plus λ in both conventions and the class sizes. */
  problem: ProblemEcho;
  /** Solver settings used. */
  settings: SolverSettings;
  /** Final objective f. */
  objective: number;
  /** Closed-form minimizer (null where no closed form applies). */
  theory: Theory | null;
  /** |f − f*| / |f*| (|f − f*| when f* = 0), or null without theory. */
  objective_rel_error: number | null;
  /** NC metrics of the final state (penultimate features with the classifier). */
  metrics: NcMetricsReport;
  /** Norms of the solution. */
  norms: SolutionNorms;
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
  /** Which problem produced the answer: the full one, or the class-reduced one lifted. */
  path: "full" | "reduced";
  /** The reduction used (path `reduced`). */
  reduction?: {
    /** gcd g of the group counts: N shrinks g-fold. */
    factor: number;
    /** Samples of the reduced problem. */
    reduced_samples: number;
    /** True when the reduction keeps every critical point (lib/ufm/reduce.ts). */
    exact: boolean;
    /** What that means for the certificate. */
    note: string;
  };
  /** Per-layer metrics (layered models only; absent for the plain UFM). */
  layers?: LayerMetricsReport;
  /** Minority collapse (imbalanced single-label problems only). */
  minority?: MinorityReport;
  /** Multi-label metrics (multi-label problems only; `metrics` then covers multiplicity 1). */
  multilabel?: MultiLabelMetrics;
  /** What the end point is: gradient, gap, Hessian eigenvalues, verdict (see `certify`). */
  certificate?: Certificate;
  /** Why the NC metrics are undefined, when they are (e.g. "undefined (zero solution)"). */
  metrics_note?: string;
  /** Momentum methods: restarts from the initialization with half the step size (safeguard). */
  step_halvings?: number;
  /** The step size in use at the end (differs from settings.lr after halvings). */
  final_lr?: number;
}

/** A seeded instance of the problem's model (from the registry). */
export function createModel(problem: ResolvedProblem, options: ModelOptions): UfmObjective {
  return modelDefinition(problem.model).create(problem, options);
}

/**
 * The predicted global minimizer of a problem (the model's closed form, lib/theory/), or null
 * where none is known (e.g. d too small, a λ of 0, imbalanced classes with a softmax loss).
 */
export function theoryFor(problem: UfmProblem | ResolvedProblem): Theory | null {
  const resolved = resolveProblem(problem);
  return modelDefinition(resolved.model).theory(resolved);
}

/**
 * Resolves the problem (once), runs the optimizer from a seeded initialization, and reports.
 * Throws UsageError for invalid input and RunError if the run diverges.
 */
export function solveUfm(
  problem: UfmProblem | ResolvedProblem,
  settings: Partial<SolverSettings> = {},
  hooks: SolveHooks = {},
): SolveReport {
  const resolved = resolveProblem(problem);
  const definition = modelDefinition(resolved.model);
  const dtype = settings.dtype ?? defaultSolverSettings.dtype;
  const full: SolverSettings = {
    ...defaultSolverSettings,
    // f32 gradients are too noisy for a line search at f32 tolerances: a momentum method.
    ...(dtype === "f32" ? { tol: 1e-5, optimizer: "nesterov" as const } : {}),
    ...settings,
  };
  if (full.precondition !== "none" && resolved.model !== "ufm") {
    throw new UsageError("--precondition: only the plain UFM (--model ufm) supports it");
  }
  const { total, largest } = definition.bytes(resolved, full.dtype);
  assertCoreFits(
    total,
    `solve --model ${resolved.model} with K = ${resolved.K}, N = ${resolved.N}, widths ` +
      `[${resolved.widths.join(", ")}] (${full.dtype})`,
    "use --dtype f32, fewer samples per class, fewer classes or smaller widths",
    largest,
  );
  const reduction = choosePath(resolved, full, hooks);
  const modelOptions = {
    seed: full.seed,
    initStd: full.initStd,
    dtype: full.dtype,
    kernel: full.kernel,
    precondition: full.precondition,
  };
  const run = (model: UfmObjective, iterations: number, observed: boolean) => {
    const observe = observed ? hooks.observe : undefined;
    return minimize(model, {
      method: full.optimizer,
      lr: full.lr,
      momentum: full.momentum,
      maxIterations: iterations,
      tolerance: full.tol,
      kernel: full.kernel,
      onProgress: hooks.onProgress,
      observeAt: observed ? hooks.observeAt : undefined,
      observe: observe ? (info) => observe(info, model) : undefined,
    });
  };
  // On the reduced path the full model only receives the lifted solution: no random start.
  const model = definition.create(
    resolved,
    reduction === null ? modelOptions : { ...modelOptions, initStd: 0 },
  );
  let small: UfmObjective | null = null;
  try {
    let result;
    let reducedCertificate: Certificate | undefined;
    if (reduction === null) {
      result = run(model, full.iters, true);
    } else {
      // Solve the class-reduced problem, lift its minimizer, and finish on the full problem
      // (a lifted critical point is critical: the polish only absorbs rounding).
      small = definition.create(reduction.reduced, modelOptions);
      const reducedResult = run(small, full.iters, false);
      liftSolution(reduction, small, model);
      const budget = reducedResult.converged
        ? Math.min(100, full.iters - reducedResult.iteration)
        : 0;
      const polish = run(model, Math.max(0, budget), true);
      result = { ...polish, iteration: reducedResult.iteration + polish.iteration };
      result.seconds += reducedResult.seconds;
      if (wantsCertificate(full, small)) {
        // The Hessian on the collapsed subspace at the polished point.
        restrictSolution(reduction, model, small);
        reducedCertificate = certify(small, definition.theory(reduction.reduced));
      }
    }
    const theory = definition.theory(resolved);
    const report: SolveReport = {
      problem: problemEcho(resolved),
      settings: full,
      objective: result.objective,
      theory,
      objective_rel_error: theory === null ? null : Math.abs(result.objective - theory.objective) /
        (theory.objective === 0 ? 1 : Math.abs(theory.objective)),
      metrics: ufmMetrics(model),
      norms: solutionNorms(model),
      iterations: result.iteration,
      grad_norm: result.gradNorm,
      converged: result.converged,
      snapped_to_zero: result.snappedToZero,
      seconds: result.seconds,
      path: reduction === null ? "full" : "reduced",
    };
    if (reduction !== null) {
      report.reduction = {
        factor: reduction.factor,
        reduced_samples: reduction.reduced.N,
        exact: reduction.exact,
        note: reduction.exact
          ? "every critical point of the full problem is class-collapsed (convex loss, linear " +
            "layers, λ_H > 0): within-class Hessian directions are positive definite"
          : "candidate only (focal loss or ReLU): the full gradient norm is the check",
      };
    }
    if (definition.layers) report.layers = definition.layers(model);
    const minority = minorityReport(resolved, model);
    if (minority) report.minority = minority;
    const multilabel = ufmMultiLabelMetrics(model);
    if (multilabel) report.multilabel = multilabel;
    if (result.stepHalvings) {
      report.step_halvings = result.stepHalvings;
      report.final_lr = result.finalLr;
    }
    const vanished = report.norms.h_mean_sq < 1e-16 && report.norms.w_row_sq < 1e-16;
    if (theory?.zero_solution === true || vanished) {
      // Past the zero threshold every class mean is 0: NC geometry is 0/0, not collapse.
      report.metrics_note = "undefined (zero solution)";
      delete report.multilabel; // tag-wise cosines of zero vectors are noise too
    }
    if (reducedCertificate !== undefined) {
      // The Hessian on the collapsed subspace (the reduced problem's), with the full problem's
      // gradient, gap and verdict against the full closed form.
      const gap = theory === null ? null : result.objective - theory.objective;
      report.certificate = {
        ...reducedCertificate,
        objective: result.objective,
        grad_norm: result.gradNorm,
        gap,
        classification: reducedCertificate.classification === "global minimum" ||
            reducedCertificate.classification === "local minimum"
          ? (gap !== null && Math.abs(gap) <= 1e-8 * Math.max(1, Math.abs(theory!.objective))
            ? "global minimum"
            : "local minimum")
          : reducedCertificate.classification,
      };
    } else if (reduction === null && wantsCertificate(full, model)) {
      report.certificate = certify(model, theory);
    }
    return report;
  } finally {
    model.free();
    small?.free();
  }
}

/** Whether `settings.certify` asks for a certificate of this model's end point. */
function wantsCertificate(settings: SolverSettings, model: UfmObjective): boolean {
  const parameters = model.blocks.reduce((sum, block) => sum + block.value.size, 0);
  return settings.certify === true ||
    (settings.certify === "auto" && settings.dtype === "f64" &&
      parameters <= maxAutoCertifyParameters);
}

/**
 * The class-reduced path when asked for (`reduced`), or with `auto` when it is exact and shrinks
 * the problem and no intermediate iterate is observed (dynamics need the full problem); else null.
 */
function choosePath(
  problem: ResolvedProblem,
  settings: SolverSettings,
  hooks: SolveHooks,
): Reduction | null {
  if (settings.path === "full") return null;
  const reduction = reduceProblem(problem);
  if (settings.path === "reduced") {
    if (reduction === null) {
      throw new UsageError(
        problem.model === "sphere"
          ? "--path reduced: the spherical model's unit features do not reduce by class"
          : "--path reduced: nothing to reduce (the class sizes have no common factor > 1)",
      );
    }
    return reduction;
  }
  // Dynamics (observeAt) need the iterates of the full problem; a final observe does not.
  return reduction !== null && reduction.exact && hooks.observeAt === undefined ? reduction : null;
}

/** The statement with λ in both conventions and the class sizes. */
export function problemEcho(problem: ResolvedProblem): ProblemEcho {
  return {
    ...problem.spec,
    lambdas_z: problem.lambdas,
    lambdas_tb: convertLambdas(problem.lambdas, "z", "tb", problem.K, problem.N),
    samples: problem.N,
    class_counts: [...problem.labels.counts],
  };
}

/** Minority collapse of imbalanced single-label problems (null otherwise). */
function minorityReport(problem: ResolvedProblem, model: UfmObjective): MinorityReport | null {
  if (problem.labels.kind !== "single" || problem.n !== null) return null;
  const counts = problem.labels.counts;
  const smallest = Math.min(...counts);
  const classes = counts.flatMap((count, k) => (count === smallest ? [k] : []));
  return {
    classes,
    classifier_cosine: classifierCosine(model.classifier, classes),
    imbalance_ratio: Math.max(...counts) / smallest,
  };
}
