// The network figure scripts (A6, B4, B6) end to end on their tiny `--quick` grids: the figure set
// is written with the expected series, and a second run reuses every saved run.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runScript } from "./run_script.ts";

async function runQuick(script: string, figuresDir: string): Promise<string> {
  const { code, stderr } = await runScript(script, ["--quick", "--workers", "1"], {
    UFMLAB_FIGURES_DIR: figuresDir,
  });
  assert.equal(code, 0, stderr);
  return stderr;
}

for (
  const [id, script, series] of [
    ["A6", "scripts/experiments/a6_mnist_depthwise.ts", [
      "NC1(H1), 64-d",
      "OF dist. of uncentered H̄2",
    ]],
    ["B4", "scripts/experiments/b4_mnist_losses.ts", ["NC1", "NC4: ‖Wμ_G + b‖"]],
    ["B6", "scripts/experiments/b6_fashion_losses.ts", ["NC1", "CNN (seed 1)", "MLP (seed mean)"]],
  ] as const
) {
  Deno.test(`${id} --quick writes its figure and reuses its saved runs`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `ufmlab-${id}-` });
    try {
      const first = await runQuick(script, dir);
      assert.match(first, /\(\d+\.\d s\)/); // runs trained now
      const meta = JSON.parse(await Deno.readTextFile(join(dir, `${id}.meta.json`)));
      assert.equal(meta.id, id);
      assert.ok(meta.rowCount > 0);
      assert.match(meta.measured, /100%/);
      const csv = await Deno.readTextFile(join(dir, `${id}.csv`));
      for (const name of series) assert.ok(csv.includes(name), `${name} missing from ${id}.csv`);
      const second = await runQuick(script, dir);
      assert.doesNotMatch(second, /\(\d+\.\d s\)/); // nothing recomputed
      assert.match(second, /saved earlier/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("B6 --quick: the measured text is the findings of lib/nn/findings.ts on its own data", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-B6-text-" });
  try {
    await runQuick("scripts/experiments/b6_fashion_losses.ts", dir);
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "B6.meta.json")));
    const analysis = meta.parameters.gap_analysis;
    assert.equal(analysis.cellCount, 3 * 2 * 2); // LS, FL, MSE × 2 widths × 2 budgets
    const verdict = analysis.exceedsNoise ? "exceed seed noise" : "do not exceed seed noise";
    assert.match(meta.measured, new RegExp(`gaps to CE ${verdict}`));
    assert.match(meta.measured, /Trend with width: .*; with epochs: /);
    assert.match(meta.measured, /CNN vs MLP test accuracy \(width 16, 20 epochs\): CE /);
    assert.equal(meta.parameters.cnn.length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
