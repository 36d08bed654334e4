// `deno task reproduce --full` passes `--full` on to every experiment script (A6/B4 then run
// their whole grid); without it the scripts get no extra argument.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main as reproduceMain } from "../scripts/reproduce.ts";

Deno.test("reproduce --full forwards --full to the experiment scripts", async () => {
  const root = await Deno.makeTempDir({ prefix: "ufmlab_full_" });
  const figuresDir = join(root, "figures");
  const plotModule = new URL("../lib/plot/mod.ts", import.meta.url).href;
  try {
    const realRoot = new URL("../", import.meta.url);
    await Deno.copyFile(new URL("deno.json", realRoot), join(root, "deno.json"));
    await Deno.copyFile(new URL("package.json", realRoot), join(root, "package.json"));
    await Deno.symlink(new URL("node_modules", realRoot).pathname, join(root, "node_modules"));
    // The script records the arguments it was given in its figure meta.
    await Deno.writeTextFile(
      join(root, "args.ts"),
      `import { scatterChart, writeFigure } from "${plotModule}";
await writeFigure({ id: "F1", title: "args", spec: scatterChart({ x: "x", y: "y" }),
  rows: [{ x: 1, y: 2 }], meta: { paper: "A", claim: "c", measured: JSON.stringify(Deno.args),
  command: "c", seconds: 0 } }, { quiet: true });\n`,
    );
    const registry = [{ id: "F1", script: "args.ts", description: "records its arguments" }];
    const options = { repoRoot: root, figuresDir };
    const measured = async () =>
      JSON.parse(JSON.parse(await Deno.readTextFile(join(figuresDir, "F1.meta.json"))).measured);
    await reproduceMain([], registry, options);
    assert.deepEqual(await measured(), []);
    await reproduceMain(["--full"], registry, options);
    assert.deepEqual(await measured(), ["--full"]);
    const summary = JSON.parse(await Deno.readTextFile(join(figuresDir, "summary.json")));
    assert.equal(summary.full, true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
