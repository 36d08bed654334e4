/**
 * Neural collapse over training from saved checkpoints: `metrics --track 'ckpt/epoch_*'`
 * measures every checkpoint directory (features, labels and optionally the classifier, as
 * `train --save-every` writes them), reads the epoch from the directory name, and returns a
 * tidy table (epoch, metric, value) plus the Papyan-style figure of NC1–NC4 against the epoch
 * (PNAS Figs. 2–7; lib/plot).
 *
 * In each checkpoint directory, by default: features `features.npy`, or else the deepest
 * `layer<l>.npy`; labels `labels.npy`; classifier `weights.npy` and `bias.npy` when present.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { epochOf } from "./track.ts";
 * assert.equal(epochOf("ckpt/epoch_012"), 12);
 * ```
 * @module
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { UsageError } from "../errors.ts";
import { expandGlob, naturalCompare } from "../io/glob.ts";
import { clampForLog, type FigureFiles, lineChart, writeFigure } from "../plot/mod.ts";
import type { NcMetrics } from "./definitions.ts";
import { type MetricsFilesOptions, metricsFromFiles } from "./files.ts";

/** Options of {@link trackCheckpoints}. */
export interface TrackOptions
  extends Omit<MetricsFilesOptions, "features" | "labels" | "weights" | "bias"> {
  /** Checkpoint directories, e.g. `ckpt/epoch_*`. */
  pattern: string;
  /** Features file inside each directory (default: features.npy or the deepest layer<l>.npy). */
  features?: string;
  /** Labels file (default labels.npy); an absolute path is shared by all checkpoints. */
  labels?: string;
  /** Classifier W (default weights.npy if present). */
  weights?: string;
  /** Bias (default bias.npy if present, with weights). */
  bias?: string;
  /** Directory for the figure files (default: the checkpoints' parent directory). */
  outDir?: string;
}

/** One row of the tidy table. */
export interface TrackRow {
  /** Epoch read from the checkpoint's name. */
  epoch: number;
  /** Metric key (lib/metrics definitions.ts). */
  metric: string;
  /** Value, null when undefined or unavailable. */
  value: number | null;
}

/** Result of {@link trackCheckpoints}. */
export interface TrackResult {
  /** Every checkpoint, in epoch order. */
  checkpoints: { epoch: number; directory: string; metrics: NcMetrics }[];
  /** The tidy table. */
  rows: TrackRow[];
  /** The figure files written. */
  figure: FigureFiles;
}

/**
 * The epoch of a checkpoint: the last run of digits in its directory name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(epochOf("runs/seed3/ep-40/"), 40);
 * ```
 */
export function epochOf(directory: string): number {
  const name = basename(directory.replace(/\/+$/, ""));
  const digits = name.match(/\d+/g);
  if (!digits) throw new UsageError(`--track: no epoch number in the directory name '${name}'`);
  return Number(digits[digits.length - 1]);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The features file of a checkpoint: features.npy, else the deepest layer<l>.npy. */
async function defaultFeatures(directory: string): Promise<string> {
  if (await exists(join(directory, "features.npy"))) return join(directory, "features.npy");
  const layers: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && /^layer\d+\.npy$/.test(entry.name)) layers.push(entry.name);
  }
  if (layers.length === 0) {
    throw new UsageError(
      `${directory}: no features.npy or layer<l>.npy (name the file with --features)`,
    );
  }
  return join(directory, layers.sort(naturalCompare).at(-1) as string);
}

/** Panels of the figure: NC1–NC4 as Papyan et al. plot them (docs/metrics.md#papyan). */
const PANELS: [string, keyof NcMetrics][] = [
  ["NC1: Tr(Σ_W Σ_B^†)/K", "nc1"],
  ["NC2: dist(M̃M̃ᵀ, ETF)", "nc2_etf"],
  ["NC2: dist(WWᵀ, ETF)", "nc2_w_etf"],
  ["NC3: dist(WM̃ᵀ, ETF)", "nc3"],
  ["NC4: NCC mismatch", "ncc_mismatch"],
];

/**
 * Measures every checkpoint matching `options.pattern` and writes the figure (see the module
 * notes).
 */
export async function trackCheckpoints(options: TrackOptions): Promise<TrackResult> {
  const started = performance.now();
  const pattern = options.pattern.endsWith("/") ? options.pattern : `${options.pattern}/`;
  const directories = await expandGlob(pattern);
  const isDirectory = async (path: string) =>
    (await Deno.stat(path).catch(() => null))?.isDirectory === true;
  if (directories.length === 0 || !(await isDirectory(directories[0]))) {
    throw new UsageError(`--track: no directory matches '${options.pattern}'`);
  }
  const byEpoch = new Map<number, string>();
  for (const directory of directories) {
    const epoch = epochOf(directory);
    if (byEpoch.has(epoch)) {
      throw new UsageError(
        `--track: epoch ${epoch} appears twice (${byEpoch.get(epoch)} and ${directory})`,
      );
    }
    byEpoch.set(epoch, directory);
  }
  const inside = (directory: string, name: string) =>
    isAbsolute(name) ? name : join(directory, name);
  const checkpoints: TrackResult["checkpoints"] = [];
  for (const [epoch, directory] of [...byEpoch].sort((a, b) => a[0] - b[0])) {
    const weights = options.weights !== undefined
      ? inside(directory, options.weights)
      : (await exists(join(directory, "weights.npy")) ? join(directory, "weights.npy") : null);
    const bias = options.bias !== undefined
      ? inside(directory, options.bias)
      : (weights && (await exists(join(directory, "bias.npy")))
        ? join(directory, "bias.npy")
        : null);
    const result = await metricsFromFiles({
      ...options,
      features: options.features !== undefined
        ? inside(directory, options.features)
        : await defaultFeatures(directory),
      labels: inside(directory, options.labels ?? "labels.npy"),
      weights,
      bias,
    });
    if (result.kind !== "single") {
      throw new UsageError(`--track: multi-hot labels are not supported (${directory})`);
    }
    const reason = result.metrics.undefined_reason;
    if (reason !== null) options.progress?.(`warning: epoch ${epoch} (${directory}): ${reason}`);
    checkpoints.push({ epoch, directory, metrics: result.metrics });
  }
  const rows: TrackRow[] = [];
  for (const { epoch, metrics } of checkpoints) {
    for (const [metric, value] of Object.entries(metrics)) {
      if (typeof value === "number" || value === null) {
        rows.push({
          epoch,
          metric,
          value: value !== null && Number.isFinite(value) ? value : null,
        });
      }
    }
  }
  const figureRows = checkpoints.flatMap(({ epoch, metrics }) =>
    PANELS.flatMap(([panel, key]) => {
      const value = metrics[key] as number | null;
      return value === null || !Number.isFinite(value)
        ? []
        : [{ epoch, panel, value: clampForLog(value) }];
    })
  );
  if (figureRows.length === 0) {
    throw new UsageError("--track: no checkpoint has defined NC metrics to plot");
  }
  const outDir = options.outDir ?? dirname(directories[0].replace(/\/+$/, ""));
  const figure = await writeFigure({
    id: "nc_track",
    title: `Neural collapse over training (${checkpoints.length} checkpoints)`,
    spec: lineChart({
      x: "epoch",
      y: "value",
      facet: "panel",
      facetSort: PANELS.map(([panel]) => panel),
      facetTitle: null,
      columns: 3,
      independentY: true,
      logY: true,
      points: 30,
      yTitle: "value (log scale)",
      width: 240,
      height: 170,
    }),
    rows: figureRows,
    meta: {
      paper: "your run",
      claim: "NC1–NC4 of the saved checkpoints fall over training (Papyan et al. 2020)",
      measured: "lib/metrics keys nc1, nc2_etf, nc2_w_etf, nc3, ncc_mismatch per checkpoint " +
        "(definitions in deno task metrics --help)",
      command: `deno task metrics -- --track '${options.pattern}'`,
      seconds: (performance.now() - started) / 1000,
    },
  }, { outDir, quiet: true });
  options.progress?.(`metrics: wrote ${figure.svg} (and .csv, .vl.json, .meta.json)`);
  return { checkpoints, rows, figure };
}

/**
 * The tidy CSV `epoch,metric,value` (empty value = undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(trackCsv([{ epoch: 3, metric: "nc1", value: 0.5 }]), "epoch,metric,value\n3,nc1,0.5\n");
 * ```
 */
export function trackCsv(rows: readonly TrackRow[]): string {
  const lines = ["epoch,metric,value"];
  for (const { epoch, metric, value } of rows) lines.push(`${epoch},${metric},${value ?? ""}`);
  return lines.join("\n") + "\n";
}
