/**
 * Multi-label (pick-all-label) neural-collapse metrics (docs/multilabel.md#pal-problem,
 * docs/multilabel.md#pal-metrics): features labelled by multi-hot rows y ∈ {0,1}^K, each sample
 * carrying a label set S with multiplicity m = |S| ≥ 1.
 *
 * - Multiplicity-1 samples are an ordinary K-class problem: NC1, NC2, NC3 of them come from the
 *   one metrics implementation (the {@link NcAccumulator} fed with the m = 1 rows only), as
 *   NC_MLab's `utility.py` does (docs/multilabel.md#pal-metrics; its μ_G quirk — m1 features
 *   summed but divided by the total sample count — is not reproduced: μ_G here is the mean of
 *   the m1 samples).
 * - Tag-wise average (docs/multilabel.md#pal-numerics): at the PAL UFM minimum the mean feature
 *   of a label set S is h̄_S = c_m·(1/m)Σ_{k∈S} h̄_k with one scale c_m per multiplicity.
 *   Measured per set: cos(h̄_S − μ, (1/m)Σ_{k∈S} (h̄_k − μ)) and the scale
 *   ‖h̄_S − μ‖ / ‖(1/m)Σ_{k∈S}(h̄_k − μ)‖, with μ the mean of the multiplicity-1 class means h̄_k.
 *   **Centred, and why:** a trained network's features carry a common offset (ReLU features are
 *   nonnegative, and a classifier bias absorbs any shift), under which uncentred averages of any
 *   label sets point nearly the same way and the cosine is ≈ 1 whatever the geometry; centring on μ
 *   removes the offset and leaves the statement invariant to it. At the PAL UFM minimum the m1
 *   means form a centred simplex ETF, μ = 0, and centred and uncentred values agree.
 * - NC_MLab's uncentred quantities are kept under their names: `nc2_m1_uncentered_etf`
 *   (NC2_h = dist(MMᵀ, E_K) on uncentred m1 means) and `angle_metric` (the ratio of mean angles
 *   between h̄_S and h̄_i + h̄_j, |S| = 2, to the mean over all pairs and sets).
 *
 * Memory: one d-vector per distinct label set of multiplicity ≥ 2 (refused past 256 MiB).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { multiLabelMetrics } from "./multilabel.ts";
 * // K = 3 classes at the ETF-like means e_k − 1/3, and the pair {0, 1} at 1.5 × their average.
 * const e = [[2 / 3, -1 / 3, -1 / 3], [-1 / 3, 2 / 3, -1 / 3], [-1 / 3, -1 / 3, 2 / 3]];
 * const pair = e[0].map((x, j) => 1.5 * (x + e[1][j]) / 2);
 * const features = Matrix.from(4, 3, [...e[0], ...e[1], ...e[2], ...pair]);
 * const multiHot = new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]);
 * const metrics = multiLabelMetrics({ features, multiHot, classes: 3 });
 * assert.ok(Math.abs(metrics.tagwise_cosine_min - 1) < 1e-12);
 * assert.ok(Math.abs(metrics.scale_by_multiplicity["2"].mean - 1.5) < 1e-12);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { Matrix } from "../matrix.ts";
import { NcAccumulator } from "./accumulator.ts";
import { type FeatureLayout, featureStrides } from "./class_stats.ts";
import type { NcMetrics } from "./definitions.ts";
import { productDistance } from "./pairwise.ts";
import type { SummaryOptions } from "./summary.ts";
import { requireFiniteFeatures } from "./validate.ts";

/** Input of {@link multiLabelMetrics}. */
export interface MultiLabelInput {
  /** Features (f64 or f32), layout as in `NcInput`. */
  features: Matrix;
  /** Sample layout (default `"samples-as-rows"`). */
  layout?: FeatureLayout;
  /** N×K row-major 0/1; every row has ≥ 1 label. */
  multiHot: ArrayLike<number>;
  /** K. */
  classes: number;
  /** Classifier W (K×d). */
  weights?: Matrix | null;
  /** Classifier bias (K). */
  bias?: ArrayLike<number> | null;
}

/** Tag-wise statistics of one label set S with |S| ≥ 2. */
export interface LabelSetMetrics {
  /** The labels of S, ascending. */
  labels: number[];
  /** Samples with exactly this label set. */
  count: number;
  /** cos(h̄_S − μ, (1/m)Σ_{k∈S}(h̄_k − μ)), μ = mean of m1 class means. */
  cosine: number;
  /** ‖h̄_S − μ‖ / ‖(1/m)Σ_{k∈S}(h̄_k − μ)‖. */
  scale: number;
}

/** Result of {@link multiLabelMetrics} (NaN where undefined, null in JSON). */
export interface MultiLabelMetrics {
  /** K. */
  num_classes: number;
  /** N (all multiplicities). */
  num_samples: number;
  /** Samples per multiplicity m ("1", "2", …). */
  multiplicity_counts: Record<string, number>;
  /** NC1 (Tr Σ_W Σ_B^†/K, μ_G = m1 sample mean) on multiplicity-1 samples only. */
  nc1_m1: number;
  /** dist of the centred (mean of m1 means) multiplicity-1 class-mean Gram to the simplex ETF. */
  nc2_m1_etf: number;
  /** NC_MLab's NC2_h: dist(MMᵀ, E_K) on uncentred m1 means. */
  nc2_m1_uncentered_etf: number;
  /** dist(WWᵀ, E_K) (null without weights). */
  nc2_w_etf: number | null;
  /** dist(W M̃ᵀ, E_K) on m1 means centred on the m1 sample mean (null without weights). */
  nc3_m1: number | null;
  /** min over label sets S with |S| ≥ 2 of the tag-wise cosine (NaN without such sets). */
  tagwise_cosine_min: number;
  /** Mean over those sets of the tag-wise cosine. */
  tagwise_cosine_mean: number;
  /** c_S = ‖h̄_S − μ‖/‖(1/m)Σ_{k∈S}(h̄_k − μ)‖ grouped by m = |S| ("2", "3", …). */
  scale_by_multiplicity: Record<string, { mean: number; min: number; max: number; sets: number }>;
  /** Every label set with |S| ≥ 2, by multiplicity then labels. */
  per_set: LabelSetMetrics[];
  /**
   * NC_MLab's angle ratio on uncentred means: mean over |S| = 2 of ∠(h̄_S, h̄_i + h̄_j) over
   * the mean over all pairs i < j and all |S| = 2 sets of the same angle (absent without
   * sets of multiplicity 2, or when K(K−1)/2 × sets exceeds 5·10⁷).
   */
  angle_metric?: number;
  /** All metrics of the multiplicity-1 samples (lib/metrics `NcMetrics`). */
  m1: NcMetrics;
}

/** One batch of multi-hot labelled features. */
export interface MultiHotBatch {
  /** Features (rows×d, or d×rows with samples as columns). */
  features: Matrix;
  /** Sample layout (default samples-as-rows). */
  layout?: FeatureLayout;
  /** rows×K row-major 0/1. */
  multiHot: ArrayLike<number>;
  /** Names sample i of the batch in error messages. */
  describe?: (index: number) => string;
}

/** Options of {@link MultiLabelAccumulator}. */
export interface MultiLabelAccumulatorOptions {
  /** K. */
  classes: number;
  /** d. */
  dim: number;
  /** Classifier W (K×d). */
  weights?: Matrix | null;
  /** Bias (K). */
  bias?: ArrayLike<number> | null;
  /** Nearest-class-mean decisions on the m1 samples (default true). */
  ncc?: boolean;
}

interface SetSum {
  labels: number[];
  count: number;
  sum: Float64Array;
}

/** Largest memory for the label-set sums. */
const SET_BYTES_LIMIT = 256 * 2 ** 20;

/**
 * Streaming multi-label metrics: the two passes of {@link NcAccumulator} (multiplicity-1 rows
 * feed it; rows of multiplicity ≥ 2 add to their label set's sum in pass 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const batch = {
 *   features: Matrix.from(3, 2, [1, 0, 0, 1, 0.6, 0.6]),
 *   multiHot: [1, 0, 0, 1, 1, 1],
 * };
 * const accumulator = new MultiLabelAccumulator({ classes: 2, dim: 2 });
 * accumulator.addMeans(batch);
 * accumulator.finishMeans();
 * accumulator.addDeviations(batch);
 * const perSet = accumulator.metrics().per_set;
 * assert.deepEqual(perSet.map(({ labels, count }) => ({ labels, count })), [
 *   { labels: [0, 1], count: 1 },
 * ]);
 * accumulator.free();
 * ```
 */
export class MultiLabelAccumulator {
  readonly classes: number;
  readonly dim: number;
  readonly #inner: NcAccumulator;
  readonly #sets = new Map<string, SetSum>();
  readonly #multiplicities = new Map<number, number>();
  #samples = 0;
  #samples2 = 0;

  /** A new accumulator in pass 1. */
  constructor(options: MultiLabelAccumulatorOptions) {
    this.classes = options.classes;
    this.dim = options.dim;
    this.#inner = new NcAccumulator(options);
  }

  /** Pass 1: m1 rows to the class sums, other rows to their label set's sum. */
  addMeans(batch: MultiHotBatch): void {
    const first = this.#samples;
    const split = this.#split(batch, first, true);
    try {
      if (split.m1) this.#inner.addMeans(split.m1);
    } finally {
      split.m1?.features.free();
    }
    this.#samples += split.rows;
  }

  /** Ends pass 1 (every class needs multiplicity-1 samples). */
  finishMeans(): void {
    try {
      this.#inner.finishMeans();
    } catch (error) {
      if (error instanceof UsageError && /has no samples/.test(error.message)) {
        throw new UsageError(
          error.message.replace("has no samples", "has no multiplicity-1 samples") +
            " (NC of multi-label data is measured on the single-label samples)",
        );
      }
      throw error;
    }
  }

  /** Pass 2: the m1 rows to the deviations. */
  addDeviations(batch: MultiHotBatch): void {
    const split = this.#split(batch, this.#samples2, false);
    try {
      if (split.m1) this.#inner.addDeviations(split.m1);
    } finally {
      split.m1?.features.free();
    }
    this.#samples2 += split.rows;
  }

  /** The metrics after both passes. */
  metrics(options: SummaryOptions = {}): MultiLabelMetrics {
    const m1 = this.#inner.metrics(options);
    const means = this.#inner.means();
    try {
      return this.#assemble(m1, means);
    } finally {
      means.free();
    }
  }

  /** Releases core memory. */
  free(): void {
    this.#inner.free();
  }

  /** Checks the multi-hot rows, counts multiplicities, and gathers the m1 rows as a batch. */
  #split(batch: MultiHotBatch, first: number, passOne: boolean) {
    const layout = batch.layout ?? "samples-as-rows";
    const { samples, dim, rowStride, colStride } = featureStrides(batch.features, layout);
    const classes = this.classes;
    const describe = batch.describe ?? ((i: number) => `sample ${first + i}`);
    if (dim !== this.dim) {
      throw new UsageError(`features: batch has d = ${dim}, expected d = ${this.dim}`);
    }
    if (batch.multiHot.length !== samples * classes) {
      throw new UsageError(
        `multi-hot labels: batch of ${samples} samples needs ${samples}×${classes} entries, got ` +
          `${batch.multiHot.length}`,
      );
    }
    if (passOne) requireFiniteFeatures(batch.features, layout, describe);
    const single: number[] = [];
    const singleLabels: number[] = [];
    const data = batch.features.data;
    for (let i = 0; i < samples; i++) {
      const labels: number[] = [];
      for (let k = 0; k < classes; k++) {
        const value = batch.multiHot[i * classes + k];
        if (value === 1) labels.push(k);
        else if (value !== 0) {
          throw new UsageError(
            `multi-hot labels must be 0 or 1; ${describe(i)}, class ${k} has ${value}`,
          );
        }
      }
      if (labels.length === 0) {
        throw new UsageError(
          `multi-hot labels: ${describe(i)} has no label (every row needs at least one 1)`,
        );
      }
      if (labels.length === 1) {
        single.push(i);
        singleLabels.push(labels[0]);
      }
      if (!passOne) continue;
      this.#multiplicities.set(labels.length, (this.#multiplicities.get(labels.length) ?? 0) + 1);
      if (labels.length === 1) continue;
      const key = labels.join(",");
      let set = this.#sets.get(key);
      if (set === undefined) {
        if ((this.#sets.size + 1) * dim * 8 > SET_BYTES_LIMIT) {
          throw new UsageError(
            `multi-hot labels: more than ${this.#sets.size} distinct label sets of ` +
              `multiplicity ≥ 2 (one d-vector each, limit 256 MiB)`,
          );
        }
        set = { labels, count: 0, sum: new Float64Array(dim) };
        this.#sets.set(key, set);
      }
      set.count++;
      for (let j = 0; j < dim; j++) set.sum[j] += data[i * rowStride + j * colStride];
    }
    if (single.length === 0) return { rows: samples, m1: null };
    const m1 = Matrix.zeros(single.length, dim);
    const out = m1.data;
    const source = batch.features.data;
    single.forEach((i, r) => {
      for (let j = 0; j < dim; j++) out[r * dim + j] = source[i * rowStride + j * colStride];
    });
    return {
      rows: samples,
      m1: {
        features: m1,
        labels: singleLabels,
        describe: (r: number) => describe(single[r]),
      },
    };
  }

  #assemble(m1: NcMetrics, means: Matrix): MultiLabelMetrics {
    const { classes, dim } = this;
    const meanData = means.data;
    const center = new Float64Array(dim); // mean of the m1 class means
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) center[j] += meanData[k * dim + j] / classes;
    }
    const perSet: LabelSetMetrics[] = [];
    const sets = [...this.#sets.values()].sort((a, b) =>
      a.labels.length - b.labels.length ||
      a.labels.join(",").localeCompare(b.labels.join(","), "en", { numeric: true })
    );
    for (const set of sets) {
      const m = set.labels.length;
      let dot = 0;
      let setNorm = 0;
      let averageNorm = 0;
      for (let j = 0; j < dim; j++) {
        const u = set.sum[j] / set.count - center[j];
        let v = 0;
        for (const k of set.labels) v += (meanData[k * dim + j] - center[j]) / m;
        dot += u * v;
        setNorm += u * u;
        averageNorm += v * v;
      }
      perSet.push({
        labels: set.labels,
        count: set.count,
        cosine: dot / Math.sqrt(setNorm * averageNorm),
        scale: Math.sqrt(setNorm / averageNorm),
      });
    }
    const byMultiplicity: MultiLabelMetrics["scale_by_multiplicity"] = {};
    for (const set of perSet) {
      const key = String(set.labels.length);
      const group = byMultiplicity[key] ??= { mean: 0, min: Infinity, max: -Infinity, sets: 0 };
      group.sets++;
      group.mean += (set.scale - group.mean) / group.sets;
      group.min = Math.min(group.min, set.scale);
      group.max = Math.max(group.max, set.scale);
    }
    const cosines = perSet.map((set) => set.cosine);
    const multiplicityCounts: Record<string, number> = {};
    for (const [m, count] of [...this.#multiplicities].sort((a, b) => a[0] - b[0])) {
      multiplicityCounts[String(m)] = count;
    }
    const metrics: MultiLabelMetrics = {
      num_classes: classes,
      num_samples: this.#samples,
      multiplicity_counts: multiplicityCounts,
      nc1_m1: m1.nc1,
      nc2_m1_etf: m1.nc2_etf,
      nc2_m1_uncentered_etf: productDistance(means, means, "etf"),
      nc2_w_etf: m1.nc2_w_etf,
      nc3_m1: m1.nc3,
      tagwise_cosine_min: cosines.length ? Math.min(...cosines) : NaN,
      tagwise_cosine_mean: cosines.length
        ? cosines.reduce((sum, c) => sum + c, 0) / cosines.length
        : NaN,
      scale_by_multiplicity: byMultiplicity,
      per_set: perSet,
      m1,
    };
    const angle = angleMetric(means, sets.filter((set) => set.labels.length === 2));
    if (angle !== null) metrics.angle_metric = angle;
    return metrics;
  }
}

/** NC_MLab's angle ratio (see {@link MultiLabelMetrics.angle_metric}); null if undefined. */
function angleMetric(means: Matrix, pairs: SetSum[]): number | null {
  const { rows: classes, cols: dim } = means;
  if (pairs.length === 0 || (classes * (classes - 1)) / 2 * pairs.length > 5e7) return null;
  const m = means.data;
  const unitSets = pairs.map((set) => {
    const mean = set.sum.map((value) => value / set.count);
    const norm = Math.hypot(...mean);
    return mean.map((value) => value / norm);
  });
  // ĥ_S·h̄_k for every class k and set S, and the Gram of the class means.
  const dots = unitSets.map((unit) =>
    Array.from({ length: classes }, (_, k) => {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += m[k * dim + j] * unit[j];
      return dot;
    })
  );
  const gram = (i: number, j: number) => {
    let dot = 0;
    for (let c = 0; c < dim; c++) dot += m[i * dim + c] * m[j * dim + c];
    return dot;
  };
  const squared = Array.from({ length: classes }, (_, k) => gram(k, k));
  const degrees = (cosine: number) => Math.acos(Math.max(-1, Math.min(1, cosine))) * 180 / Math.PI;
  const angle = (s: number, i: number, j: number, sumNorm: number) =>
    degrees((dots[s][i] + dots[s][j]) / sumNorm);
  let numerator = 0;
  pairs.forEach((set, s) => {
    const [i, j] = set.labels;
    numerator += angle(s, i, j, Math.sqrt(squared[i] + squared[j] + 2 * gram(i, j)));
  });
  let denominator = 0;
  for (let i = 0; i < classes; i++) {
    for (let j = i + 1; j < classes; j++) {
      const sumNorm = Math.sqrt(squared[i] + squared[j] + 2 * gram(i, j));
      for (let s = 0; s < pairs.length; s++) denominator += angle(s, i, j, sumNorm);
    }
  }
  const pairCount = (classes * (classes - 1)) / 2;
  return (numerator / pairs.length) / (denominator / (pairCount * pairs.length));
}

/**
 * Multi-label metrics of in-memory features (one batch of {@link MultiLabelAccumulator}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(3, 2, [1, 0, 0, 1, 0.6, 0.6]);
 * const metrics = multiLabelMetrics({ features, multiHot: [1, 0, 0, 1, 1, 1], classes: 2 });
 * assert.deepEqual(metrics.per_set[0].labels, [0, 1]);
 * assert.deepEqual(metrics.multiplicity_counts, { 1: 2, 2: 1 });
 * ```
 */
export function multiLabelMetrics(
  input: MultiLabelInput,
  options: SummaryOptions = {},
): MultiLabelMetrics {
  const layout = input.layout ?? "samples-as-rows";
  const { dim } = featureStrides(input.features, layout);
  const accumulator = new MultiLabelAccumulator({
    classes: input.classes,
    dim,
    weights: input.weights,
    bias: input.bias,
  });
  try {
    const batch = { features: input.features, layout, multiHot: input.multiHot };
    accumulator.addMeans(batch);
    accumulator.finishMeans();
    accumulator.addDeviations(batch);
    return accumulator.metrics(options);
  } finally {
    accumulator.free();
  }
}
