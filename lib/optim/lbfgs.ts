/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, *Numerical
 * Optimization*, Alg. 7.4 two-loop recursion and Alg. 3.5/3.6 bracketing + zoom with cubic
 * interpolation), the tuning-free default of `solve` in f64 (docs/solvers.md#lbfgs). It runs on
 * the same objectives as the first-order methods of minimize.ts — parameter blocks with ℓ2
 * penalties λ/2‖θ‖² — and on constrained blocks (unit spheres) as Riemannian L-BFGS: gradients
 * projected onto the tangent space, steps retracted onto the set, stored curvature pairs
 * transported by projection (Huang, Gallivan & Absil 2015 style).
 *
 * Vectors are the concatenation of all blocks, held as f64 vectors in the core's memory: the
 * two-loop recursion (4·m vector operations per iteration, m = 10 pairs) runs on the SIMD dot
 * and axpy kernels (lib/vectors.ts) — at small K it costs more than the objective itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { minimizeLbfgs } from "./lbfgs.ts";
 * // Rosenbrock-like valley f = (1 − x)² + 10(y − x²)², minimum at (1, 1).
 * const p = Matrix.from(1, 2, [-1.2, 1]);
 * const g = Matrix.zeros(1, 2);
 * const result = minimizeLbfgs({
 *   blocks: [{ name: "p", value: p, grad: g, lambda: 0 }],
 *   evaluateData: () => {
 *     const [x, y] = p.data;
 *     g.data[0] = -2 * (1 - x) - 40 * x * (y - x * x);
 *     g.data[1] = 20 * (y - x * x);
 *     return (1 - x) ** 2 + 10 * (y - x * x) ** 2;
 *   },
 * }, { maxIterations: 200, tolerance: 1e-12 });
 * assert.ok(result.converged);
 * assert.ok(Math.abs(p.data[0] - 1) < 1e-10 && Math.abs(p.data[1] - 1) < 1e-10);
 * ```
 * @module
 */
import { RunError } from "../errors.ts";
import { Matrix } from "../matrix.ts";
import { axpy, dot, norm, scale } from "../vectors.ts";
import type { DifferentiableObjective, IterationInfo, MinimizeResult } from "./minimize.ts";

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Maximum number of iterations (accepted steps). */
  maxIterations: number;
  /** Stop once ‖∇f‖ < tolerance (Riemannian gradient for constrained blocks). */
  tolerance: number;
  /** Curvature pairs kept (default 10, as scipy). */
  memory?: number;
  /** Called with the state before the step of iteration t when `observeAt(t)`, and at the end. */
  observe?: (info: IterationInfo) => void;
  /** Which iterations `observe` sees. */
  observeAt?: (iteration: number) => boolean;
  /** Called every `progressEvery` iterations. */
  onProgress?: (info: IterationInfo) => void;
  /** Period of `onProgress` (default 100). */
  progressEvery?: number;
}

/** Sufficient-decrease and curvature constants of the strong Wolfe conditions. */
const c1 = 1e-4, c2 = 0.9;

/**
 * Minimizes f(θ) = data(θ) + Σ λ/2‖θ_block‖² by L-BFGS (see the module notes). Stops when the
 * gradient norm falls below the tolerance, or when no step can decrease f further (the line
 * search fails at the resolution of f64: `converged` is then false unless the gradient is small).
 * Throws {@link RunError} if the objective becomes non-finite.
 */
export function minimizeLbfgs(
  objective: DifferentiableObjective,
  options: LbfgsOptions,
): MinimizeResult {
  const t0 = performance.now();
  const { blocks } = objective;
  const memory = options.memory ?? 10;
  const sizes = blocks.map((block) => block.value.size);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((sum, size) => sum + size, 0));
  const constrained = blocks.some((block) => block.constraint !== undefined);
  // Every vector lives in the core's memory (vectors.ts kernels); `.data` is read afresh after
  // each call that may allocate, as memory growth can replace the buffer.
  const vectors: Matrix[] = [];
  const vector = (): Matrix => {
    const v = Matrix.zeros(1, total, "f64");
    vectors.push(v);
    return v;
  };

  const read = (out: Matrix): void => {
    const data = out.data;
    blocks.forEach((block, i) => data.set(block.value.data, offsets[i]));
  };
  const write = (x: Matrix): void => {
    const data = x.data;
    blocks.forEach((block, i) =>
      block.value.data.set(data.subarray(offsets[i], offsets[i] + sizes[i]))
    );
    for (const block of blocks) block.constraint?.retract(block.value);
  };
  /** Projects v onto the tangent space at the current point (identity for free blocks). */
  const project = (v: Matrix): void => {
    if (!constrained) return;
    blocks.forEach((block, i) => {
      if (block.constraint === undefined) return;
      const view = v.data.subarray(offsets[i], offsets[i] + sizes[i]);
      block.grad.data.set(view);
      block.constraint.tangent(block.value, block.grad);
      view.set(block.grad.data);
    });
  };
  /** f and the (Riemannian) gradient at the current parameters. */
  const evaluate = (gradient: Matrix): number => {
    let value = objective.evaluateData();
    const out = gradient.data;
    blocks.forEach((block, i) => {
      const theta = block.value.data, g = block.grad.data, lambda = block.lambda;
      let sq = 0;
      for (let e = 0; e < sizes[i]; e++) {
        sq += theta[e] * theta[e];
        out[offsets[i] + e] = g[e] + lambda * theta[e];
      }
      value += 0.5 * lambda * sq;
    });
    project(gradient);
    return value;
  };
  /** target ← −source. */
  const negated = (target: Matrix, source: Matrix): void => {
    target.data.set(source.data);
    scale(target, -1);
  };

  try {
    const x = vector(), g = vector(), xTrial = vector(), gTrial = vector();
    const direction = vector(), transported = vector();
    const alphas = new Float64Array(memory);
    const history: CurvaturePair[] = [];
    read(x);
    write(x); // retract the start onto the constraint sets
    read(x);
    let f = evaluate(g);
    let gradNorm = norm(g);
    const check = (info: IterationInfo): void => {
      if (!Number.isFinite(info.objective) || !Number.isFinite(info.gradNorm)) {
        throw new RunError(
          `L-BFGS: the objective became non-finite at iteration ${info.iteration} ` +
            `(objective ${info.objective}, gradient norm ${info.gradNorm})`,
        );
      }
    };
    check({ iteration: 0, objective: f, gradNorm });
    let iteration = 0;
    let converged = gradNorm < options.tolerance;
    let stalled = false;
    const progressEvery = options.progressEvery ?? 100;

    /** φ(t) = f(R(x + t·d)) and φ'(t) = ⟨∇f, P(d)⟩ at the trial point (into xTrial, gTrial). */
    const phi = (t: number): { value: number; slope: number } => {
      xTrial.data.set(x.data);
      axpy(t, direction, xTrial);
      write(xTrial);
      read(xTrial); // the retracted point
      const value = evaluate(gTrial);
      if (!constrained) return { value, slope: dot(gTrial, direction) };
      transported.data.set(direction.data);
      project(transported);
      return { value, slope: dot(gTrial, transported) };
    };

    /**
     * Line search from f0 with slope0 < 0 along the current direction; returns φ at the
     * accepted step (trial buffers hold its point and gradient), or null when no acceptable
     * step exists at the resolution of f64. Accepts the strong Wolfe conditions, or — once f
     * varies by less than its rounding, near the minimum — the approximate Wolfe conditions of
     * Hager & Zhang (2005): φ(t) ≤ φ(0) + ε and c2·φ'(0) ≤ φ'(t) ≤ (1 − 2c1)|φ'(0)|, decided by
     * the slopes alone.
     */
    const lineSearch = (f0: number, slope0: number, first: number): number | null => {
      const noise = 1e-10 * Math.abs(f0) + 1e-300;
      const accept = (t: number, value: number, slope: number): boolean =>
        (value <= f0 + c1 * t * slope0 && Math.abs(slope) <= -c2 * slope0) ||
        (value <= f0 + noise && slope >= c2 * slope0 && slope <= -(1 - 2 * c1) * slope0);
      const tooHigh = (t: number, value: number): boolean => value > f0 + c1 * t * slope0 + noise;
      const zoom = (low: LinePoint, high: LinePoint): number | null => {
        for (let i = 0; i < 80; i++) {
          const [a, b] = low.t < high.t ? [low.t, high.t] : [high.t, low.t];
          if (b - a <= 1e-15 * Math.max(b, 1e-300)) break;
          // Values within the rounding of f carry no information: interpolate the slopes.
          let t = Math.abs(low.value - high.value) <= noise && low.slope * high.slope < 0
            ? low.t - (low.slope * (high.t - low.t)) / (high.slope - low.slope)
            : cubicMinimizer(low, high);
          if (!(t > a + 0.1 * (b - a) && t < b - 0.1 * (b - a))) t = 0.5 * (a + b); // safeguard
          const current = { t, ...phi(t) };
          if (accept(t, current.value, current.slope)) return current.value;
          if (tooHigh(t, current.value) || current.slope >= 0) high = current;
          else low = current;
        }
        // Keep the lower end if it decreased f at all; otherwise there is nothing left to gain.
        if (low.t > 0 && low.value < f0) {
          phi(low.t);
          return low.value;
        }
        return null;
      };
      let low: LinePoint = { t: 0, value: f0, slope: slope0 };
      let t = first;
      for (let i = 0; i < 60; i++) {
        const current = { t, ...phi(t) };
        if (!Number.isFinite(current.value)) {
          t = 0.5 * (low.t + t); // stepped into overflow: pull back
          continue;
        }
        if (accept(t, current.value, current.slope)) return current.value;
        if (tooHigh(t, current.value) || current.slope >= 0) return zoom(low, current);
        low = current;
        t *= 4;
      }
      return null;
    };

    for (; iteration < options.maxIterations && !converged; iteration++) {
      const info = { iteration, objective: f, gradNorm };
      if (options.observe && options.observeAt?.(iteration)) options.observe(info);
      if (options.onProgress && iteration % progressEvery === 0) options.onProgress(info);
      twoLoop(direction, g, history, alphas);
      let slope = dot(direction, g);
      if (!(slope < 0)) {
        // Not a descent direction (curvature information lost): restart from steepest descent.
        history.length = 0;
        negated(direction, g);
        slope = -gradNorm * gradNorm;
      }
      const first = history.length === 0 ? Math.min(1, 1 / Math.max(gradNorm, 1e-300)) : 1;
      let step = lineSearch(f, slope, first);
      if (step === null && history.length > 0) {
        // The quasi-Newton direction failed: forget the curvature pairs, try steepest descent.
        history.length = 0;
        negated(direction, g);
        step = lineSearch(f, -gradNorm * gradNorm, Math.min(1, 1 / Math.max(gradNorm, 1e-300)));
      }
      if (step === null) {
        stalled = true;
        break;
      }
      // Accepted: xTrial, gTrial hold the new point. Curvature pair in the new tangent space
      // (buffers of the oldest pair are reused once the memory is full).
      const recycled = history.length >= memory ? history.shift()! : null;
      const s = recycled?.s ?? vector(), y = recycled?.y ?? vector();
      s.data.set(xTrial.data);
      axpy(-1, x, s);
      project(s);
      project(g); // transport the old gradient to the new tangent space
      y.data.set(gTrial.data);
      axpy(-1, g, y);
      if (constrained) { for (const pair of history) project(pair.s), project(pair.y); }
      const sy = dot(s, y);
      if (sy > 1e-12 * norm(s) * norm(y)) history.push({ s, y, rho: 1 / sy });
      x.data.set(xTrial.data);
      g.data.set(gTrial.data);
      f = step;
      gradNorm = norm(g);
      check({ iteration: iteration + 1, objective: f, gradNorm });
      converged = gradNorm < options.tolerance;
    }
    write(x);
    f = evaluate(g);
    gradNorm = norm(g);
    const last = { iteration, objective: f, gradNorm };
    options.observe?.(last);
    return {
      ...last,
      converged: gradNorm < options.tolerance,
      seconds: (performance.now() - t0) / 1000,
      snappedToZero: [],
      stalled: stalled && !(gradNorm < options.tolerance),
    };
  } finally {
    for (const v of vectors) v.free();
  }
}

/** A point of the line search: step, φ and φ'. */
interface LinePoint {
  t: number;
  value: number;
  slope: number;
}

/** A stored curvature pair (s, y) with ρ = 1/sᵀy. */
interface CurvaturePair {
  s: Matrix;
  y: Matrix;
  rho: number;
}

/** d = −H·g by the two-loop recursion (H₀ = γI, γ = sᵀy/yᵀy of the newest pair). */
function twoLoop(
  direction: Matrix,
  g: Matrix,
  history: CurvaturePair[],
  alphas: Float64Array,
): void {
  direction.data.set(g.data);
  for (let j = history.length - 1; j >= 0; j--) {
    const { s, y, rho } = history[j];
    alphas[j] = rho * dot(s, direction);
    axpy(-alphas[j], y, direction);
  }
  if (history.length > 0) {
    const { s, y } = history[history.length - 1];
    scale(direction, dot(s, y) / dot(y, y));
  }
  for (let j = 0; j < history.length; j++) {
    const { s, y, rho } = history[j];
    const beta = rho * dot(y, direction);
    axpy(alphas[j] - beta, s, direction);
  }
  scale(direction, -1);
}

/** Minimizer of the cubic interpolating φ and φ' at two points (Nocedal & Wright eq. 3.59). */
function cubicMinimizer(
  a: { t: number; value: number; slope: number },
  b: { t: number; value: number; slope: number },
): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.t - b.t);
  const radicand = d1 * d1 - a.slope * b.slope;
  if (!(radicand >= 0)) return NaN;
  const d2 = Math.sign(b.t - a.t) * Math.sqrt(radicand);
  return b.t - (b.t - a.t) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
}
