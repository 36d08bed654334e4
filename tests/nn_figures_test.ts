// The network figure scripts (A6, B4) end to end on their tiny `--quick` grids: the figure set
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
