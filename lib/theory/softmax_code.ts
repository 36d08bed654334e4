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
 * they are unit vectors). The Gram matrix of the rows is formed once (K²·d); each of the K hull
 * distances then costs O(K²) to set up plus Wolfe's iterations, whatever d is.
 */
export function oneVsRestMargin(W: readonly (readonly number[])[]): number {
  const rowGram = gramOfRows(W);
  let margin = Infinity;
  for (let k = 0; k < W.length; k++) margin = Math.min(margin, hullDistanceFrom(W, rowGram, k));
  return margin;
}

/** dist(w_k, conv{w_j : j ≠ k}): the norm of the minimum-norm point of {w_j − w_k}. */
export function hullDistance(W: readonly (readonly number[])[], k: number): number {
  return hullDistanceFrom(W, gramOfRows(W), k);
}

/** ⟨w_k, w_l⟩ for all rows, K×K row-major. */
function gramOfRows(W: readonly (readonly number[])[]): Float64Array {
  const K = W.length;
  const gram = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    for (let l = k; l < K; l++) gram[k * K + l] = gram[l * K + k] = dot(W[k], W[l]);
  }
  return gram;
}

/**
 * The hull distance of row k from the rows' Gram matrix: the points p_j = w_j − w_k (j ≠ k) have
 * ⟨p_i, p_j⟩ = g_ij − g_ik − g_jk + g_kk, and ‖x‖² of the minimum-norm point is computed from x
 * itself (the Gram form's rounding, of the order of ε·‖p‖², is too coarse when x is nearly 0).
 */
function hullDistanceFrom(
  W: readonly (readonly number[])[],
  rowGram: Float64Array,
  k: number,
): number {
  const K = W.length, m = K - 1;
  const others = new Int32Array(m);
  for (let j = 0, i = 0; j < K; j++) if (j !== k) others[i++] = j;
  const gram = new Float64Array(m * m);
  const gkk = rowGram[k * K + k];
  for (let a = 0; a < m; a++) {
    const ia = others[a];
    for (let b = 0; b < m; b++) {
      const ib = others[b];
      gram[a * m + b] = rowGram[ia * K + ib] - rowGram[ia * K + k] - rowGram[ib * K + k] + gkk;
    }
  }
  const { corral, weights } = minNormPoint(gram, m);
  const wk = W[k];
  const x = new Float64Array(wk.length);
  corral.forEach((c, i) => {
    const wc = W[others[c]];
    for (let e = 0; e < x.length; e++) x[e] += weights[i] * (wc[e] - wk[e]);
  });
  let normSq = 0;
  for (let e = 0; e < x.length; e++) normSq += x[e] * x[e];
  return Math.sqrt(normSq);
}

/**
 * Wolfe's minimum-norm-point algorithm on the m×m Gram matrix of m points: the corral (indices)
 * and convex weights of the point x of their convex hull closest to the origin. Exact up to
 * rounding (finitely many corral changes). x = Σ α_j p_j enters only through
 * ⟨x, p_j⟩ = Σ_i α_i G_ij, so each step costs O(m·|corral|) whatever the dimension.
 */
function minNormPoint(gram: Float64Array, m: number): { corral: number[]; weights: number[] } {
  let scale = 1e-300, first = 0;
  for (let j = 0; j < m; j++) {
    scale = Math.max(scale, gram[j * m + j]);
    if (gram[j * m + j] < gram[first * m + first]) first = j;
  }
  let corral = [first];
  let weights = [1];
  // The affine minimizer of a corral of linearly independent points is α ∝ G_c⁻¹1 (G_c its Gram
  // matrix): a Cholesky factor of G_c, grown by one row per added point (O(c²)) and rebuilt when
  // points leave, replaces the O(c³) bordered solve — which stays the fallback when G_c is
  // singular (more points than dimensions) or too ill-conditioned for the factor.
  const factor = new CorralCholesky(gram, m, scale);
  let factored = factor.rebuild(corral);
  const xp = new Float64Array(m);
  for (let major = 0; major < 100 * m + 100; major++) {
    // ⟨x, p_j⟩ for every j and ‖x‖²; the point most "behind" x; stop when none improves on x.
    xp.fill(0);
    for (let i = 0; i < corral.length; i++) {
      const row = corral[i] * m, weight = weights[i];
      for (let j = 0; j < m; j++) xp[j] += weight * gram[row + j];
    }
    let xx = 0;
    for (let i = 0; i < corral.length; i++) xx += weights[i] * xp[corral[i]];
    let best = 0, bestValue = Infinity;
    for (let j = 0; j < m; j++) {
      if (xp[j] < bestValue) [best, bestValue] = [j, xp[j]];
    }
    if (xx - bestValue <= 1e-15 * scale || corral.includes(best)) break;
    corral.push(best);
    weights.push(0);
    factored = factored && factor.append(corral);
    for (let minor = 0; minor < 100 * m; minor++) {
      const affine = (factored ? factor.affineWeights() : null) ??
        affineMinimizer(gram, m, corral);
      if (affine.every((alpha) => alpha > 1e-15)) {
        weights = Array.from(affine);
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
      factored = factor.rebuild(corral);
    }
  }
  return { corral, weights };
}

/** A lower Cholesky factor L of a corral's Gram matrix G_c = LLᵀ, one row per corral point. */
class CorralCholesky {
  readonly #gram: Float64Array;
  readonly #m: number;
  readonly #floor: number;
  readonly #factor: Float64Array;
  #rows = 0;

  constructor(gram: Float64Array, m: number, scale: number) {
    this.#gram = gram;
    this.#m = m;
    // A pivot below √(1e-12·scale) means the points are (nearly) linearly dependent.
    this.#floor = 1e-12 * scale;
    this.#factor = new Float64Array(m * m);
  }

  /** Factors the corral from scratch; false if its points are (nearly) linearly dependent. */
  rebuild(corral: readonly number[]): boolean {
    this.#rows = 0;
    for (let r = 1; r <= corral.length; r++) {
      if (!this.append(corral.slice(0, r))) return false;
    }
    return true;
  }

  /** Adds the row of the corral's last point (the others are factored); false if dependent. */
  append(corral: readonly number[]): boolean {
    const gram = this.#gram, m = this.#m, L = this.#factor, r = this.#rows;
    const added = corral[r];
    let pivot = gram[added * m + added];
    for (let i = 0; i < r; i++) {
      let value = gram[corral[i] * m + added];
      for (let j = 0; j < i; j++) value -= L[i * m + j] * L[r * m + j];
      value /= L[i * m + i];
      L[r * m + i] = value;
      pivot -= value * value;
    }
    if (!(pivot > this.#floor)) return false;
    L[r * m + r] = Math.sqrt(pivot);
    this.#rows = r + 1;
    return true;
  }

  /** α = G_c⁻¹1 / 1ᵀG_c⁻¹1 by two triangular solves, or null if that is not well defined. */
  affineWeights(): Float64Array | null {
    const m = this.#m, L = this.#factor, c = this.#rows;
    const z = new Float64Array(c);
    for (let i = 0; i < c; i++) {
      let value = 1;
      for (let j = 0; j < i; j++) value -= L[i * m + j] * z[j];
      z[i] = value / L[i * m + i];
    }
    for (let i = c - 1; i >= 0; i--) {
      let value = z[i];
      for (let j = i + 1; j < c; j++) value -= L[j * m + i] * z[j];
      z[i] = value / L[i * m + i];
    }
    let total = 0;
    for (let i = 0; i < c; i++) total += z[i];
    if (!(total > 0) || !Number.isFinite(total)) return null;
    for (let i = 0; i < c; i++) z[i] /= total;
    return z;
  }
}

/**
 * Weights α (Σα = 1) of the point of the affine hull of the corral's points closest to the
 * origin, from their Gram matrix (m×m, row-major).
 */
function affineMinimizer(gram: Float64Array, m: number, corral: readonly number[]): Float64Array {
  const n = corral.length;
  // [G 1; 1ᵀ 0][α; μ] = [0; 1] with G the corral's Gram matrix, solved with partial pivoting
  // on the augmented (n+1)×(n+2) system, row-major.
  const size = n + 1, width = size + 1;
  const a = new Float64Array(size * width);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) a[r * width + c] = gram[corral[r] * m + corral[c]];
    a[r * width + n] = 1;
    a[n * width + r] = 1;
  }
  a[n * width + size] = 1;
  const swap = new Float64Array(width);
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) {
      if (Math.abs(a[r * width + col]) > Math.abs(a[pivot * width + col])) pivot = r;
    }
    if (pivot !== col) {
      swap.set(a.subarray(col * width, (col + 1) * width));
      a.copyWithin(col * width, pivot * width, (pivot + 1) * width);
      a.set(swap, pivot * width);
    }
    const p = a[col * width + col];
    if (Math.abs(p) < 1e-300) continue; // affinely dependent corral: leave this unknown at 0
    for (let r = 0; r < size; r++) {
      if (r === col) continue;
      const factor = a[r * width + col] / p;
      if (factor !== 0) {
        for (let c = col; c <= size; c++) a[r * width + c] -= factor * a[col * width + c];
      }
    }
  }
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const diagonal = a[i * width + i];
    alpha[i] = Math.abs(diagonal) < 1e-300 ? 0 : a[i * width + size] / diagonal;
  }
  return alpha;
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
