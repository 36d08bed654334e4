/**
 * `deno task metrics`: neural-collapse metrics of saved features (docs/metrics.md), at any size.
 *
 *     npx deno task metrics -- --features H.npy --labels y.npy [--weights W.npy] [--bias b.npy]
 *     npx deno task metrics -- --features 'feats_*.npy' --labels 'labels_*.npy' --json
 *     npx deno task metrics -- --features run.npz:features --labels run.npz:labels
 *     npx deno task metrics -- --features out.safetensors:penultimate --labels y.npy \
 *       --weights model.safetensors:fc.weight --bias model.safetensors:fc.bias
 *     npx deno task metrics -- --track 'ckpt/epoch_*' [--out ckpt]
 *
 * Output (stdout): a tidy CSV with the header `class,metric,value`. Global metrics come first
 * with class `all`, then one row per class and per-class metric (class = 0..K−1). Metrics that
 * need the classifier are omitted without --weights; NaN marks an undefined value (0/0).
 * With --json: one JSON object (lib/metrics `NcMetrics`: snake_case scalars, null for
 * unavailable or undefined values, `per_class` with one array of length K per metric, and
 * `definitions`: formula, centring and source of every key). Multi-hot labels (N, K) give the
 * multi-label metrics (lib/metrics/multilabel.ts); their CSV adds rows per label set (`0+3`)
 * and per multiplicity (`m=2`). --track writes one row per checkpoint and metric
 * (`epoch,metric,value`) plus a figure of NC1–NC4 against the epoch.
 * Bad flags or input files print one line `error: …` and exit with code 2.
 * @module
 */
import { parseChoiceFlag, parseFlags, parseNumberFlag, runCli, UsageError } from "../lib/cli.ts";
import {
  metricDefinitions,
  metricDescriptions,
  type MultiLabelMetrics,
  type NcMetrics,
} from "../lib/metrics/mod.ts";
import { type MetricsFilesOptions, metricsFromFiles } from "../lib/metrics/files.ts";
import { trackCheckpoints, trackCsv } from "../lib/metrics/track.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";

const usage = [
  "Usage: deno task metrics -- --features H.npy --labels y.npy [options]",
  "       deno task metrics -- --track 'ckpt/epoch_*' [options]",
  "",
  "Neural-collapse metrics (docs/metrics.md) of features H (N×d with samples as rows, or d×N",
  "with --layout samples-as-columns; float16/32/64) and labels y ((N,) or (N, 1) integers, or",
  "(N, K) multi-hot 0/1 for multi-label data), optionally with a classifier W (K×d) and bias b.",
  "Every array is a .npy file, an .npz member (run.npz:name) or a .safetensors tensor",
  "(model.safetensors:name); --features and --labels also take shards ('feats_*.npy' with",
  "'labels_*.npy', paired in natural order). Files are streamed in two passes: memory stays",
  "O(K·d) whatever N.",
  "",
  "Output: CSV `class,metric,value` (class `all` for global metrics, then 0..K−1 for the",
  "per-class rows); --json prints one JSON object with `definitions`. Keys, with their",
  "centring (sample mean vs mean of class means) and the code they reproduce:",
  ...Object.entries(metricDescriptions).map(([name, text]) => `  ${name.padEnd(28)} ${text}`),
].join("\n");

const flags = {
  features: {
    type: "string",
    help: "features: .npy, run.npz:name, x.safetensors:name, or shards 'f_*.npy' (required; " +
      "with --track: the file name inside each checkpoint, default features.npy or the deepest " +
      "layer<l>.npy)",
  },
  labels: {
    type: "string",
    help: "labels (N,) / (N, 1) integers or (N, K) multi-hot 0/1, same kinds as --features " +
      "(required; with --track default labels.npy)",
  },
  weights: {
    type: "string",
    help: "classifier W, K×d (optional; --track: weights.npy if present)",
  },
  bias: {
    type: "string",
    help: "classifier bias b, length K (needs --weights; --track: bias.npy)",
  },
  layout: {
    type: "string",
    default: "samples-as-rows",
    help: "features layout: samples-as-rows (N×d) | samples-as-columns (d×N)",
  },
  classes: { type: "string", help: "number of classes K (default: max(label) + 1)" },
  ncc: {
    type: "string",
    default: "auto",
    help: "nearest-class-mean metrics (N·K·d flops): auto (skip past 5e11) | on | off",
  },
  "cdnv-exponent": {
    type: "string",
    default: "1",
    help: "CDNV distance exponent p: (σ_k²+σ_l²)/(2‖μ_k−μ_l‖^{2p}) (rhubarbwu dist_exp)",
  },
  "riesz-s": { type: "string", help: "Riesz energy exponent s (default d − 2, as rhubarbwu)" },
  batch: { type: "string", help: "samples per batch (default: 16 MiB of features)" },
  normalize: {
    type: "boolean",
    default: false,
    help: "L2-normalize every feature vector first (normalized-feature networks: NC1 is then " +
      "GNC1, Jiang et al.; zero vectors stay zero)",
  },
  track: {
    type: "string",
    help: "checkpoint directories 'ckpt/epoch_*' (epoch = last number in the name): CSV " +
      "epoch,metric,value and a figure of NC1–NC4 vs epoch",
  },
  out: {
    type: "string",
    help: "with --track: directory for nc_track.{csv,vl.json,svg,meta.json} (default: the " +
      "checkpoints' parent directory)",
  },
  json: { type: "boolean", default: false, help: "print one JSON object instead of CSV" },
  threads: threadsFlag,
} as const;

const format = (value: number | null) =>
  value === null ? "" : Number.isNaN(value) ? "NaN" : String(value);

/** Formats single-label metrics as the tidy CSV described in the module notes. */
function metricsCsv(metrics: NcMetrics): string {
  const lines = ["class,metric,value"];
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === "number") lines.push(`all,${name},${format(value)}`);
  }
  const perClass = Object.entries(metrics.per_class).filter(
    (entry): entry is [string, number[]] => entry[1] !== null,
  );
  for (let k = 0; k < metrics.num_classes; k++) {
    for (const [name, values] of perClass) lines.push(`${k},${name},${format(values[k])}`);
  }
  return lines.join("\n") + "\n";
}

/** The multi-label CSV: global rows, per multiplicity (`m=2`), per label set (`0+3`). */
function multiLabelCsv(metrics: MultiLabelMetrics): string {
  const lines = ["class,metric,value"];
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === "number") lines.push(`all,${name},${format(value)}`);
  }
  for (const [m, count] of Object.entries(metrics.multiplicity_counts)) {
    lines.push(`m=${m},samples,${count}`);
  }
  for (const [m, group] of Object.entries(metrics.scale_by_multiplicity)) {
    for (const [name, value] of Object.entries(group)) lines.push(`m=${m},scale_${name},${value}`);
  }
  for (const set of metrics.per_set) {
    const scope = set.labels.join("+");
    lines.push(`${scope},count,${set.count}`, `${scope},cosine,${format(set.cosine)}`);
    lines.push(`${scope},scale,${format(set.scale)}`);
  }
  return lines.join("\n") + "\n";
}

async function write(text: string): Promise<void> {
  await Deno.stdout.write(new TextEncoder().encode(text));
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, { ...flags }, usage);
  if (values === null) return;
  applyThreadsFlag(values.threads);
  const layout = parseChoiceFlag(
    "layout",
    values.layout as string,
    [
      "samples-as-rows",
      "samples-as-columns",
    ] as const,
  );
  const ncc = parseChoiceFlag("ncc", values.ncc as string, ["auto", "on", "off"] as const);
  const number = (flag: string, constraints: Parameters<typeof parseNumberFlag>[2]) =>
    typeof values[flag] === "string"
      ? parseNumberFlag(flag, values[flag] as string, constraints)
      : undefined;
  const classes = number("classes", { integer: true, min: 2 });
  const batchRows = number("batch", { integer: true, min: 1, max: 2 ** 22 });
  const summary = {
    cdnvExponent: number("cdnv-exponent", { min: 0, exclusiveMin: true }),
    rieszS: number("riesz-s", {}),
  };
  const progress = (line: string) => console.error(line);
  const normalize = values.normalize === true;
  const common = { layout, classes, ncc, summary, batchRows, progress, normalize };

  if (typeof values.track === "string") {
    if (values.out !== undefined && typeof values.out !== "string") throw new UsageError("--out");
    const result = await trackCheckpoints({
      pattern: values.track,
      features: values.features as string | undefined,
      labels: values.labels as string | undefined,
      weights: values.weights as string | undefined,
      bias: values.bias as string | undefined,
      outDir: values.out as string | undefined,
      ...common,
    });
    if (values.json) console.log(JSON.stringify(result.checkpoints));
    else await write(trackCsv(result.rows));
    return;
  }
  if (values.out !== undefined) throw new UsageError("--out applies only with --track");
  for (const required of ["features", "labels"]) {
    if (typeof values[required] !== "string") throw new UsageError(`--${required} is required`);
  }
  const options: MetricsFilesOptions = {
    features: values.features as string,
    labels: values.labels as string,
    weights: values.weights as string | undefined,
    bias: values.bias as string | undefined,
    ...common,
  };
  const result = await metricsFromFiles(options);
  for (const note of result.notes) console.error(`note: ${note}`);
  const reason = result.kind === "single"
    ? result.metrics.undefined_reason
    : result.metrics.m1.undefined_reason;
  if (reason !== null) throw new UsageError(`${options.features}: ${reason}`);
  if (values.json) {
    console.log(JSON.stringify({ ...result.metrics, definitions: metricDefinitions }));
  } else {
    await write(
      result.kind === "single" ? metricsCsv(result.metrics) : multiLabelCsv(result.metrics),
    );
  }
}

if (import.meta.main) await runCli(main);
