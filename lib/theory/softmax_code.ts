/**
 * Softmax codes (docs/sphere.md#gnc-problem, Jiang et al. ICML 2024): K unit vectors in R^d
 * that maximize the one-vs-rest margin
 *
 *   ρ(W) = min_k dist(w_k, conv{w_j : j ≠ k}),
 *
 * the limit of the spherical CE UFM as the temperature grows (generalized neural collapse,
 * GNC2, when K > d + 1). {@link oneVsRestMargin} computes ρ exactly (Wolfe's minimum-norm-point
 * algorithm for the distance to each convex hull); {@link softmaxCode} searches for a maximizer:
 * Riemannian gradient ascent over unit vectors W and witness directions H on a smoothed
 * minimum, softmin_β over pairs of ⟨w_k − w_j, h_k⟩ (ρ = min_k max_{‖h‖=1} min_{j≠k}⟨w_k − w_j, h⟩
 * by minimax duality when ρ > 0), with β raised step by step, from seeded restarts; the best
 * code is scored by the exact ρ. Known optima (docs/sphere.md#margins): simplex ETF K/(K−1)
 * (K ≤ d+1), regular K-gon 1 − cos(2π/K) (d = 2), octahedron 1 at (3, 6), icosahedron 1 − 1/√5
 * at (3, 12).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneVsRestMargin, softmaxCode } from "./softmax_code.ts";
 * // Three unit vectors at 120°: ρ = 3/2 (the simplex ETF of K = 3).
 * const c = Math.sqrt(3) / 2;
 * assert.ok(Math.abs(oneVsRestMargin([[1, 0], [-0.5, c], [-0.5, -c]]) - 1.5) < 1e-12);
 * const pentagon = softmaxCode({ d: 2, K: 5, seed: 1 });
 * assert.ok(Math.abs(pentagon.margin - (1 - Math.cos((2 * Math.PI) / 5))) < 1e-6);
 * ```
 * @module
 */
import { Rng } from "../rng.ts";

/** Options of {@link softmaxCode}. */
export interface SoftmaxCodeOptions {
  /** Dimension d ≥ 2. */
  d: number;
  /** Number of vectors K ≥ 2. */
  K: number;
  /** Seed of the first restart (restart r uses seed + r). */
  seed?: number;
  /** Random restarts (default 12). */
  restarts?: number;
  /** Ascent steps per smoothing level (default 800). */
  stepsPerLevel?: number;
}

/** A code found by {@link softmaxCode}. */
export interface SoftmaxCode {
  /** The K unit vectors (rows). */
  W: number[][];
  /** Its exact one-vs-rest margin ρ(W). */
  margin: number;
  /** Largest cosine between two distinct vectors (the Tammes objective). */
  maxCosine: number;
  /** ρ of every restart, in seed order. */
  restartMargins: number[];
}

/**
 * ρ(W) = min_k dist(w_k, conv{w_j : j ≠ k}) of the rows of W (any lengths; for a softmax code
 * they are unit vectors).
 */
export function oneVsRestMargin(W: readonly (readonly number[])[]): number {
  let margin = Infinity;
  for (let k = 0; k < W.length; k++) margin = Math.min(margin, hullDistance(W, k));
  return margin;
}

/** dist(w_k, conv{w_j : j ≠ k}): the norm of the minimum-norm point of {w_j − w_k}. */
export function hullDistance(W: readonly (readonly number[])[], k: number): number {
  const points = W.flatMap((w, j) => (j === k ? [] : [w.map((value, i) => value - W[k][i])]));
  return Math.sqrt(minNormSquared(points));
}

/**
 * Wolfe's minimum-norm-point algorithm: ‖x‖² of the point x of conv(points) closest to the
 * origin. Exact up to rounding (finitely many corral changes). It works on the Gram matrix of
 * the points alone — x = Σ α_j p_j enters only through ⟨x, p_j⟩ = Σ_i α_i G_ij — so each step
 * costs O(m²) whatever the dimension.
 */
function minNormSquared(points: number[][]): number {
  const m = points.length;
  const gram = points.map((p) => points.map((q) => dot(p, q)));
  const scale = Math.max(...gram.map((row, j) => row[j]), 1e-300);
  const diagonal = gram.map((row, j) => row[j]);
  let corral = [diagonal.indexOf(Math.min(...diagonal))];
  let weights = [1];
  // ⟨x, p_j⟩ for every j, and ‖x‖², from the weights of the corral.
  const products = (): number[] =>
    gram.map((_, j) => corral.reduce((sum, c, i) => sum + weights[i] * gram[c][j], 0));
  for (let major = 0; major < 100 * m + 100; major++) {
    // The point most "behind" x; stop when no point improves on x.
    const xp = products();
    const xx = corral.reduce((sum, c, i) => sum + weights[i] * xp[c], 0);
    let best = 0, bestValue = Infinity;
    for (let j = 0; j < m; j++) {
      if (xp[j] < bestValue) [best, bestValue] = [j, xp[j]];
    }
    if (xx - bestValue <= 1e-15 * scale || corral.includes(best)) break;
    corral.push(best);
    weights.push(0);
    for (let minor = 0; minor < 100 * m; minor++) {
      const affine = affineMinimizer(gram, corral);
      if (affine.every((alpha) => alpha > 1e-15)) {
        weights = affine;
        break;
      }
      // Step from the current weights towards the affine minimizer until a weight hits 0.
      let theta = 1;
      for (let i = 0; i < affine.length; i++) {
        if (affine[i] <= 1e-15) theta = Math.min(theta, weights[i] / (weights[i] - affine[i]));
      }
      weights = weights.map((w, i) => (1 - theta) * w + theta * affine[i]);
      const keep = weights.map((w) => w > 1e-15);
      corral = corral.filter((_, i) => keep[i]);
      weights = weights.filter((_, i) => keep[i]);
      const total = weights.reduce((sum, w) => sum + w, 0);
      weights = weights.map((w) => w / total);
    }
  }
  // ‖x‖² from x itself (not from the Gram form, whose rounding is of the order of ε·‖p‖² —
  // too coarse when x is nearly 0).
  const x = new Array<number>(points[0].length).fill(0);
  corral.forEach((c, i) => points[c].forEach((value, e) => (x[e] += weights[i] * value)));
  return dot(x, x);
}

/**
 * Weights α (Σα = 1) of the point of the affine hull of the corral's points closest to the
 * origin, from their Gram matrix.
 */
function affineMinimizer(gram: number[][], corral: number[]): number[] {
  const n = corral.length;
  // [G 1; 1ᵀ 0][α; μ] = [0; 1] with G the corral's Gram matrix, solved with partial pivoting.
  const size = n + 1;
  const a = Array.from({ length: size }, (_, r) =>
    Array.from({ length: size + 1 }, (_, c) => {
      if (c === size) return r === n ? 1 : 0;
      if (r === n || c === n) return r === n && c === n ? 0 : 1;
      return gram[corral[r]][corral[c]];
    }));
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) {
      if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    }
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    if (Math.abs(p) < 1e-300) continue; // affinely dependent corral: leave this unknown at 0
    for (let r = 0; r < size; r++) {
      if (r === col) continue;
      const factor = a[r][col] / p;
      if (factor !== 0) { for (let c = col; c <= size; c++) a[r][c] -= factor * a[col][c]; }
    }
  }
  return Array.from(
    { length: n },
    (_, i) => (Math.abs(a[i][i]) < 1e-300 ? 0 : a[i][size] / a[i][i]),
  );
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function normalize(v: number[]): void {
  const norm = Math.sqrt(dot(v, v));
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}

/** Largest cos(w_k, w_l), k ≠ l, of unit rows. */
export function maxCosine(W: readonly (readonly number[])[]): number {
  let max = -Infinity;
  for (let k = 0; k < W.length; k++) {
    for (let l = k + 1; l < W.length; l++) max = Math.max(max, dot(W[k], W[l]));
  }
  return max;
}

/**
 * Searches for a softmax code of K unit vectors in R^d (see the module notes) and returns the
 * best of the restarts by exact margin. Throws a RangeError for d < 2 or K < 2.
 */
export function softmaxCode(options: SoftmaxCodeOptions): SoftmaxCode {
  const { d, K } = options;
  if (!Number.isInteger(d) || d < 2) throw new RangeError(`softmaxCode: d must be ≥ 2, got ${d}`);
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`softmaxCode: K must be ≥ 2, got ${K}`);
  const restarts = options.restarts ?? 12;
  const steps = options.stepsPerLevel ?? 800;
  const seed = options.seed ?? 0;
  let best: SoftmaxCode | null = null;
  const margins: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const W = ascend(d, K, new Rng(seed + r), steps);
    const margin = oneVsRestMargin(W);
    margins.push(margin);
    if (best === null || margin > best.margin) {
      best = { W, margin, maxCosine: maxCosine(W), restartMargins: margins };
    }
  }
  return { ...best!, restartMargins: margins };
}

/** Smoothing levels β = 4·10^{l/2}, l = 0 … LEVELS (up to 4·10⁵). */
const LEVELS = 10;
/** Step size × β: the softmin's curvature grows like β. */
const LR = 1;
/** Heavy-ball momentum of the ascent (the smoothed problem is ill-conditioned, κ ~ β). */
const MOMENTUM = 0.95;

/**
 * One restart: smoothed max-min ascent over unit W and witnesses H, β = 4 … 4·10⁵, heavy-ball
 * steps of size 1/β along the tangent spaces, then retraction (velocity kept tangent).
 */
function ascend(d: number, K: number, rng: Rng, steps: number): number[][] {
  const W = Array.from({ length: K }, () => {
    const w = Array.from({ length: d }, () => rng.normal());
    normalize(w);
    return w;
  });
  const H = W.map((w) => [...w]);
  const gradW = W.map(() => new Array<number>(d).fill(0));
  const gradH = W.map(() => new Array<number>(d).fill(0));
  const weights = new Float64Array(K * K);
  const velocityW = W.map(() => new Array<number>(d).fill(0));
  const velocityH = W.map(() => new Array<number>(d).fill(0));
  for (let level = 0; level <= LEVELS; level++) {
    const beta = 4 * 10 ** (level / 2);
    const lr = LR / beta; // the softmin's curvature grows like β
    for (const v of [...velocityW, ...velocityH]) v.fill(0);
    for (let step = 0; step < steps; step++) {
      // π_kj = softmax over pairs of −β⟨w_k − w_j, h_k⟩ (shifted by the minimum for stability).
      let min = Infinity;
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          const g = dot(W[k], H[k]) - dot(W[j], H[k]);
          weights[k * K + j] = g;
          if (g < min) min = g;
        }
      }
      let total = 0;
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          const e = Math.exp(-beta * (weights[k * K + j] - min));
          weights[k * K + j] = e;
          total += e;
        }
      }
      for (const g of [...gradW, ...gradH]) g.fill(0);
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          const pi = weights[k * K + j] / total;
          for (let i = 0; i < d; i++) {
            gradW[k][i] += pi * H[k][i];
            gradW[j][i] -= pi * H[k][i];
            gradH[k][i] += pi * (W[k][i] - W[j][i]);
          }
        }
      }
      for (
        const [vectors, grads, velocities] of [[W, gradW, velocityW], [
          H,
          gradH,
          velocityH,
        ]] as const
      ) {
        for (let k = 0; k < K; k++) {
          const v = vectors[k], g = grads[k], u = velocities[k];
          const radial = dot(g, v); // heavy-ball ascent along the tangent part, then retract
          for (let i = 0; i < d; i++) {
            u[i] = MOMENTUM * u[i] + lr * (g[i] - radial * v[i]);
            v[i] += u[i];
          }
          normalize(v);
          const transported = dot(u, v); // keep the velocity tangent
          for (let i = 0; i < d; i++) u[i] -= transported * v[i];
        }
      }
    }
  }
  return W;
}
