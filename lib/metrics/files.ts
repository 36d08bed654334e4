/**
 * NC metrics of features stored in files, at any size: the labels are scanned first (checks
 * and K), the memory a run needs is checked against the WASM core's limit, then the features
 * stream twice through the accumulator (accumulator.ts, or multilabel.ts for (N, K) multi-hot
 * labels) in batches of a few MiB. Peak memory is O(K·d + min(K, d)² + batch), whatever N.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNpy } from "../io/npy.ts";
 * import { metricsFromFiles } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/x.npy`, [1, 0, 1.1, 0, 0, 1, 0, 0.9], [4, 2]);
 * await writeNpy(`${dir}/y.npy`, [0, 0, 1, 1], [4], "i4");
 * const result = await metricsFromFiles({ features: `${dir}/x.npy`, labels: `${dir}/y.npy` });
 * assert.equal(result.kind, "single");
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { unitVectors } from "../unit_vectors.ts";
import { assertCoreFits } from "../core/budget.ts";
import { SampleFiles } from "../io/samples.ts";
import { readArray } from "../io/sources.ts";
import { Matrix } from "../matrix.ts";
import { accumulatorBytes, NcAccumulator } from "./accumulator.ts";
import type { FeatureLayout } from "./class_stats.ts";
import type { NcMetrics } from "./definitions.ts";
import { MultiLabelAccumulator, type MultiLabelMetrics } from "./multilabel.ts";
import type { SummaryOptions } from "./summary.ts";

/** Options of {@link metricsFromFiles}. */
export interface MetricsFilesOptions {
  /** Features: a file, `run.npz:member`, `model.safetensors:tensor`, or a wildcard over shards. */
  features: string;
  /** Labels in the same form: (N,), (N, 1), or (N, K) multi-hot 0/1. */
  labels: string;
  /** Classifier W (K×d), optional. */
  weights?: string | null;
  /** Classifier bias (K), optional (needs `weights`). */
  bias?: string | null;
  /** Feature layout (default samples-as-rows). */
  layout?: FeatureLayout;
  /** Number of classes K (default: max label + 1, or the columns of multi-hot labels). */
  classes?: number;
  /** NCC decisions: "auto" (default) skips them when N·K·d > 5·10¹¹; "on"; "off". */
  ncc?: "auto" | "on" | "off";
  /** Final-stage options (CDNV exponent, Riesz s). */
  summary?: SummaryOptions;
  /** Samples per batch (default: ~16 MiB of f64 features, 256 … 65,536 rows). */
  batchRows?: number;
  /** Progress lines (stderr in the CLI); called at most every 2 s. */
  progress?: (line: string) => void;
  /**
   * L2-normalize every feature vector before any statistic (normalized-feature networks; the
   * NC1 of unit features is GNC1, docs/metrics.md#gnc). Zero vectors stay zero.
   */
  normalize?: boolean;
}

/** Result of {@link metricsFromFiles}. */
export type FileMetrics =
  | { kind: "single"; metrics: NcMetrics; notes: string[] }
  | { kind: "multi-label"; metrics: MultiLabelMetrics; notes: string[] };

/** N·K·d above which `ncc: "auto"` skips the nearest-class-mean pass (~1 minute of gemm). */
const NCC_AUTO_LIMIT = 5e11;

/** What the label scan found. */
interface LabelScan {
  classes: number;
}

async function scanLabels(files: SampleFiles, classes: number | undefined): Promise<LabelScan> {
  const batchRows = 1 << 16;
  if (files.multiHot) {
    const columns = files.labelColumns;
    if (classes !== undefined && classes !== columns) {
      throw new UsageError(
        `--classes ${classes} but the multi-hot labels have ${columns} columns`,
      );
    }
    const single = new Float64Array(columns);
    for await (const batch of files.batches(batchRows, true)) {
      const labels = batch.labels;
      for (let i = 0; i < batch.rows; i++) {
        let count = 0;
        let last = -1;
        for (let k = 0; k < columns; k++) {
          const value = labels[i * columns + k];
          if (value === 1) {
            count++;
            last = k;
          } else if (value !== 0) {
            throw new UsageError(
              `${batch.shard.labels} row ${batch.offset + i}: multi-hot labels must be 0 or 1, ` +
                `class ${k} has ${value}`,
            );
          }
        }
        if (count === 0) {
          throw new UsageError(
            `${batch.shard.labels} row ${batch.offset + i} has no label (multi-hot rows need ` +
              `at least one 1)`,
          );
        }
        if (count === 1) single[last]++;
      }
    }
    const empty = single.indexOf(0);
    if (empty >= 0) {
      throw new UsageError(
        `class ${empty} has no multiplicity-1 samples (NC of multi-label data is measured on ` +
          `the single-label samples)`,
      );
    }
    return { classes: columns };
  }
  let largest = -1;
  let counts = new Float64Array(0);
  for await (const batch of files.batches(batchRows, true)) {
    const labels = batch.labels;
    for (let i = 0; i < batch.rows; i++) {
      const label = labels[i];
      if (label >= 0 && Number.isInteger(label) && (classes === undefined || label < classes)) {
        if (label >= counts.length) {
          if (label >= files.samples) {
            throw new UsageError(
              `${batch.shard.labels} row ${batch.offset + i}: label ${label} implies K = ` +
                `${label + 1} classes for ${files.samples} samples (every class needs one); ` +
                `fix the labels or pass --classes`,
            );
          }
          const grown = new Float64Array(Math.max(label + 1, 2 * counts.length));
          grown.set(counts);
          counts = grown;
        }
        counts[label]++;
        largest = Math.max(largest, label);
        continue;
      }
      const where = `${batch.shard.labels} row ${batch.offset + i}`;
      if (!Number.isInteger(label)) {
        throw new UsageError(`${where}: labels must be integers, got ${label}`);
      }
      if (label < 0) throw new UsageError(`${where}: labels must be ≥ 0, got ${label}`);
      throw new UsageError(
        `${where}: label ${label} is out of range for --classes ${classes} (0..${
          (classes as number) - 1
        })`,
      );
    }
  }
  const k = classes ?? largest + 1;
  if (k < 2) throw new UsageError(`need at least 2 classes, got K = ${k}`);
  for (let c = 0; c < k; c++) {
    if (!(counts[c] > 0)) {
      throw new UsageError(
        `class ${c} has no samples (K = ${k}); class means and Σ_B need every class`,
      );
    }
  }
  return { classes: k };
}

/** Throttled progress reporting. */
function progressReporter(total: number, report?: (line: string) => void) {
  let last = performance.now();
  return (pass: number, done: number) => {
    const now = performance.now();
    if (!report || now - last < 2000) return;
    last = now;
    report(
      `metrics: pass ${pass}/2, ${(100 * done / total).toFixed(0)}% (${done} of ${total} samples)`,
    );
  };
}

/**
 * NC metrics of the samples in files (see the module notes). Bad files, labels or sizes are
 * {@link UsageError}s naming the file, row or size.
 */
export async function metricsFromFiles(options: MetricsFilesOptions): Promise<FileMetrics> {
  const layout = options.layout ?? "samples-as-rows";
  const files = await SampleFiles.open({
    features: options.features,
    labels: options.labels,
    layout,
  });
  const { classes } = await scanLabels(files, options.classes);
  const dim = files.dim;
  const samples = files.samples;
  const batchRows = options.batchRows ??
    Math.max(256, Math.min(65536, Math.floor(2 ** 24 / (8 * dim))));
  assertCoreFits(
    accumulatorBytes(classes, dim) + 8 * batchRows * dim + 8 * classes * dim,
    `metrics of K = ${classes} classes × d = ${dim} features`,
    "the 32-bit core holds the K×d class means several times over; use fewer classes or " +
      "features, or split the classes into groups",
  );
  if (options.bias && !options.weights) throw new UsageError("--bias given without --weights");
  const weightsArray = options.weights ? await readArray(options.weights, { rank: 2 }) : null;
  const biasArray = options.bias ? await readArray(options.bias, { rank: [1, 2] }) : null;
  if (biasArray && biasArray.shape.length === 2 && biasArray.shape[1] !== 1) {
    throw new UsageError(
      `${biasArray.name}: expected a bias of shape (K,) or (K, 1), got (${biasArray.shape})`,
    );
  }
  const weights = weightsArray
    ? Matrix.from(weightsArray.shape[0], weightsArray.shape[1], weightsArray.data)
    : null;
  const notes: string[] = [];
  const work = samples * classes * dim;
  const ncc = options.ncc === "on" || (options.ncc !== "off" && work <= NCC_AUTO_LIMIT);
  if (!ncc && options.ncc !== "off") {
    notes.push(
      `nearest-class-mean metrics skipped: N·K·d = ${work.toExponential(1)} > ` +
        `${NCC_AUTO_LIMIT.toExponential(0)} (pass --ncc on to compute them anyway)`,
    );
  }
  const accumulatorOptions = {
    classes,
    dim,
    weights,
    bias: biasArray?.data ?? null,
    ncc,
  };
  let accumulator: MultiLabelAccumulator | NcAccumulator;
  try {
    accumulator = files.multiHot
      ? new MultiLabelAccumulator(accumulatorOptions)
      : new NcAccumulator(accumulatorOptions);
  } catch (error) {
    weights?.free();
    // Name the file: "weights: expected K×d …" → "W.npy: expected K×d …".
    if (error instanceof UsageError && weightsArray) {
      error.message = error.message.replace(/^weights:/, `${weightsArray.name}:`)
        .replace(/^bias:/, `${biasArray?.name ?? "bias"}:`);
    }
    throw error;
  }
  const progress = progressReporter(samples, options.progress);
  const full = Matrix.zeros(batchRows, dim);
  try {
    for (const pass of [1, 2] as const) {
      for await (const batch of files.batches(batchRows)) {
        const matrix = batch.rows === batchRows ? full : Matrix.zeros(batch.rows, dim);
        try {
          matrix.data.set(batch.features);
          if (options.normalize) unitVectors("rows").retract(matrix); // GNC1: unit features
          const common = { features: matrix, describe: batch.describe };
          if (accumulator instanceof MultiLabelAccumulator) {
            const labeled = { ...common, multiHot: batch.labels };
            if (pass === 1) accumulator.addMeans(labeled);
            else accumulator.addDeviations(labeled);
          } else {
            const labeled = { ...common, labels: batch.labels };
            if (pass === 1) accumulator.addMeans(labeled);
            else accumulator.addDeviations(labeled);
          }
        } finally {
          if (matrix !== full) matrix.free();
        }
        progress(pass, batch.first + batch.rows);
      }
      if (pass === 1) accumulator.finishMeans();
    }
    if (accumulator instanceof MultiLabelAccumulator) {
      return { kind: "multi-label", metrics: accumulator.metrics(options.summary), notes };
    }
    return { kind: "single", metrics: accumulator.metrics(options.summary), notes };
  } finally {
    full.free();
    accumulator.free();
    weights?.free();
  }
}
