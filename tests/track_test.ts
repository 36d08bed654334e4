// `train --save-every` checkpoints read back by `metrics --track`: the per-epoch NC metrics of
// train's own history to 1e-9, the tidy CSV and the figure, and the flag errors of both.
import assert from "node:assert/strict";
import { runScript } from "./run_script.ts";

Deno.test("metrics --track on train --save-every checkpoints reproduces train's per-epoch NC to 1e-9", async () => {
  const dir = await Deno.makeTempDir();
  const train = await runScript("scripts/train.ts", [
    "--loss",
    "mse",
    "--width",
    "32",
    "--depth",
    "2",
    "--n",
    "20",
    "--test-per-class",
    "10",
    "--epochs",
    "6",
    "--eval-every",
    "2",
    "--save-every",
    "2",
    "--save-features",
    dir,
    "--json",
  ]);
  assert.equal(train.code, 0, train.stderr);
  const history = JSON.parse(train.stdout).history as Record<string, number>[];
  assert.deepEqual(history.map((record) => record.epoch), [0, 2, 4, 6]);
  const tracked = await runScript("scripts/metrics.ts", ["--track", `${dir}/epoch_*`, "--json"]);
  assert.equal(tracked.code, 0, tracked.stderr);
  const checkpoints = JSON.parse(tracked.stdout) as {
    epoch: number;
    metrics: Record<string, number>;
  }[];
  assert.deepEqual(checkpoints.map((c) => c.epoch), [0, 2, 4, 6]);
  // train's keys: nc1 (penultimate layer), nc2 = nc2_w_etf_centered, nc3 = nc3_centered_w,
  // nc4 = ‖Wμ_G + b‖, ncc_mismatch (lib/nn/train.ts evaluate()).
  const pairs: [string, string][] = [
    ["nc1", "nc1"],
    ["nc2", "nc2_w_etf_centered"],
    ["nc3", "nc3_centered_w"],
    ["nc4", "wmu_g_b_norm"],
    ["ncc_mismatch", "ncc_mismatch"],
  ];
  checkpoints.forEach(({ metrics }, i) => {
    for (const [trainKey, key] of pairs) {
      const expected = history[i][trainKey];
      const actual = metrics[key];
      assert.ok(
        Math.abs(actual - expected) <= 1e-9 * Math.abs(expected) + 1e-15,
        `epoch ${history[i].epoch} ${key}: ${actual} vs train ${expected}`,
      );
    }
  });
  // The tidy CSV and the figure files.
  const csv = await runScript("scripts/metrics.ts", [
    "--track",
    `${dir}/epoch_*/`,
    "--out",
    `${dir}/fig`,
  ]);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "epoch,metric,value");
  assert.ok(lines.some((line) => line.startsWith("6,nc1,")));
  for (const ext of ["csv", "vl.json", "svg", "meta.json"]) {
    assert.ok((await Deno.stat(`${dir}/fig/nc_track.${ext}`)).isFile, ext);
  }
  const spec = JSON.parse(await Deno.readTextFile(`${dir}/fig/nc_track.vl.json`));
  const panels = new Set(spec.data.values.map((row: { panel: string }) => row.panel));
  assert.equal(panels.size, 5); // NC1, NC2 (features and W), NC3, NC4
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--save-every, --track and train's memory guard: one-line errors (exit 2)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/ckpt_a`);
  await Deno.mkdir(`${dir}/run/epoch_1`, { recursive: true });
  await Deno.mkdir(`${dir}/run/epoch_01`, { recursive: true });
  const cases: [string, string[], RegExp][] = [
    ["scripts/train.ts", ["--save-every", "2"], /--save-every needs --save-features/],
    [
      "scripts/train.ts",
      ["--save-every", "3", "--eval-every", "2", "--save-features", dir],
      /--save-every 3 must be a multiple of --eval-every 2/,
    ],
    [
      "scripts/train.ts",
      ["--save-every", "0", "--save-features", dir],
      /--save-every: must be ≥ 1/,
    ],
    [
      "scripts/train.ts",
      ["--width", "8192", "--depth", "12"],
      /train with hidden widths \[8192, .*\] on 2000 images needs [\d.]+ GiB of WASM core memory/,
    ],
    ["scripts/metrics.ts", ["--track", `${dir}/nothing_*`], /--track: no directory matches/],
    [
      "scripts/metrics.ts",
      ["--track", `${dir}/ckpt_*`],
      /no epoch number in the directory name 'ckpt_a'/,
    ],
    ["scripts/metrics.ts", ["--track", `${dir}/run/epoch_*`], /epoch 1 appears twice/],
    [
      "scripts/metrics.ts",
      ["--track", `${dir}/run/epoch_1`],
      /epoch 1.*no features\.npy or layer<l>\.npy|no features\.npy or layer<l>\.npy/,
    ],
  ];
  for (const [script, args, message] of cases) {
    const { code, stdout, stderr } = await runScript(script, args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(stderr, message);
  }
  await Deno.remove(dir, { recursive: true });
});
