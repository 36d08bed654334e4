/**
 * Second-order information of an objective made of parameter blocks (the ones `minimize`
 * runs): Hessian-vector products by central differences of the gradient, and the smallest
 * eigenvalues of the Hessian by Lanczos iteration with full reorthogonalization
 * (docs/landscape.md#certificates). On constrained blocks (unit spheres) the vectors live in the
 * tangent space and the product is the projected derivative of the projected gradient — the
 * Riemannian Hessian at a critical point.
 *
 * The objective's parameters are restored exactly after every product.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { smallestHessianEigenvalues } from "./hessian.ts";
 * // f(x, y) = x² − y²/2 + λ/2(x² + y²) with λ = 0.5: Hessian diag(2.5, −0.5).
 * const p = Matrix.from(1, 2, [0, 0]);
 * const g = Matrix.zeros(1, 2);
 * const objective = {
 *   blocks: [{ name: "p", value: p, grad: g, lambda: 0.5 }],
 *   evaluateData: () => {
 *     const [x, y] = p.data;
 *     g.data[0] = 2 * x;
 *     g.data[1] = -y;
 *     return x * x - y * y / 2;
 *   },
 * };
 * const { values } = smallestHessianEigenvalues(objective, { count: 2 });
 * assert.ok(Math.abs(values[0] + 0.5) < 1e-8 && Math.abs(values[1] - 2.5) < 1e-8);
 * ```
 * @module
 */
import { tridiagonalEigenLast } from "../linalg.ts";
import { Matrix } from "../matrix.ts";
import { dot, norm, orthogonalizeAgainst, scale } from "../vectors.ts";
import { Rng } from "../rng.ts";
import type { DifferentiableObjective } from "./minimize.ts";

/** The gradient of the full objective (data + penalties), projected on constrained blocks. */
export function fullGradient(objective: DifferentiableObjective, out: Float64Array): number {
  let value = objective.evaluateData();
  let at = 0;
  for (const block of objective.blocks) {
    const theta = block.value.data, g = block.grad.data, lambda = block.lambda;
    let sq = 0;
    for (let e = 0; e < theta.length; e++) {
      sq += theta[e] * theta[e];
      g[e] += lambda * theta[e];
    }
    block.constraint?.tangent(block.value, block.grad);
    out.set(g, at);
    at += theta.length;
    value += 0.5 * lambda * sq;
  }
  return value;
}

/** Number of parameters of an objective. */
export function parameterCount(objective: DifferentiableObjective): number {
  return objective.blocks.reduce((sum, block) => sum + block.value.size, 0);
}

/** An operator v ↦ H·v at the objective's current parameters (see the module notes). */
export interface HessianOperator {
  /** Parameters P. */
  size: number;
  /** out ← H·v (v is projected onto the tangent space first on constrained blocks). */
  apply(v: Float64Array, out: Float64Array): void;
  /** Projects v onto the tangent space of the constraint sets (identity when there are none). */
  project(v: Float64Array): void;
}

/**
 * The Hessian of `objective` at its current parameters as a matrix-free operator: central
 * differences (g(θ + εv) − g(θ − εv))/(2ε) with ε = `step`·max(1, ‖θ‖_∞) for unit v.
 */
export function hessianOperator(
  objective: DifferentiableObjective,
  step = 1e-5,
): HessianOperator {
  const { blocks } = objective;
  const size = parameterCount(objective);
  const origin = new Float64Array(size);
  const offsets: number[] = [];
  let at = 0;
  for (const block of blocks) {
    offsets.push(at);
    origin.set(block.value.data, at);
    at += block.value.size;
  }
  let scale = 1;
  for (const value of origin) scale = Math.max(scale, Math.abs(value));
  const plus = new Float64Array(size), minus = new Float64Array(size);
  const set = (sign: number, v: Float64Array, epsilon: number): void => {
    blocks.forEach((block, i) => {
      const data = block.value.data;
      for (let e = 0; e < data.length; e++) {
        data[e] = origin[offsets[i] + e] + sign * epsilon * v[offsets[i] + e];
      }
      block.constraint?.retract(block.value);
    });
  };
  const restore = (): void =>
    blocks.forEach((block, i) =>
      block.value.data.set(origin.subarray(offsets[i], offsets[i] + block.value.size))
    );
  const project = (v: Float64Array): void => {
    blocks.forEach((block, i) => {
      if (block.constraint === undefined) return;
      const view = v.subarray(offsets[i], offsets[i] + block.value.size);
      block.grad.data.set(view);
      block.constraint.tangent(block.value, block.grad);
      view.set(block.grad.data);
    });
  };
  return {
    size,
    project(v: Float64Array): void {
      restore();
      project(v);
    },
    apply(v: Float64Array, out: Float64Array): void {
      restore();
      project(v);
      let norm = 0;
      for (const value of v) norm += value * value;
      norm = Math.sqrt(norm);
      if (norm === 0) {
        out.fill(0);
        return;
      }
      const epsilon = (step * scale) / norm;
      set(1, v, epsilon);
      fullGradient(objective, plus);
      set(-1, v, epsilon);
      fullGradient(objective, minus);
      restore();
      for (let i = 0; i < size; i++) out[i] = (plus[i] - minus[i]) / (2 * epsilon);
      project(out);
    },
  };
}

/** Options of {@link smallestHessianEigenvalues}. */
export interface LanczosOptions {
  /** Eigenvalues wanted (default 3). */
  count?: number;
  /** Most Lanczos steps (default min(P, 150)); fewer once the Ritz values have converged. */
  steps?: number;
  /** Seed of the start vector (default 0). */
  seed?: number;
  /** Difference step of the Hessian-vector products (default 1e-5). */
  step?: number;
}

/** Result of {@link smallestHessianEigenvalues}. */
export interface HessianSpectrum {
  /** The smallest Ritz values, ascending (exact eigenvalues once the Krylov space is full). */
  values: number[];
  /** Residual bound β·|last eigenvector entry| of each value. */
  residuals: number[];
  /** Lanczos steps taken (the Krylov dimension). */
  steps: number;
  /** Parameters P (the tangent dimension is smaller on constrained blocks). */
  size: number;
}

/**
 * The smallest eigenvalues of the Hessian at the objective's current parameters, by Lanczos with
 * full reorthogonalization on finite-difference Hessian-vector products (restricted to the
 * tangent space on constrained blocks). Restores the parameters.
 */
export function smallestHessianEigenvalues(
  objective: DifferentiableObjective,
  options: LanczosOptions = {},
): HessianSpectrum {
  const operator = hessianOperator(objective, options.step);
  const P = operator.size;
  const steps = Math.min(options.steps ?? 150, P);
  const rng = new Rng(options.seed ?? 0);
  // The basis (one row per Lanczos vector) and w live in the core's memory: the full
  // reorthogonalization is two classical Gram–Schmidt passes of matrix–vector products
  // (lib/vectors.ts), the dominant cost of a certificate.
  const alpha: number[] = [], beta: number[] = [];
  const basis = Matrix.zeros(steps, P, "f64");
  const w = Matrix.zeros(1, P, "f64");
  const q = Matrix.zeros(1, P, "f64");
  const coefficients = Matrix.zeros(1, steps, "f64");
  // Early stop: every 10 steps from step 30 on, once the wanted Ritz values have residual
  // bounds below 1e-10·max(1, |θ|) and moved by less than that since the previous check (the
  // reorthogonalization grows with the square of the steps: most certificates need far fewer
  // than the maximum).
  const count = options.count ?? 3;
  let previous: number[] | null = null;
  const converged = (taken: number): boolean => {
    if (taken < 30 || taken % 10 !== 0) return false;
    const { values, residuals } = ritzPairs(alpha, beta, count);
    const settled = values.length === count && values.every((value, r) => {
      const tolerance = 1e-10 * Math.max(1, Math.abs(value));
      return residuals[r] <= tolerance &&
        previous !== null && Math.abs(value - previous[r]) <= tolerance;
    });
    previous = values;
    return settled;
  };
  try {
    const start = new Float64Array(P);
    for (let i = 0; i < P; i++) start[i] = rng.normal();
    operator.project(start);
    q.data.set(start);
    scale(q, 1 / norm(q));
    // The operator evaluates the objective (which may grow the core's memory and replace its
    // buffer): it works on ordinary arrays, copied to and from the core vectors.
    const input = new Float64Array(P), output = new Float64Array(P);
    for (let j = 0; j < steps; j++) {
      basis.data.set(q.data, j * P);
      input.set(q.data);
      operator.apply(input, output);
      w.data.set(output);
      const a = dot(w, q);
      alpha.push(a);
      // Full reorthogonalization (twice) against every basis vector so far.
      orthogonalizeAgainst(w, basis, j + 1, coefficients);
      orthogonalizeAgainst(w, basis, j + 1, coefficients);
      const b = norm(w);
      beta.push(b);
      if (j === steps - 1 || b < 1e-12 * Math.max(1, Math.abs(a))) break;
      if (converged(j + 1)) break;
      q.data.set(w.data);
      scale(q, 1 / b);
    }
  } finally {
    for (const m of [basis, w, q, coefficients]) m.free();
  }
  const { values, residuals } = ritzPairs(alpha, beta, options.count ?? 3);
  return { values, residuals, steps: alpha.length, size: P };
}

/**
 * The `count` smallest Ritz values of the Lanczos tridiagonal T (diagonal alpha, off-diagonal
 * beta; beta's last entry couples to the next, not yet computed, vector) with their residual
 * bounds |β_m·y_m| (the distance from each Ritz value to an eigenvalue of the operator).
 */
function ritzPairs(
  alpha: number[],
  beta: number[],
  count: number,
): { values: number[]; residuals: number[] } {
  const m = alpha.length;
  const { values, last } = tridiagonalEigenLast(alpha, beta); // descending
  const result: number[] = [], residuals: number[] = [];
  for (let r = 0; r < Math.min(count, m); r++) {
    result.push(values[m - 1 - r]);
    residuals.push(Math.abs(beta[m - 1] * last[m - 1 - r]));
  }
  return { values: result, residuals };
}
