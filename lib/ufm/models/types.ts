/**
 * What a UFM model is to the rest of ufmlab: a {@link ModelDefinition} in the registry
 * (lib/ufm/models/mod.ts) and, at run time, a {@link UfmObjective} the one optimizer loop
 * minimizes. Adding a model is one module exporting a definition plus one registry line.
 * @module
 */
import type { FlagSpec } from "../../flags.ts";
import type { LossTargets } from "../../losses.ts";
import type { DType, Matrix } from "../../matrix.ts";
import type { DifferentiableObjective } from "../../optim/minimize.ts";
import type { Theory } from "../../theory/mod.ts";
import type { Architecture, ResolvedProblem, UfmProblem } from "../problem.ts";
import type { LayerMetricsReport } from "../layer_metrics.ts";

/** Per-block step sizes of the plain UFM solver. */
export type Precondition = "none" | "balanced";
/** Accepted preconditioners. */
export const preconditions: readonly Precondition[] = ["none", "balanced"];

/** How to initialize and run a model. */
export interface ModelOptions {
  /** RNG seed for the initialization. */
  seed: number;
  /**
   * Standard deviation of the N(0, std²) initialization (biases start at 0), or `auto`: scaled
   * per factor to the size of the solution (lib/ufm/dense.ts `autoInitStds`).
   */
  initStd: number | "auto";
  /** Element type of parameters and kernels (default f64). */
  dtype?: DType;
  /** SIMD (default) or scalar reference kernels. */
  kernel?: "simd" | "reference";
  /** Block step sizes: `none` (default) or `balanced` (plain UFM only, lib/ufm/dense.ts). */
  precondition?: Precondition;
}

/** A model instance: parameters, their gradients, and the features the classifier sees. */
export interface UfmObjective extends DifferentiableObjective {
  /** The problem it solves. */
  readonly problem: ResolvedProblem;
  /** The classifier (K × width of the penultimate features). */
  readonly classifier: Matrix;
  /** The classifier's bias (K×1), or null. */
  readonly b: Matrix | null;
  /** Class indices (single labels) or the K×N multi-hot target matrix (multi-label losses). */
  readonly targets: LossTargets;
  /** Recomputes every activation from the current parameters. */
  forward(): void;
  /** The features fed to the classifier (width×N, samples as columns), as of the last forward. */
  penultimate(): Matrix;
  /** Releases all core memory. */
  free(): void;
  /**
   * Entries where the objective is not smooth (ReLU pre-activations within `tolerance` of 0,
   * relative to the largest), as of the last forward pass; absent for smooth models.
   */
  kinks?(tolerance: number): number;
}

/** Flag values as parsed from the command line (strings; booleans for switches). */
export type FlagValues = Readonly<Record<string, string | boolean>>;

/** One registered model. */
export interface ModelDefinition<O extends UfmObjective = UfmObjective> {
  /** Name used by `--model`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The model's own command-line flags (beyond the common problem flags). */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Common problem flags that do not apply to this model (typing one is a usage error). */
  readonly rejects?: Readonly<Record<string, string>>;
  /** Reads this model's fields of the statement from its flags (throws UsageError). */
  fromFlags(values: FlagValues): Partial<UfmProblem>;
  /** Validates the model's fields of a statement and derives its layers (throws UsageError). */
  architecture(spec: UfmProblem): Architecture;
  /** Model-specific checks of the resolved problem (bias modes, losses, memory). */
  validate?(problem: ResolvedProblem): void;
  /**
   * Core memory an instance needs (parameters, gradients, momentum buffers, activations) and its
   * largest single block, for the up-front check of `solve` (lib/core/budget.ts).
   */
  bytes(problem: ResolvedProblem, dtype: DType): { total: number; largest: number };
  /** A seeded instance. */
  create(problem: ResolvedProblem, options: ModelOptions): O;
  /** The predicted global minimizer, or null where none is known. */
  theory(problem: ResolvedProblem): Theory | null;
  /** Per-layer metrics (models with more than one layer). */
  layers?(model: O): LayerMetricsReport;
}
