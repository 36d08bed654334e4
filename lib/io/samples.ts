/**
 * Labelled samples stored in files, read batch by batch: features (N×d, or d×N with samples as
 * columns) and labels ((N,), (N, 1), or (N, K) multi-hot), each as one file or as shards
 * matched by a wildcard (`feats_*.npy` with `labels_*.npy`, paired in natural order). Any
 * array kind of sources.ts works (.npy, `run.npz:member`, `model.safetensors:tensor`).
 *
 * Opening checks every header before any data is read: shard counts, samples per shard
 * against labels per shard, one feature dimension, one label shape; a batch never spans two
 * shards. Each call of {@link SampleFiles.batches} is one pass over the data (the metrics make
 * two), with memory for one batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNpy } from "./npy.ts";
 * import { SampleFiles } from "./samples.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/x.npy`, [1, 2, 3, 4, 5, 6], [3, 2]);
 * await writeNpy(`${dir}/y.npy`, [0, 1, 1], [3], "i4");
 * const files = await SampleFiles.open({ features: `${dir}/x.npy`, labels: `${dir}/y.npy` });
 * let rows = 0;
 * for await (const batch of files.batches(2)) rows += batch.rows;
 * assert.equal(rows, 3);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { expandGlob, hasWildcard } from "./glob.ts";
import { formatShape } from "./npy.ts";
import { type ArraySource, openArray, splitSpec } from "./sources.ts";

/** Where the samples are. */
export interface SampleFilesOptions {
  /** Features: a path, `path:member`, or a wildcard pattern over shards. */
  features: string;
  /** Labels, in the same form (one label shard per feature shard). */
  labels: string;
  /** Sample layout of the feature arrays (default samples-as-rows). */
  layout?: "samples-as-rows" | "samples-as-columns";
}

/** One shard: a feature array and its labels. */
export interface Shard {
  /** Feature spec. */
  features: string;
  /** Label spec. */
  labels: string;
  /** Samples in the shard. */
  samples: number;
}

/** One batch of consecutive samples of one shard. */
export interface SampleBatch {
  /** Samples in the batch. */
  rows: number;
  /** Features, rows×d row-major (samples as rows, whatever the file layout). */
  features: Float64Array;
  /** Labels, rows×labelColumns row-major (labelColumns = 1 for class labels). */
  labels: Float64Array;
  /** Names sample i of the batch, e.g. `feats_2.npy row 17`. */
  describe: (index: number) => string;
  /** Index of the batch's first sample in the whole dataset. */
  first: number;
  /** The shard the batch comes from. */
  shard: Shard;
  /** Index of the batch's first sample within its shard. */
  offset: number;
}

/** Expands a spec with wildcards in its path part (keeping a `:member` suffix). */
async function expandSpec(spec: string, flag: string): Promise<string[]> {
  const { path, member } = splitSpec(spec);
  if (!hasWildcard(path)) return [spec];
  const paths = await expandGlob(path);
  if (paths.length === 0) throw new UsageError(`--${flag}: no file matches '${path}'`);
  return paths.map((match) => (member === null ? match : `${match}:${member}`));
}

/** Feature and label files of a dataset (see the module notes). */
export class SampleFiles {
  private constructor(
    /** The shards in order. */
    readonly shards: readonly Shard[],
    /** Feature dimension d. */
    readonly dim: number,
    /** Columns of the label arrays: 1 for class labels, K for multi-hot. */
    readonly labelColumns: number,
    /** Whether the labels are multi-hot (N, K) with K > 1. */
    readonly multiHot: boolean,
    private readonly layout: "samples-as-rows" | "samples-as-columns",
  ) {}

  /** Total number of samples N. */
  get samples(): number {
    return this.shards.reduce((sum, shard) => sum + shard.samples, 0);
  }

  /** Expands the patterns and checks every header (see the module notes). */
  static async open(options: SampleFilesOptions): Promise<SampleFiles> {
    const layout = options.layout ?? "samples-as-rows";
    const featureSpecs = await expandSpec(options.features, "features");
    const labelSpecs = await expandSpec(options.labels, "labels");
    if (featureSpecs.length !== labelSpecs.length) {
      throw new UsageError(
        `--features matches ${featureSpecs.length} file(s) but --labels matches ` +
          `${labelSpecs.length}; each feature shard needs its label shard`,
      );
    }
    const shards: Shard[] = [];
    let dim = -1;
    let labelColumns = -1;
    for (const [index, featureSpec] of featureSpecs.entries()) {
      const features = await openArray(featureSpec, { rank: 2 });
      const labels = await openArray(labelSpecs[index], { rank: [1, 2], allowBool: true })
        .catch((error) => {
          features.close();
          throw error;
        });
      try {
        const [rows, cols] = features.shape;
        const samples = layout === "samples-as-rows" ? rows : cols;
        const shardDim = layout === "samples-as-rows" ? cols : rows;
        if (samples === 0 || shardDim === 0) {
          throw new UsageError(`${features.name}: empty array ${formatShape(features.shape)}`);
        }
        if (dim >= 0 && shardDim !== dim) {
          throw new UsageError(
            `${features.name}: d = ${shardDim} features, but ${shards[0].features} has d = ${dim}`,
          );
        }
        dim = shardDim;
        const columns = labels.shape.length === 1 ? 1 : labels.shape[1];
        if (labels.dtype === "b1" && columns < 2) {
          throw new UsageError(
            `${labels.name}: bool labels must be multi-hot, shape (N, K) with K ≥ 2; got ` +
              formatShape(labels.shape),
          );
        }
        if (labels.shape[0] !== samples) {
          throw new UsageError(
            `${features.name} has ${samples} samples (${formatShape(features.shape)}, ${layout}) ` +
              `but ${labels.name} has ${labels.shape[0]} labels`,
          );
        }
        if (labelColumns >= 0 && columns !== labelColumns) {
          throw new UsageError(
            `${labels.name}: shape ${formatShape(labels.shape)} differs from the first label shard`,
          );
        }
        labelColumns = columns;
        const contiguous = (layout === "samples-as-rows") !== features.fortranOrder;
        if (!contiguous && !features.seekable) {
          throw new UsageError(
            `${features.name}: samples are not contiguous in this storage (Fortran order or ` +
              `samples as columns) and it cannot be read out of order; save a C-order N×d array`,
          );
        }
        if (labels.fortranOrder && columns > 1 && !labels.seekable) {
          throw new UsageError(`${labels.name}: save Fortran-order labels as a C-order array`);
        }
        shards.push({ features: featureSpec, labels: labelSpecs[index], samples });
      } finally {
        features.close();
        labels.close();
      }
    }
    return new SampleFiles(shards, dim, labelColumns, labelColumns > 1, layout);
  }

  /**
   * One pass over the samples in batches of at most `batchRows` (a batch never spans two
   * shards). The arrays of a batch are reused by the next one: copy what you keep.
   * `labelsOnly` skips reading the features (`features` is then empty).
   */
  async *batches(batchRows: number, labelsOnly = false): AsyncGenerator<SampleBatch> {
    const featureBuffer = new Float64Array(labelsOnly ? 0 : batchRows * this.dim);
    const labelBuffer = new Float64Array(batchRows * this.labelColumns);
    const strided = new Float64Array(labelsOnly ? 0 : batchRows);
    let first = 0;
    for (const shard of this.shards) {
      const features = labelsOnly ? null : await openArray(shard.features, { rank: 2 });
      let labels: ArraySource | null = null;
      try {
        labels = await openArray(shard.labels, { rank: [1, 2], allowBool: true });
        const contiguous = features === null ||
          (this.layout === "samples-as-rows") !== features.fortranOrder;
        const columns = this.labelColumns;
        for (let start = 0; start < shard.samples; start += batchRows) {
          const rows = Math.min(batchRows, shard.samples - start);
          if (features) {
            if (contiguous) await features.read(featureBuffer, 0, rows * this.dim);
            else {
              // Sample i, feature j at storage index j·N + i: one strided read per feature.
              for (let j = 0; j < this.dim; j++) {
                await features.readAt(strided, 0, j * shard.samples + start, rows);
                for (let i = 0; i < rows; i++) featureBuffer[i * this.dim + j] = strided[i];
              }
            }
          }
          if (labels.fortranOrder && columns > 1) {
            const column = new Float64Array(rows);
            for (let c = 0; c < columns; c++) {
              await labels.readAt(column, 0, c * shard.samples + start, rows);
              for (let i = 0; i < rows; i++) labelBuffer[i * columns + c] = column[i];
            }
          } else await labels.read(labelBuffer, 0, rows * columns);
          const name = shard.features;
          yield {
            rows,
            features: featureBuffer.subarray(0, features ? rows * this.dim : 0),
            labels: labelBuffer.subarray(0, rows * columns),
            describe: (index: number) => `${name} row ${start + index}`,
            first,
            shard,
            offset: start,
          };
          first += rows;
        }
      } finally {
        features?.close();
        labels?.close();
      }
    }
  }
}
