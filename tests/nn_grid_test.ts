// Resumable grids (lib/nn/grid.ts): a grid killed mid-way (SIGKILL, no chance to clean up) and
// re-run recomputes nothing already saved and leaves those files untouched.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GridEvent,
  loadSavedRun,
  runGrid,
  runKey,
  runPath,
  type TrainConfig,
  validateTrainConfig,
} from "../lib/nn/mod.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** Six small runs of about half a second each. */
const configs: TrainConfig[] = [1, 2, 3, 4, 5, 6].map((seed) =>
  validateTrainConfig({
    loss: "ce",
    width: 64,
    depth: 2,
    n: 60,
    testPerClass: 20,
    epochs: 12,
    batch: 20,
    evalEvery: 4,
    seed,
  })
);

async function savedFiles(dir: string): Promise<Map<string, { text: string; mtime: number }>> {
  const files = new Map<string, { text: string; mtime: number }>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue; // skips *.tmp leftovers
    const path = join(dir, entry.name);
    files.set(path, {
      text: await Deno.readTextFile(path),
      mtime: (await Deno.stat(path)).mtime!.getTime(),
    });
  }
  return files;
}

Deno.test("grid: killed mid-way, the re-run loads every saved run and computes only the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-grid-" });
  try {
    const cacheDir = join(dir, "runs");
    const script = join(dir, "grid.ts");
    const gridUrl = new URL("../lib/nn/grid.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { runGrid } from ${JSON.stringify(gridUrl)};\n` +
        `await runGrid(${JSON.stringify(configs)}, { cacheDir: ${
          JSON.stringify(cacheDir)
        }, workers: 1, onProgress: () => {} });\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        join(repoRoot, "deno.json"),
        "--allow-read",
        "--allow-write",
        "--allow-env",
        script,
      ],
      cwd: repoRoot,
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Kill it as soon as two runs are saved (the third is then in progress).
    const deadline = Date.now() + 120_000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      let count = 0;
      try {
        count = (await savedFiles(cacheDir)).size;
      } catch {
        // directory not created yet
      }
      if (count >= 2) break;
      assert.ok(Date.now() < deadline, "the grid did not save two runs within 2 minutes");
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.success, false, "the grid finished before it could be killed");
    const before = await savedFiles(cacheDir);
    assert.ok(before.size >= 2 && before.size < configs.length, `${before.size} runs saved`);

    const events: GridEvent[] = [];
    const results = await runGrid(configs, {
      cacheDir,
      workers: 1,
      onProgress: (event) => events.push(event),
    });
    const saved = events.filter((e) => e.status === "saved");
    const computed = events.filter((e) => e.status === "computed");
    assert.equal(saved.length, before.size);
    assert.equal(computed.length, configs.length - before.size);
    const after = await savedFiles(cacheDir);
    assert.equal(after.size, configs.length);
    for (const [path, file] of before) {
      assert.equal(after.get(path)!.text, file.text, `${path} was rewritten`);
      assert.equal(after.get(path)!.mtime, file.mtime, `${path} was touched`);
    }
    // Loaded results are the saved ones; every run is in grid order.
    for (const event of saved) {
      const file = JSON.parse(before.get(event.path)!.text);
      assert.equal(file.key, runKey(configs[event.index]));
      assert.deepEqual(results[event.index], file.result);
    }
    results.forEach((result, i) => assert.equal(result.config.seed, configs[i].seed));

    // A third run of the grid computes nothing.
    const third: GridEvent[] = [];
    await runGrid(configs, { cacheDir, workers: 1, onProgress: (event) => third.push(event) });
    assert.ok(third.every((e) => e.status === "saved"));

    // A file whose stored key differs (other settings, or an older protocol) is not reused.
    const path = await runPath(cacheDir, configs[0]);
    const stale = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(
      path,
      JSON.stringify({ ...stale, key: stale.key.replace('"protocol":', '"protocol":0,"x":') }),
    );
    assert.equal(await loadSavedRun(path, configs[0]), null);
    assert.notEqual(await runPath(cacheDir, { ...configs[0], lr: 0.01 }), path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grid on two Workers gives the same results as in-thread training", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-grid-" });
  try {
    const small = configs.slice(0, 3).map((c) => ({ ...c, epochs: 4 }));
    const onWorkers = await runGrid(small, {
      cacheDir: join(dir, "a"),
      workers: 2,
      onProgress: () => {},
    });
    const inThread = await runGrid(small, {
      cacheDir: join(dir, "b"),
      workers: 1,
      onProgress: () => {},
    });
    onWorkers.forEach((result, i) => {
      assert.deepEqual(result.evals, inThread[i].evals);
      assert.equal(result.config.seed, small[i].seed);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
