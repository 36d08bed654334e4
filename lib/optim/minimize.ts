/**
 * The one optimizer loop of ufmlab: full-batch gradient descent, heavy-ball momentum or
 * Nesterov on any objective made of parameter blocks with ℓ2 penalties λ/2‖θ‖². The model
 * supplies the gradient of its data term; regularization, gradient norm and the update are
 * fused in one WASM pass per block (core-as/assembly/ufm.ts `opt_step`).
 *
 * Safeguards: a non-finite or exploding objective stops the run with a {@link RunError} that
 * names the step size to lower; blocks that decay towards zero (past a zero-solution threshold)
 * are snapped to exact zeros before they reach subnormal floats, which are up to 15× slower
 * (docs/performance.md#subnormals).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
import { minimizeLbfgs } from "./lbfgs.ts";
 * import { minimize } from "./minimize.ts";
 * // f(x) = ½(x − 3)² + 0.1/2·x²  →  x* = 3/1.1
 * const x = Matrix.from(1, 1, [0]);
 * const g = Matrix.zeros(1, 1);
 * const result = minimize({
 *   blocks: [{ name: "x", value: x, grad: g, lambda: 0.1 }],
 *   evaluateData: () => { g.data[0] = x.data[0] - 3; return 0.5 * (x.data[0] - 3) ** 2; },
 * }, { method: "nesterov", lr: 0.5, momentum: 0.5, maxIterations: 500, tolerance: 1e-12 });
 * assert.equal(result.converged, true);
 * assert.ok(Math.abs(x.data[0] - 3 / 1.1) < 1e-11);
 * ```
 * @module
 */
import { coreKernel, type OptStepKernel } from "../core/wasm.ts";
import { RunError } from "../errors.ts";
import { Matrix } from "../matrix.ts";
import { minimizeLbfgs } from "./lbfgs.ts";

/** A parameter block with its gradient buffer and ℓ2 penalty weight. */
export interface ParameterBlock {
  /** Name used in messages (`W`, `H`, `b`, …). */
  name: string;
  /** Current value (updated in place). */
  value: Matrix;
  /** Gradient of the data term, filled by `evaluateData`; same shape and dtype as value. */
  grad: Matrix;
  /** Penalty weight λ in λ/2‖θ‖² (0: unregularized). */
  lambda: number;
  /**
   * Multiplier of the step size for this block (default 1): a block-diagonal preconditioner.
   * It changes the path, never the minimizer.
   */
  stepScale?: number;
  /**
   * A constraint set for this block (e.g. rows on the unit sphere): the gradient is projected
   * onto the tangent space before every step and the point retracted onto the set after it
   * (Riemannian gradient methods; the momentum buffer is projected too, as vector transport).
   * Constrained blocks carry no ℓ2 penalty (λ must be 0).
   */
  constraint?: BlockConstraint;
}

/** A smooth constraint set for a parameter block (see {@link ParameterBlock.constraint}). */
export interface BlockConstraint {
  /** Projects `vector` onto the tangent space of the set at `point`, in place. */
  tangent(point: Matrix, vector: Matrix): void;
  /** Maps `point` onto the set, in place (a retraction). */
  retract(point: Matrix): void;
}

/** An objective f(θ) = data(θ) + Σ_blocks λ/2‖θ_block‖². */
export interface DifferentiableObjective {
  /** Parameter blocks (all of one dtype). */
  blocks: ParameterBlock[];
  /** Computes the data term at the current values and writes its gradient into each `grad`. */
  evaluateData(): number;
}

/**
 * Update rule: plain gradient descent, heavy-ball momentum, Nesterov, or L-BFGS with a
 * strong-Wolfe line search (lib/optim/lbfgs.ts; `lr` and `momentum` are then unused).
 */
export type OptimizerMethod = "gd" | "momentum" | "nesterov" | "lbfgs";
/** Accepted update rules. */
export const optimizerMethods: readonly OptimizerMethod[] = ["lbfgs", "gd", "momentum", "nesterov"];

/** One observation of the run (objective and gradient norm at the current parameters). */
export interface IterationInfo {
  /** Number of updates applied so far. */
  iteration: number;
  /** f at the current parameters. */
  objective: number;
  /** ‖∇f‖ (all blocks) at the current parameters. */
  gradNorm: number;
}

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Update rule. */
  method: OptimizerMethod;
  /** Step size. */
  lr: number;
  /** Momentum coefficient μ ∈ [0, 1) (ignored by `gd`). */
  momentum: number;
  /** Maximum number of updates. */
  maxIterations: number;
  /** Stop once ‖∇f‖ < tolerance. */
  tolerance: number;
  /** Use the scalar reference kernels (for tests). */
  kernel?: "simd" | "reference";
  /**
   * Called with the state before the update of iteration t whenever `observeAt(t)` is true,
   * and once at the end; parameters are then exactly those at which `info` was measured.
   */
  observe?: (info: IterationInfo) => void;
  /** Which iterations `observe` sees (default: none but the last). */
  observeAt?: (iteration: number) => boolean;
  /** Called every `progressEvery` updates (e.g. to print progress on stderr). */
  onProgress?: (info: IterationInfo) => void;
  /** Period of `onProgress` (default 1000). */
  progressEvery?: number;
}

/** Outcome of {@link minimize}. */
export interface MinimizeResult extends IterationInfo {
  /** True when ‖∇f‖ fell below the tolerance. */
  converged: boolean;
  /** Wall-clock seconds. */
  seconds: number;
  /** Names of blocks snapped to zero on the way (past a zero-solution threshold). */
  snappedToZero: string[];
  /**
   * Momentum methods: how often a diverging run was restarted from its initialization with half
   * the step size (the safeguard; 0 when the given step size worked).
   */
  stepHalvings?: number;
  /** The step size in use at the end (after halvings). */
  finalLr?: number;
  /** L-BFGS: no step could decrease f any more (f64 resolution) before the tolerance was met. */
  stalled?: boolean;
}

/** Most restarts with a halved step size before a diverging momentum run is given up. */
const maxStepHalvings = 30;

const stepMode: Record<Exclude<OptimizerMethod, "lbfgs"> | "none", number> = {
  none: 0,
  gd: 1,
  momentum: 2,
  nesterov: 3,
};

/** Mean square below which a block is treated as collapsed to zero, per dtype. */
const zeroSnapMeanSquare = { f64: 1e-200, f32: 1e-60 };

/** Runs the optimizer; see the module documentation. Throws {@link RunError} on divergence. */
export function minimize(
  objective: DifferentiableObjective,
  options: MinimizeOptions,
): MinimizeResult {
  if (options.method === "lbfgs") {
    return minimizeLbfgs(objective, {
      maxIterations: options.maxIterations,
      tolerance: options.tolerance,
      observe: options.observe,
      observeAt: options.observeAt,
      onProgress: options.onProgress,
      progressEvery: options.progressEvery === undefined
        ? undefined
        : Math.max(1, Math.round(options.progressEvery / 10)),
    });
  }
  const t0 = performance.now();
  const { blocks } = objective;
  const dtype = blocks[0].value.dtype;
  const step = coreKernel<OptStepKernel>("opt_step", dtype, options.kernel);
  const velocities = blocks.map((block) =>
    options.method === "gd" ? null : Matrix.zeros(block.value.rows, block.value.cols, dtype)
  );
  // stats[2i] = ‖g_i‖², stats[2i+1] = ‖θ_i‖² (f64 regardless of the parameter dtype).
  const stats = Matrix.zeros(blocks.length, 2, "f64");
  const progressEvery = options.progressEvery ?? 1000;
  const snapped = new Set<string>();
  let firstObjective = NaN;
  let converged = false;
  // Safeguard of the momentum methods: a diverging run restarts from θ0 with half the step size.
  const safeguarded = options.method === "momentum" || options.method === "nesterov";
  // θ0 is kept in core memory, in the parameters' own type: a fresh JS-heap copy cost 36-75 ms
  // per call for 2.56M parameters on the project machine (page faults of new memory), the core
  // heap reuses its pages.
  const start = safeguarded ? blocks.map((block) => block.value.clone()) : [];
  let lr = options.lr;
  let halvings = 0;
  let info: IterationInfo = { iteration: 0, objective: NaN, gradNorm: NaN };

  for (const block of blocks) {
    if (block.constraint !== undefined && block.lambda !== 0) {
      throw new RangeError(`minimize: constrained block ${block.name} must have λ = 0`);
    }
  }
  const pass = (mode: number): IterationInfo & { data: number } => {
    const data = objective.evaluateData();
    stats.data.fill(0);
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i];
      const velocity = velocities[i];
      block.constraint?.tangent(block.value, block.grad);
      step(
        block.value.size,
        block.value.ptr,
        block.grad.ptr,
        velocity === null ? 0 : velocity.ptr,
        block.lambda,
        lr * (block.stepScale ?? 1),
        options.momentum,
        mode,
        stats.ptr + 16 * i,
      );
      if (block.constraint !== undefined && mode !== stepMode.none) {
        block.constraint.retract(block.value);
        if (velocity !== null) block.constraint.tangent(block.value, velocity);
      }
    }
    let value = data;
    let gradSq = 0;
    const s = stats.data;
    for (let i = 0; i < blocks.length; i++) {
      gradSq += s[2 * i];
      value += 0.5 * blocks[i].lambda * s[2 * i + 1];
    }
    return { iteration: 0, objective: value, gradNorm: Math.sqrt(gradSq), data };
  };

  try {
    let iteration = 0;
    for (; iteration < options.maxIterations; iteration++) {
      const observing = options.observe !== undefined && options.observeAt?.(iteration) === true;
      if (observing) {
        const before = pass(stepMode.none);
        options.observe!({ ...before, iteration });
      }
      const now = pass(stepMode[options.method]);
      info = { iteration, objective: now.objective, gradNorm: now.gradNorm };
      if (iteration === 0) firstObjective = now.objective;
      if (safeguarded && halvings < maxStepHalvings && diverging(info, firstObjective)) {
        blocks.forEach((block, i) => block.value.data.set(start[i].data));
        for (const velocity of velocities) velocity?.data.fill(0);
        lr /= 2;
        halvings++;
        continue;
      }
      checkFinite(info, firstObjective, lr);
      if (options.onProgress && iteration % progressEvery === 0) options.onProgress(info);
      if (now.gradNorm < options.tolerance) {
        converged = true;
        iteration++;
        break;
      }
      snapCollapsedBlocks(blocks, velocities, stats, dtype, snapped);
    }
    const last = pass(stepMode.none);
    info = { iteration, objective: last.objective, gradNorm: last.gradNorm };
    checkFinite(info, firstObjective, lr);
    if (!converged && last.gradNorm < options.tolerance) converged = true;
    options.observe?.(info);
  } finally {
    for (const velocity of velocities) velocity?.free();
    for (const copy of start) copy.free();
    stats.free();
  }
  return {
    ...info,
    converged,
    seconds: (performance.now() - t0) / 1000,
    snappedToZero: [...snapped],
    ...(safeguarded ? { stepHalvings: halvings, finalLr: lr } : {}),
  };
}

/** Non-finite, or the objective grew 10⁸-fold past its start: the step size is too large. */
function diverging(info: IterationInfo, firstObjective: number): boolean {
  const exploded = Number.isFinite(firstObjective) &&
    info.objective > 1e8 * (1 + Math.abs(firstObjective));
  return !Number.isFinite(info.objective) || !Number.isFinite(info.gradNorm) || exploded;
}

function checkFinite(info: IterationInfo, firstObjective: number, lr: number): void {
  if (diverging(info, firstObjective)) {
    throw new RunError(
      `diverged at iteration ${info.iteration} (objective ${info.objective}, ` +
        `gradient norm ${info.gradNorm}): lower the step size --lr (now ${lr})`,
    );
  }
}

function snapCollapsedBlocks(
  blocks: ParameterBlock[],
  velocities: (Matrix | null)[],
  stats: Matrix,
  dtype: "f64" | "f32",
  snapped: Set<string>,
): void {
  const s = stats.data;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const meanSquare = s[2 * i + 1] / block.value.size;
    if (meanSquare > 0 && meanSquare < zeroSnapMeanSquare[dtype]) {
      block.value.data.fill(0);
      velocities[i]?.data.fill(0);
      snapped.add(block.name);
    }
  }
}
