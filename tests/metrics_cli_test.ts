// `deno task metrics` on the files people save: .npz members (stored and deflated),
// .safetensors tensors (F32, F16, BF16), shards with (n, 1) labels, float16, multi-hot labels
// — each against the in-memory metrics of the same data — and every bad file of
// /work/shared/bad-inputs.md "Files" that applies: one line `error: …`, exit code 2.
import assert from "node:assert/strict";
import { encodeNpy, readNpy, writeNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import { multiLabelMetrics, type NcMetrics, ncMetrics } from "../lib/metrics/mod.ts";
import { runScript } from "./run_script.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => new URL(name, fixtures).pathname;
const metrics = (args: string[]) => runScript("scripts/metrics.ts", args);

async function reference(): Promise<NcMetrics> {
  const read = (name: string) => readNpy(fixture(name));
  const [x, y, w, b] = await Promise.all(
    ["features", "labels", "weights", "bias"].map((part) => read(`io_plain_${part}.npy`)),
  );
  return ncMetrics({
    features: Matrix.from(x.shape[0], x.shape[1], x.data),
    labels: y.data,
    weights: Matrix.from(w.shape[0], w.shape[1], w.data),
    bias: b.data,
  });
}

function assertSame(actual: Record<string, unknown>, expected: NcMetrics, what: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value !== "number") continue;
    const got = actual[key] as number;
    assert.ok(
      Math.abs(got - value) <= 1e-12 * Math.max(1, Math.abs(value)),
      `${what}: ${key} = ${got}, in memory ${value}`,
    );
  }
}

Deno.test("metrics CLI: .npz, .safetensors, shards, (n, 1) labels and float16 give the in-memory metrics", async () => {
  const expected = await reference();
  const npz = (file: string) =>
    ["features", "labels", "weights", "bias"].flatMap((
      part,
    ) => [`--${part}`, `${fixture(file)}:${part}`]);
  const st = fixture("io_model.safetensors");
  const plain = [
    "--labels",
    fixture("io_plain_labels.npy"),
    "--weights",
    fixture("io_plain_weights.npy"),
    "--bias",
    fixture("io_plain_bias.npy"),
  ];
  const cases: [string, string[]][] = [
    ["plain .npy, batches of 7", [
      "--features",
      fixture("io_plain_features.npy"),
      ...plain,
      "--batch",
      "7",
    ]],
    ["np.savez", npz("io_run.npz")],
    ["np.savez_compressed", npz("io_run_compressed.npz")],
    ["safetensors F32", [
      "--features",
      `${st}:features`,
      "--labels",
      `${st}:labels`,
      "--weights",
      `${st}:fc.weight`,
      "--bias",
      `${st}:fc.bias`,
    ]],
    ["safetensors F16", ["--features", `${st}:features_f16`, ...plain]],
    ["safetensors BF16", ["--features", `${st}:features_bf16`, ...plain]],
    ["float16 .npy", ["--features", fixture("io_half.npy"), ...plain]],
    ["shards with (n, 1) labels", [
      "--features",
      fixture("io_feats_*.npy"),
      "--labels",
      fixture("io_labels_*.npy"),
      "--weights",
      fixture("io_plain_weights.npy"),
      "--bias",
      fixture("io_plain_bias.npy"),
      "--batch",
      "10",
    ]],
  ];
  for (const [what, args] of cases) {
    const { code, stdout, stderr } = await metrics([...args, "--json"]);
    assert.equal(code, 0, `${what}: ${stderr}`);
    const result = JSON.parse(stdout);
    assertSame(result, expected, what);
    assert.equal(result.definitions.nc1.centring, "sample mean");
  }
});

Deno.test("metrics CLI: multi-hot (N, K) bool labels give the multi-label metrics", async () => {
  const x = await readNpy(fixture("io_plain_features.npy"));
  const hot = await readNpy(fixture("io_multihot.npy"), { allowBool: true });
  const expected = multiLabelMetrics({
    features: Matrix.from(x.shape[0], x.shape[1], x.data),
    multiHot: hot.data,
    classes: 3,
  });
  const json = await metrics([
    "--features",
    fixture("io_plain_features.npy"),
    "--labels",
    fixture("io_multihot.npy"),
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.ok(Math.abs(result.nc1_m1 - expected.nc1_m1) <= 1e-12 * expected.nc1_m1);
  assert.deepEqual(result.multiplicity_counts, { 1: 48, 2: 12 });
  assert.equal(result.per_set.length, expected.per_set.length);
  assert.ok(Math.abs(result.tagwise_cosine_mean - expected.tagwise_cosine_mean) <= 1e-12);
  const csv = await metrics([
    "--features",
    fixture("io_plain_features.npy"),
    "--labels",
    fixture("io_multihot.npy"),
  ]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^class,metric,value\nall,num_classes,3\n/);
  assert.match(csv.stdout, /\nm=2,samples,12\n/);
  assert.match(csv.stdout, /\n0\+1,cosine,/);
});

/** Runs the CLI and checks: exit 2, nothing on stdout, one stderr line matching `message`. */
async function rejects(args: string[], message: RegExp, what: string): Promise<void> {
  const { code, stdout, stderr } = await metrics(args);
  assert.equal(code, 2, `${what}: exit code ${code} (stderr: ${stderr})`);
  assert.equal(stdout, "", what);
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, got ${stderr}`);
  assert.match(lines[0], /^error: /, what);
  assert.match(lines[0], message, `${what}: ${lines[0]}`);
}

Deno.test("metrics CLI: bad files → one line, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const tmp = (name: string) => `${dir}/${name}`;
  const labels = fixture("io_plain_labels.npy");
  const features = fixture("io_plain_features.npy");
  const bytes = await Deno.readFile(features);
  await Deno.writeFile(tmp("empty.npy"), new Uint8Array());
  await Deno.writeFile(tmp("header.npy"), bytes.subarray(0, 40));
  await Deno.writeFile(tmp("data.npy"), bytes.subarray(0, bytes.length - 8));
  await Deno.writeTextFile(tmp("text.npy"), "1,2,3\n");
  const zip = await Deno.readFile(fixture("io_run_compressed.npz"));
  await Deno.writeFile(tmp("cut.npz"), zip.subarray(0, 700));
  const st = await Deno.readFile(fixture("io_model.safetensors"));
  await Deno.writeFile(tmp("cut.safetensors"), st.subarray(0, st.length - 100));
  const withValue = async (name: string, index: number, value: number) => {
    const x = await readNpy(features);
    x.data[index] = value;
    await writeNpy(tmp(name), x.data, x.shape);
  };
  await withValue("nan.npy", 3 * 5 + 1, NaN);
  await withValue("inf.npy", 7 * 5 + 4, -Infinity);
  await writeNpy(tmp("zeros.npy"), new Float64Array(60 * 5), [60, 5]);
  await writeNpy(tmp("constant.npy"), new Float64Array(60 * 5).fill(0.25), [60, 5]);
  await writeNpy(tmp("x3d.npy"), new Float64Array(60), [3, 4, 5]);
  await writeNpy(tmp("x1d.npy"), new Float64Array(60), [60]);
  await Deno.writeFile(tmp("x0d.npy"), await Deno.readFile(fixture("scalar_f8.npy")));
  const y = (await readNpy(labels)).data;
  const withLabel = (name: string, index: number, value: number) => {
    const copy = Float64Array.from(y);
    copy[index] = value;
    return writeNpy(tmp(name), copy, [60]);
  };
  await withLabel("negative.npy", 4, -1);
  await withLabel("fraction.npy", 5, 1.5);
  await withLabel("large.npy", 6, 7);
  await writeNpy(tmp("gap.npy"), Float64Array.from(y, (k) => (k === 1 ? 3 : k)), [60]);
  await writeNpy(tmp("short.npy"), y.subarray(0, 59), [59]);
  const hot = (await readNpy(fixture("io_multihot.npy"), { allowBool: true })).data;
  const hotWith = (name: string, index: number, value: number) => {
    const copy = Float64Array.from(hot);
    copy.fill(0, 3 * 9, 3 * 10);
    copy[index] = value;
    return writeNpy(tmp(name), copy, [60, 3]);
  };
  await hotWith("nolabel.npy", 0, hot[0]); // row 9 emptied
  await hotWith("two.npy", 3 * 9 + 1, 2);
  await Deno.writeFile(tmp("bool1d.npy"), await Deno.readFile(fixture("bad_bool.npy")));
  const w = await readNpy(fixture("io_plain_weights.npy"));
  const transposed = new Float64Array(15);
  for (let k = 0; k < 3; k++) for (let j = 0; j < 5; j++) transposed[j * 3 + k] = w.data[k * 5 + j];
  await writeNpy(tmp("wt.npy"), transposed, [5, 3]);
  await writeNpy(tmp("b4.npy"), [0, 0, 0, 0], [4]);
  // Shards: a truncated one, a count mismatch, a row mismatch, a different d.
  await Deno.mkdir(tmp("shards"));
  for (const name of ["1", "2", "10"]) {
    await Deno.copyFile(fixture(`io_feats_${name}.npy`), tmp(`shards/f_${name}.npy`));
    await Deno.copyFile(fixture(`io_labels_${name}.npy`), tmp(`shards/y_${name}.npy`));
  }
  const shard2 = await Deno.readFile(tmp("shards/f_2.npy"));
  await Deno.writeFile(tmp("shards/t_1.npy"), shard2.subarray(0, shard2.length - 4));
  await Deno.copyFile(tmp("shards/y_2.npy"), tmp("shards/u_1.npy"));
  await Deno.copyFile(tmp("shards/y_1.npy"), tmp("shards/r_1.npy"));
  await Deno.copyFile(tmp("shards/f_2.npy"), tmp("shards/d_1.npy"));
  await writeNpy(tmp("shards/d_2.npy"), new Float64Array(15 * 4), [15, 4]);
  await Deno.copyFile(tmp("shards/y_2.npy"), tmp("shards/e_1.npy"));
  await Deno.copyFile(tmp("shards/y_2.npy"), tmp("shards/e_2.npy"));

  const F = (path: string, y = labels) => ["--features", path, "--labels", y];
  const st0 = fixture("io_model.safetensors");
  const cases: [string[], RegExp, string][] = [
    [F(tmp("missing.npy")), /missing\.npy: no such file/, "missing"],
    [F(dir), /is a directory/, "directory"],
    [F(tmp("empty.npy")), /empty\.npy: empty file/, "empty"],
    [F(tmp("header.npy")), /header\.npy: truncated header/, "truncated header"],
    [
      F(tmp("data.npy")),
      /data\.npy: truncated data: shape \(60, 5\) of float64 needs 2400 bytes, the file has 2392/,
      "truncated data",
    ],
    [F(tmp("text.npy")), /text\.npy: not a \.npy file/, "not .npy"],
    [
      F(`${fixture("io_run.npz")}:feats`),
      /io_run\.npz: no member 'feats' \(members: features, labels, weights, bias\)/,
      "missing member",
    ],
    [
      F(fixture("io_run.npz")),
      /io_run\.npz: name a member as .*io_run\.npz:<name> \(members: features/,
      "no member named",
    ],
    [F(`${tmp("cut.npz")}:weights`), /cut\.npz: (truncated|no member)/, "truncated .npz"],
    [
      F(`${st0}:nope`),
      /io_model\.safetensors: no tensor 'nope' \(tensors: features, /,
      "missing tensor",
    ],
    [
      F(`${st0}:odd`),
      /io_model\.safetensors:odd: dtype F8_E4M3 is not supported/,
      "unsupported dtype",
    ],
    [F(st0), /holds 7 tensors; name one/, "safetensors without a name"],
    [
      F(`${tmp("cut.safetensors")}:fc.weight`),
      /cut\.safetensors:fc\.weight: truncated data/,
      "truncated safetensors",
    ],
    [F(fixture("bad_big_endian.npy")), /big-endian dtype '>f8'/, "big-endian"],
    [F(fixture("bad_object.npy")), /object .*not supported/, "object"],
    [F(fixture("bad_complex.npy")), /complex dtype/, "complex"],
    [F(fixture("bad_structured.npy")), /structured \(record\) dtypes/, "structured"],
    [F(fixture("io_multihot.npy")), /bool dtype '\|b1' is not supported here/, "bool features"],
    [F(tmp("x0d.npy")), /expected a 2-D array, got shape \(\)/, "0-d"],
    [F(tmp("x1d.npy")), /expected a 2-D array, got shape \(60,\)/, "1-d"],
    [F(tmp("x3d.npy")), /expected a 2-D array, got shape \(3, 4, 5\)/, "3-d"],
    [F(tmp("nan.npy")), /features contain NaN \(.*nan\.npy row 3, feature 1\)/, "NaN"],
    [F(tmp("inf.npy")), /features contain -Infinity \(.*inf\.npy row 7, feature 4\)/, "Inf"],
    [
      F(features, tmp("negative.npy")),
      /negative\.npy row 4: labels must be ≥ 0, got -1/,
      "negative label",
    ],
    [
      F(features, tmp("fraction.npy")),
      /fraction\.npy row 5: labels must be integers, got 1\.5/,
      "fractional label",
    ],
    [
      [...F(features, tmp("large.npy")), "--classes", "3"],
      /large\.npy row 6: label 7 is out of range for --classes 3 \(0\.\.2\)/,
      "label ≥ K",
    ],
    [F(features, tmp("gap.npy")), /class 1 has no samples \(K = 4\)/, "empty class in the middle"],
    [
      F(features, tmp("short.npy")),
      /io_plain_features\.npy has 60 samples .*short\.npy has 59 labels/,
      "count ≠ rows",
    ],
    [
      F(features, tmp("nolabel.npy")),
      /nolabel\.npy row 9 has no label/,
      "multi-hot row without a label",
    ],
    [
      F(features, tmp("two.npy")),
      /two\.npy row 9: multi-hot labels must be 0 or 1, class 1 has 2/,
      "multi-hot value 2",
    ],
    [F(features, tmp("bool1d.npy")), /bool labels must be multi-hot/, "bool (N,) labels"],
    [
      [...F(features), "--weights", tmp("wt.npy")],
      /wt\.npy: expected K×d = 3×5 .* got 5×3 \(transposed\?/,
      "W transposed",
    ],
    [
      [...F(features), "--weights", fixture("io_plain_weights.npy"), "--bias", tmp("b4.npy")],
      /b4\.npy: expected 3 entries/,
      "bias length",
    ],
    [
      [...F(features), "--bias", fixture("io_plain_bias.npy")],
      /--bias given without --weights/,
      "bias without W",
    ],
    [F(tmp("zeros.npy")), /between-class variance is zero/, "all-zero features"],
    [F(tmp("constant.npy")), /between-class variance is zero/, "constant features"],
    [
      F(tmp("shards/t_*.npy"), tmp("shards/u_*.npy")),
      /t_1\.npy: truncated data/,
      "truncated shard",
    ],
    [
      F(tmp("shards/f_*.npy"), tmp("shards/r_*.npy")),
      /--features matches 3 file\(s\) but --labels matches 1/,
      "shard counts",
    ],
    [
      F(tmp("shards/f_*.npy"), tmp("shards/y_1*.npy")),
      /matches 3 file\(s\) but --labels matches 2/,
      "shard counts 2",
    ],
    [
      F(tmp("shards/d_*.npy"), tmp("shards/e_*.npy")),
      /d_2\.npy: d = 4 features, but .*d_1\.npy has d = 5/,
      "shard d",
    ],
    [F(tmp("shards/g_*.npy")), /--features: no file matches/, "no shard"],
    [[...F(features), "--ncc", "sometimes"], /--ncc: expected one of auto\|on\|off/, "--ncc"],
    [[...F(features), "--cdnv-exponent", "0"], /--cdnv-exponent: must be > 0/, "--cdnv-exponent"],
    [[...F(features), "--out", dir], /--out applies only with --track/, "--out"],
  ];
  // Three subprocesses at a time (each spends most of its time starting Deno).
  for (let i = 0; i < cases.length; i += 3) {
    await Promise.all(
      cases.slice(i, i + 3).map(([args, message, what]) => rejects(args, message, what)),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("metrics CLI: K·d past the WASM core is refused before reading the features", async () => {
  // 40,000 classes × d = 1000 (a sparse 80 MB float16 file: never read) need ~2.6 GB of core.
  const dir = await Deno.makeTempDir();
  const header = encodeNpy([], [0]).length; // a 1.0 header is 128 bytes for short shapes
  const text = "{'descr': '<f2', 'fortran_order': False, 'shape': (40000, 1000), }";
  const padded = text + " ".repeat(header - 11 - text.length) + "\n";
  const bytes = new Uint8Array(header);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
  const path = `${dir}/big.npy`;
  await Deno.writeFile(path, bytes);
  await Deno.truncate(path, header + 40000 * 1000 * 2);
  await writeNpy(`${dir}/y.npy`, Int32Array.from({ length: 40000 }, (_, i) => i), [40000], "i4");
  await rejects(
    ["--features", path, "--labels", `${dir}/y.npy`],
    /metrics of K = 40000 classes × d = 1000 features needs [\d.]+ GiB of WASM core memory, more than the 1\.94 GiB/,
    "too large",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("metrics CLI: Fortran-order files and samples as columns are read by strided chunks", async () => {
  const { fixtureSpecs } = await import("./metrics_fixtures.ts");
  for (
    const [name, extra] of [["fortran_f32", []], ["columns", [
      "--layout",
      "samples-as-columns",
    ]]] as const
  ) {
    const spec = fixtureSpecs[name];
    const args = ["--features", fixture(spec.features), "--labels", fixture(spec.labels), ...extra];
    if (spec.weights) args.push("--weights", fixture(spec.weights));
    if (spec.bias) args.push("--bias", fixture(spec.bias));
    const { code, stdout, stderr } = await metrics([...args, "--batch", "4", "--json"]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    for (const [key, value] of Object.entries(spec.metrics)) {
      if (value === null) continue;
      assert.ok(Math.abs(result[key] - value) <= 1e-9 * Math.abs(value) + 1e-13, `${name}.${key}`);
    }
  }
});
