/**
 * `deno task metrics`: neural-collapse metrics of saved features (science.md §4).
 *
 *     npx deno task metrics -- --features H.npy --labels y.npy [--weights W.npy] [--bias b.npy]
 *                              [--layout samples-as-rows|samples-as-columns] [--classes K] [--json]
 *
 * Output (stdout): a tidy CSV with the header `class,metric,value`. Global metrics come first
 * with class `all`, then one row per class and per-class metric (class = 0..K−1). Metrics that
 * need the classifier are omitted without --weights; NaN marks an undefined value (0/0).
 * With --json: one JSON object (lib/metrics/mod.ts `NcMetrics`: snake_case scalars, null for
 * unavailable or undefined values, and `per_class` with one array of length K per metric).
 * Bad flags or input files print one line `error: …` and exit with code 2.
 * @module
 */
import { parseFlags, parseNumberFlag, runCli, UsageError } from "../lib/cli.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { readNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import { metricDescriptions, type NcMetrics, ncMetrics } from "../lib/metrics/mod.ts";

const usage = [
  "Usage: deno task metrics -- --features H.npy --labels y.npy [options]",
  "",
  "Neural-collapse metrics (science.md §4) of features H (.npy float32/float64, N×d with",
  "samples as rows, or d×N with --layout samples-as-columns), integer labels y (.npy, N),",
  "and optionally a linear classifier W (K×d) and bias b (K).",
  "",
  "Output: CSV `class,metric,value` (class `all` for global metrics, then 0..K−1 for the",
  "per-class rows count, within_variance, mean_norm, w_norm, cos_w_mean, ncc_mismatch);",
  "--json prints one JSON object instead. Global metrics:",
  ...Object.entries(metricDescriptions).map(([name, text]) => `  ${name.padEnd(24)} ${text}`),
].join("\n");

const flags = {
  features: { type: "string", help: "features .npy (required)" },
  labels: { type: "string", help: "labels .npy, integers 0..K−1 (required)" },
  weights: { type: "string", help: "classifier W .npy, K×d (optional)" },
  bias: { type: "string", help: "classifier bias b .npy, length K (optional; needs --weights)" },
  layout: {
    type: "string",
    default: "samples-as-rows",
    help: "features layout: samples-as-rows (N×d) | samples-as-columns (d×N)",
  },
  classes: { type: "string", help: "number of classes K (default: max(label) + 1)" },
  json: { type: "boolean", default: false, help: "print one JSON object instead of CSV" },
  threads: threadsFlag,
} as const;

/** Formats the metrics as the tidy CSV described in the module notes. */
function metricsCsv(metrics: NcMetrics): string {
  const lines = ["class,metric,value"];
  const format = (value: number) => (Number.isNaN(value) ? "NaN" : String(value));
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

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, { ...flags }, usage);
  if (values === null) return;
  applyThreadsFlag(values.threads);
  for (const required of ["features", "labels"]) {
    if (typeof values[required] !== "string") throw new UsageError(`--${required} is required`);
  }
  const layout = values.layout;
  if (layout !== "samples-as-rows" && layout !== "samples-as-columns") {
    throw new UsageError(
      `--layout: expected one of samples-as-rows|samples-as-columns, got '${layout}'`,
    );
  }
  const classes = typeof values.classes === "string"
    ? parseNumberFlag("classes", values.classes, { integer: true, min: 2 })
    : undefined;

  const features = await readNpy(values.features as string, { rank: 2 });
  const labels = await readNpy(values.labels as string, { rank: 1 });
  const weights = typeof values.weights === "string"
    ? await readNpy(values.weights, { rank: 2 })
    : null;
  const bias = typeof values.bias === "string" ? await readNpy(values.bias, { rank: 1 }) : null;

  const featureMatrix = Matrix.from(features.shape[0], features.shape[1], features.data);
  const weightMatrix = weights
    ? Matrix.from(weights.shape[0], weights.shape[1], weights.data)
    : null;
  const metrics = ncMetrics({
    features: featureMatrix,
    layout,
    labels: labels.data,
    classes,
    weights: weightMatrix,
    bias: bias?.data ?? null,
  });
  featureMatrix.free();
  weightMatrix?.free();
  if (values.json) console.log(JSON.stringify(metrics));
  else await Deno.stdout.write(new TextEncoder().encode(metricsCsv(metrics)));
}

if (import.meta.main) await runCli(main);
