// lib/io/npy.ts against files written by numpy itself (tests/fixtures/make_fixtures.py), and
// the `deno task metrics` CLI (scripts/metrics.ts) as a subprocess: exit codes and output.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli.ts";
import { encodeNpy, parseNpy, readNpy } from "../lib/io/npy.ts";
import { runScript, type ScriptOutput } from "./run_script.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const fixture = (name: string): string => new URL(name, fixtures).pathname;

/** The array make_fixtures.py saves as format_*.npy: a[i, j] = 6i + 1.5j − 4, shape (3, 4). */
const grid = Array.from({ length: 12 }, (_, i) => 6 * Math.floor(i / 4) + 1.5 * (i % 4) - 4);

async function rejects(
  run: () => Promise<unknown> | unknown,
  message: RegExp,
  what: string,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `${what}: expected UsageError, got ${error}`);
    assert.match(error.message, message, what);
    return;
  }
  assert.fail(`${what}: no error`);
}

Deno.test("readNpy: format versions 1.0, 2.0, 3.0 and Fortran order (numpy-written)", async () => {
  for (
    const [name, version, fortran] of [
      ["format_v1.npy", "1.0", false],
      ["format_v2.npy", "2.0", false],
      ["format_v3.npy", "3.0", false],
      ["format_fortran.npy", "1.0", true],
    ] as const
  ) {
    const array = await readNpy(fixture(name), { rank: 2 });
    assert.equal(array.version, version, name);
    assert.equal(array.dtype, "f8");
    assert.equal(array.fortranOrder, fortran);
    assert.deepEqual(array.shape, [3, 4]);
    assert.deepEqual(Array.from(array.data), grid, name);
  }
  // 3-D int16 in Fortran order: C-order element i of arange(24).reshape(2, 3, 4) − 5 is i − 5.
  const cube = await readNpy(fixture("format_fortran_3d_i2.npy"));
  assert.equal(cube.dtype, "i2");
  assert.deepEqual(cube.shape, [2, 3, 4]);
  assert.deepEqual(Array.from(cube.data), Array.from({ length: 24 }, (_, i) => i - 5));
  // float32 Fortran-order features decode to the f32 values (checked against a C-order sum).
  const f32 = await readNpy(fixture("fortran_f32_features.npy"), { rank: 2 });
  assert.equal(f32.dtype, "f4");
  assert.deepEqual(f32.shape, [60, 9]);
  assert.ok(f32.data.every((x) => Math.fround(x) === x));
});

Deno.test("readNpy: integer dtypes convert exactly; 64-bit values beyond 2^53 are rejected", async () => {
  const cases: [string, string, number[]][] = [
    ["int_i1.npy", "i1", [-128, -1, 0, 127]],
    ["int_u2.npy", "u2", [0, 1, 65535]],
    ["int_u4.npy", "u4", [0, 4294967295]],
    ["int_u8.npy", "u8", [0, 2 ** 53 - 1]],
    ["int_i8.npy", "i8", [-(2 ** 53 - 1), 7, 2 ** 53 - 1]],
    ["unbalanced_labels.npy", "i8", []],
    ["low_dim_labels.npy", "u1", []],
    ["columns_labels.npy", "i2", []],
  ];
  for (const [name, dtype, values] of cases) {
    const array = await readNpy(fixture(name), { rank: 1 });
    assert.equal(array.dtype, dtype, name);
    if (values.length > 0) assert.deepEqual(Array.from(array.data), values, name);
    else assert.ok(array.data.every((x) => Number.isInteger(x) && x >= 0), name);
  }
  await rejects(
    () => readNpy(fixture("int_i8_unsafe.npy")),
    /int_i8_unsafe\.npy: element 1 = 9007199254740993 is beyond/,
    "int64 > 2^53",
  );
});

Deno.test("readNpy: unsupported files are UsageErrors naming the file and the problem", async () => {
  const cases: [string, RegExp][] = [
    ["bad_big_endian.npy", /bad_big_endian\.npy: big-endian dtype '>f8' is not supported/],
    ["bad_object.npy", /bad_object\.npy: object .*dtype '\|O' is not supported/],
    ["bad_structured.npy", /bad_structured\.npy: structured \(record\) dtypes are not supported/],
    ["bad_complex.npy", /bad_complex\.npy: complex dtype '<c16' is not supported/],
    ["bad_bool.npy", /bad_bool\.npy: bool dtype '\|b1' is not supported/],
    ["bad_unicode.npy", /bad_unicode\.npy: unicode string dtype '<U2' is not supported/],
    ["does_not_exist.npy", /does_not_exist\.npy: no such file/],
  ];
  for (const [name, message] of cases) await rejects(() => readNpy(fixture(name)), message, name);
  await rejects(
    () => readNpy(fixture("scalar_f8.npy"), { rank: 2 }),
    /scalar_f8\.npy: expected a 2-D array, got shape \(\)/,
    "rank 0",
  );
  await rejects(
    () => readNpy(fixture("format_v1.npy"), { rank: 1 }),
    /expected a 1-D array, got shape \(3, 4\)/,
    "rank 2 for 1",
  );
  assert.deepEqual(Array.from((await readNpy(fixture("scalar_f8.npy"))).data), [3.25]);
  // float16 is read (widened exactly); bool only where multi-hot labels are allowed.
  assert.deepEqual(Array.from((await readNpy(fixture("bad_float16.npy"))).data), [1, 2]);
  const bools = await readNpy(fixture("bad_bool.npy"), { allowBool: true });
  assert.deepEqual([bools.dtype, ...bools.data], ["b1", 1, 0]);
});

/** A .npy file assembled by hand (independent of encodeNpy). */
function handmade(header: string, payload: number[], major = 1, magic = "\x93NUMPY"): Uint8Array {
  const lengthBytes = major === 1 ? 2 : 4;
  const bytes = new Uint8Array(6 + 2 + lengthBytes + header.length + payload.length);
  for (let i = 0; i < 6; i++) bytes[i] = magic.charCodeAt(i);
  bytes[6] = major;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[8 + lengthBytes + i] = header.charCodeAt(i);
  bytes.set(payload, 8 + lengthBytes + header.length);
  return bytes;
}

function f64Bytes(values: number[], littleEndian = true): number[] {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((value, i) => view.setFloat64(8 * i, value, littleEndian));
  return Array.from(new Uint8Array(view.buffer));
}

Deno.test("parseNpy: hand-built headers (unaligned data, F order, malformed files)", async () => {
  // Version 2.0 with a 63-byte header puts the data at byte 75 (unaligned): the copy path.
  const header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }".padEnd(62) + "\n";
  const columnMajor = [1, 4, 2, 5, 3, 6]; // the 2×3 matrix [[1, 2, 3], [4, 5, 6]]
  const good = handmade(header, f64Bytes(columnMajor), 2);
  const array = parseNpy(good, { name: "hand.npy" });
  assert.deepEqual(Array.from(array.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(array.fortranOrder, true);
  const unaligned = parseNpy(
    handmade("{'descr':'<f8','fortran_order':False,'shape':(2,)}", f64Bytes([0.5, -2])),
  );
  assert.deepEqual(Array.from(unaligned.data), [0.5, -2]);

  const cases: [Uint8Array, RegExp, string][] = [
    [handmade(header, f64Bytes(columnMajor), 2, "\x93NUMPZ"), /not a \.npy file/, "bad magic"],
    [new Uint8Array([1, 2, 3]), /not a \.npy file/, "tiny file"],
    [
      good.subarray(0, good.length - 5),
      /truncated data: shape \(2, 3\) of <f8 needs 48 bytes, the file has 43/,
      "truncated data",
    ],
    [good.subarray(0, 30), /truncated header/, "truncated header"],
    [
      handmade(header, [...f64Bytes(columnMajor), 0, 0]),
      /2 unexpected bytes after the data/,
      "trailing bytes",
    ],
    [handmade(header, [], 4), /unsupported \.npy format version 4\.0/, "version 4"],
    [
      handmade("{'descr': '<f8', 'shape': (2,), }", f64Bytes([1, 2])),
      /malformed header \(expected the keys descr, fortran_order, shape; got descr, shape\)/,
      "missing key",
    ],
    [
      handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1), }", []),
      /malformed header \(shape must be a tuple of non-negative integers\)/,
      "negative shape",
    ],
    [
      handmade("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", f64Bytes([1, 2])),
      /malformed header \(fortran_order must be True or False\)/,
      "bad fortran_order",
    ],
    [handmade("['descr', '<f8']", []), /malformed header/, "not a dict"],
    [
      handmade("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", f64Bytes([1], false)),
      /big-endian dtype '>f8'/,
      "big endian",
    ],
  ];
  for (const [bytes, message, what] of cases) {
    await rejects(
      () => parseNpy(bytes, { name: "hand.npy" }),
      new RegExp(`^hand\\.npy: ${message.source}`),
      what,
    );
  }
});

Deno.test("encodeNpy: byte-identical to numpy's own files", async () => {
  assert.deepEqual(encodeNpy(grid, [3, 4]), await Deno.readFile(fixture("format_v1.npy")));
  const labels = await readNpy(fixture("fortran_f32_labels.npy"));
  assert.deepEqual(
    encodeNpy(labels.data, labels.shape, "i4"),
    await Deno.readFile(fixture("fortran_f32_labels.npy")),
  );
});

// ---------------------------------------------------------------------------------------------
// scripts/metrics.ts as a subprocess

const runMetrics = (args: string[]): Promise<ScriptOutput> => runScript("scripts/metrics.ts", args);

Deno.test("metrics CLI: bad input files and flags exit 2 with one line `error: …`", async () => {
  const labels = fixture("unbalanced_labels.npy");
  const cases: [string[], RegExp][] = [
    [
      ["--features", fixture("bad_big_endian.npy"), "--labels", labels],
      /bad_big_endian\.npy: big-endian/,
    ],
    [["--features", fixture("missing.npy"), "--labels", labels], /missing\.npy: no such file/],
    [
      ["--features", fixture("unbalanced_features.npy"), "--labels", labels, "--frobnicate"],
      /frobnicate/,
    ],
    [["--features", fixture("unbalanced_features.npy")], /--labels is required/],
    [
      ["--features", fixture("unbalanced_features.npy"), "--labels", labels, "--classes", "1.5"],
      /--classes: expected an integer/,
    ],
    [
      ["--features", fixture("low_dim_features.npy"), "--labels", labels],
      /low_dim_features\.npy has 84 samples .*unbalanced_labels\.npy has 200 labels/,
    ],
    [
      ["--features", fixture("unbalanced_labels.npy"), "--labels", labels],
      /unbalanced_labels\.npy: expected a 2-D array, got shape \(200,\)/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await runMetrics(args);
    assert.equal(code, 2, `${args.join(" ")}: exit code (stderr: ${stderr})`);
    assert.equal(stdout, "");
    const lines = stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line: ${stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
  }
});

Deno.test("metrics CLI: --json and CSV output of a numpy fixture", async () => {
  const expected = JSON.parse(await Deno.readTextFile(new URL("expected_metrics.json", fixtures)))
    .datasets.columns;
  const args = [
    "--",
    "--features",
    fixture(expected.features),
    "--labels",
    fixture(expected.labels),
    "--weights",
    fixture(expected.weights),
    "--bias",
    fixture(expected.bias),
    "--layout",
    "samples-as-columns",
  ];
  const json = await runMetrics([...args, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const metrics = JSON.parse(json.stdout);
  for (const [name, value] of Object.entries(expected.metrics as Record<string, number>)) {
    assert.ok(Math.abs(metrics[name] - value) <= 1e-9 * Math.abs(value) + 1e-13, name);
  }
  assert.deepEqual(metrics.per_class.count, expected.per_class.count);

  const csv = await runMetrics(args);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split("\n").map((line) => line.split(","));
  assert.deepEqual(rows[0], ["class", "metric", "value"]);
  const nc1 = rows.find(([scope, name]) => scope === "all" && name === "nc1");
  assert.ok(nc1 && Math.abs(Number(nc1[2]) - expected.metrics.nc1) <= 1e-9 * expected.metrics.nc1);
  const counts = rows.filter(([, name]) => name === "count").map((
    [scope, , value],
  ) => [scope, Number(value)]);
  assert.deepEqual(counts, expected.per_class.count.map((n: number, k: number) => [String(k), n]));
  assert.ok(rows.every((row) => row.length === 3));
});
