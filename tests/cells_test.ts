// Grids as cells (lib/cluster/, issue 18): `reproduce --plan` lists every cell of a grid, `cell`
// runs exactly one and skips it the second time, a truncated or half-written file never counts
// (it is reported and redone), `--assemble` refuses a grid with missing cells, and
// `--submit slurm` writes and submits an array script (a fake sbatch records the calls here; the
// real single-node Slurm test is tests/cluster/slurm_test.ts). Bad flags: one line, exit 2.
import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { parseCellRequest, selectCell } from "../lib/cluster/cells.ts";
import { parseSlurmTime } from "../lib/cluster/slurm.ts";
import { UsageError } from "../lib/errors.ts";
import { inspectSavedRun, runGrid, validateTrainConfig } from "../lib/nn/mod.ts";
import { experiments } from "../lib/plot/registry.ts";
import { runScript } from "./run_script.ts";

interface PlanLine {
  figure: string;
  index: number;
  key: string;
  file: string;
  done: boolean;
  invalid?: string;
  settings: Record<string, unknown>;
  command: string;
}

const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  runScript(`scripts/${script}.ts`, args, env, { allowRun: true });

async function plan(args: string[]): Promise<PlanLine[]> {
  const { code, stdout, stderr } = await run("reproduce", ["--plan", ...args]);
  assert.equal(code, 0, stderr);
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** A result without its wall-clock fields (the only ones that differ between two runs). */
function withoutTimes(file: string): unknown {
  const saved = JSON.parse(Deno.readTextFileSync(file));
  delete saved.result.seconds;
  delete saved.result.epoch_seconds;
  return saved;
}

/** The run's `error:` line, asserting it is the only line on stderr and the exit code is 2. */
function oneLineUsageError(output: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(output.code, 2, output.stderr);
  const lines = output.stderr.trim().split("\n");
  assert.equal(lines.length, 1, output.stderr);
  assert.match(lines[0], pattern);
}

Deno.test("every script that runs a grid is registered with cells, and only those", async () => {
  for (const entry of experiments) {
    const source = await Deno.readTextFile(new URL(`../${entry.script}`, import.meta.url));
    const grid = /\brun(Experiment)?Grid\(/.test(source);
    assert.equal(entry.cells === true, grid, `${entry.id}: cells flag vs. ${entry.script}`);
  }
});

Deno.test("reproduce --plan: one JSON line per cell of every grid, default and --full", async () => {
  const runsDir = await Deno.makeTempDir({ prefix: "ufmlab-plan-" });
  try {
    const count = (lines: PlanLine[], id: string) => lines.filter((l) => l.figure === id).length;
    const reduced = await plan(["A6,B4,B6", "--runs-dir", runsDir]);
    // A6: 2 data sets × bias off/on × 2 seeds; B4: 4 losses × 4 widths × 3 budgets × 3 seeds + 4
    // ablation runs; B6: 4 losses × 3 widths × 3 budgets × 3 seeds.
    assert.deepEqual([count(reduced, "A6"), count(reduced, "B4"), count(reduced, "B6")], [
      8,
      148,
      108,
    ]);
    const full = await plan(["A6,B4,B6", "--full", "--runs-dir", runsDir]);
    // --full: 3 seeds; 4 budgets; 4 widths × 4 budgets and one CNN per loss.
    assert.deepEqual([count(full, "A6"), count(full, "B4"), count(full, "B6")], [12, 196, 196]);
    for (const lines of [reduced, full]) {
      for (const id of ["A6", "B4", "B6"]) {
        const cells = lines.filter((l) => l.figure === id);
        assert.deepEqual(cells.map((c) => c.index), cells.map((_, i) => i));
        assert.equal(new Set(cells.map((c) => c.key)).size, cells.length, `${id}: keys unique`);
        for (const cell of cells) {
          assert.equal(cell.done, false);
          assert.equal(dirname(cell.file), join(runsDir, id));
          assert.ok(basename(cell.file).endsWith(`-${cell.key}.json`));
          assert.equal(typeof cell.settings.loss, "string");
        }
      }
    }
    assert.match(
      full.find((l) => l.figure === "B4")!.command,
      new RegExp(
        `^npx deno task cell --figure B4 --key [0-9a-f]{16} --full --runs-dir ${runsDir}$`,
      ),
    );
    // Longest runs first: B4's first cell has the widest network and the longest budget.
    assert.deepEqual(
      [
        full[full.findIndex((l) => l.figure === "B4")].settings.width,
        full.find((l) => l.figure === "B4")!.settings.epochs,
      ],
      [512, 400],
    );
  } finally {
    await Deno.remove(runsDir, { recursive: true });
  }
});

Deno.test("cell: runs one cell, skips it the second time; a truncated file is redone", async () => {
  const runsDir = await Deno.makeTempDir({ prefix: "ufmlab-cells-" });
  try {
    const cells = await plan(["B4", "--quick", "--runs-dir", runsDir]);
    assert.equal(cells.length, 36); // 4 losses × 2 widths × 2 budgets × 2 seeds + 4
    const last = cells.at(-1)!; // the cheapest run
    const args = ["--figure", "B4", "--quick", "--runs-dir", runsDir];
    const first = await run("cell", [...args, "--index", String(last.index)]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^B4 cell 35 of 36 \\(key ${last.key}\\): computed in`));
    const text = await Deno.readTextFile(last.file);
    const mtime = (await Deno.stat(last.file)).mtime!.getTime();
    // The second time, by index or by key, the cell is skipped and its file left alone.
    for (const which of [["--index", "35"], ["--key", last.key]]) {
      const again = await run("cell", [...args, ...which]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /: already done, skipped → /);
      assert.equal(await Deno.readTextFile(last.file), text);
      assert.equal((await Deno.stat(last.file)).mtime!.getTime(), mtime);
    }
    const done = await plan(["B4", "--quick", "--runs-dir", runsDir]);
    assert.deepEqual(done.filter((c) => c.done).map((c) => c.index), [35]);

    // A writer killed mid-write leaves at most its temporary file (lib/io/atomic.ts): a partial
    // cell file beside the real one does not make that cell done.
    const other = cells[34];
    await Deno.writeTextFile(
      join(dirname(other.file), `.${basename(other.file)}.999.1.tmp`),
      text.slice(0, text.length / 2),
    );
    // A cell file truncated by hand (or a full disk) is reported, not counted, and redone.
    const before = withoutTimes(last.file);
    await Deno.writeTextFile(last.file, text.slice(0, Math.floor(text.length / 3)));
    const truncated = await plan(["B4", "--quick", "--runs-dir", runsDir]);
    assert.deepEqual(truncated.filter((c) => c.done), []);
    assert.match(truncated[35].invalid!, /^not complete JSON/);
    const redo = await run("cell", [...args, "--key", last.key]);
    assert.equal(redo.code, 0, redo.stderr);
    assert.match(redo.stderr, /saved file is unusable \(not complete JSON/);
    assert.match(redo.stdout, /computed in .* \(its unusable file was replaced: not complete JSON/);
    assert.deepEqual(withoutTimes(last.file), before, "the redone cell equals the first run");

    // --assemble trains nothing: the figure fails naming the missing cells.
    const assemble = await run("reproduce", [
      ...["--only", "B4", "--quick", "--assemble", "--runs-dir", runsDir],
    ], { UFMLAB_FIGURES_DIR: join(runsDir, "figures") });
    assert.equal(assemble.code, 1);
    assert.match(assemble.stderr, /B4: 35 of 36 cells are not done \(indices 0-34\)/);
  } finally {
    await Deno.remove(runsDir, { recursive: true });
  }
});

Deno.test("--submit slurm: array script of the unfinished cells, assembling job afterok", async () => {
  const root = await Deno.makeTempDir({ prefix: "ufmlab-sbatch-" });
  try {
    const runsDir = join(root, "runs");
    const figuresDir = join(root, "figures");
    const bin = join(root, "bin");
    await Deno.mkdir(bin);
    // A fake sbatch: records its arguments, answers --parsable with job ids 101, 102, ….
    const log = join(root, "sbatch.log");
    await Deno.writeTextFile(
      join(bin, "sbatch"),
      `#!/bin/bash\necho "$*" >> ${log}\necho $((100 + $(wc -l < ${log})))\n`,
    );
    await Deno.chmod(join(bin, "sbatch"), 0o755);
    const cells = await plan(["B4", "--quick", "--runs-dir", runsDir]);
    const cellArgs = ["--figure", "B4", "--quick", "--runs-dir", runsDir];
    const done = await run("cell", [...cellArgs, "--index", "35"]);
    assert.equal(done.code, 0, done.stderr);
    const env = { PATH: `${bin}:${Deno.env.get("PATH")}`, UFMLAB_FIGURES_DIR: figuresDir };
    const flags = [
      ...["--only", "B4", "--quick", "--submit", "slurm", "--runs-dir", runsDir],
      ...["--partition", "short", "--time", "0:30:00", "--max-parallel", "3"],
    ];
    // --dry-run prints both scripts and submits nothing.
    const dry = await run("reproduce", [...flags, "--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^#SBATCH --array=0-34%3$/m);
    await assert.rejects(Deno.stat(log), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(join(runsDir, "B4", "slurm")), Deno.errors.NotFound);

    const submitted = await run("reproduce", flags, env);
    assert.equal(submitted.code, 0, submitted.stderr);
    const slurm = join(runsDir, "B4", "slurm");
    const [arrayCall, assembleCall] = (await Deno.readTextFile(log)).trim().split("\n");
    assert.equal(arrayCall, `--parsable ${join(slurm, "cells.sbatch")}`);
    assert.equal(
      assembleCall,
      `--parsable --dependency=afterok:101 ${join(slurm, "assemble.sbatch")}`,
    );
    assert.match(
      submitted.stdout,
      /^B4: array job 101 runs 35 of 36 cells \(1 done earlier\); job 102/,
    );
    const record = JSON.parse(await Deno.readTextFile(join(slurm, "submitted.json")));
    assert.deepEqual([record.arrayJob, record.assembleJob], ["101", "102"]);
    assert.deepEqual(record.indices, cells.slice(0, 35).map((c) => c.index));
    const script = await Deno.readTextFile(join(slurm, "cells.sbatch"));
    assert.equal(script, dry.stdout.split(/^# ---- .* ----$/m)[1].trim() + "\n");
    for (
      const line of [
        "#SBATCH --array=0-34%3",
        "#SBATCH --partition=short",
        "#SBATCH --time=0:30:00",
        "#SBATCH --cpus-per-task=1",
        `#SBATCH --output=${join(slurm, "logs")}/cell-%a.%A.log`,
        `  [35]=${cells[35].key}`,
        `export UFMLAB_FIGURES_DIR=${figuresDir}`,
      ]
    ) assert.ok(script.split("\n").includes(line), `${line} in\n${script}`);
    const assembleScript = await Deno.readTextFile(join(slurm, "assemble.sbatch"));
    assert.match(assembleScript, /^#SBATCH --kill-on-invalid-dep=yes$/m);
    assert.match(assembleScript, /reproduce --only B4 --quick --assemble --runs-dir /);

    // The array script itself, as a task would run it: task 35 maps to its cell (done: skipped),
    // an index outside the grid is refused.
    const task = (id: string) =>
      new Deno.Command("bash", {
        args: [join(slurm, "cells.sbatch")],
        env: { SLURM_ARRAY_TASK_ID: id },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const skipped = await task("35");
    assert.equal(skipped.code, 0, new TextDecoder().decode(skipped.stderr));
    assert.match(new TextDecoder().decode(skipped.stdout), /B4 cell 35 of 36 .*already done/);
    const outside = await task("99");
    assert.equal(outside.code, 2);
    assert.match(new TextDecoder().decode(outside.stderr), /figure B4 has no cell 99/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("grids as cells: bad requests and flags are one-line errors with exit 2", async () => {
  const noSbatch = { PATH: "/nonexistent" };
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    [
      "reproduce",
      ["--plan", "A1"],
      /^error: A1 is not a grid: it has no cells \(figures with cells: A6, B4, B6, C2, D3\)$/,
    ],
    ["reproduce", ["--plan", "Z9"], /^error: unknown figure Z9 \(known: A1,/],
    [
      "reproduce",
      ["--only", "B4", "--submit", "slurm"],
      /^error: --submit slurm: sbatch is not on PATH/,
      noSbatch,
    ],
    ["reproduce", ["--only", "Z9", "--submit", "slurm"], /^error: unknown figure Z9/, noSbatch],
    ["reproduce", ["--only", "A1", "--submit", "slurm"], /^error: A1 is not a grid/, noSbatch],
    ["cell", ["--figure", "A1", "--index", "0"], /^error: A1 is not a grid/],
    [
      "cell",
      ["--figure", "B4", "--quick", "--index", "36"],
      /^error: --index 36: B4's grid has 36 cells \(0–35\)$/,
    ],
    [
      "cell",
      ["--figure", "B4", "--quick", "--key", "0123456789abcdef"],
      /^error: --key 0123456789abcdef: no cell of B4's grid/,
    ],
  ];
  for (const [script, args, pattern, env] of cases) {
    oneLineUsageError(await run(script, args, env), pattern);
  }
});

Deno.test("grids as cells: flag validation", async () => {
  const { main } = await import("../scripts/reproduce.ts");
  const rejects = (args: string[], pattern: RegExp) =>
    assert.rejects(
      main(args),
      (error: Error) => error instanceof UsageError && pattern.test(error.message),
      args.join(" "),
    );
  const submit = ["--only", "B4", "--submit", "slurm", "--dry-run"];
  await rejects(
    ["--only", "B4", "--submit", "pbs"],
    /^--submit: expected one of slurm, got 'pbs'$/,
  );
  await rejects(["--submit", "slurm"], /^--submit: name the grids with --only/);
  await rejects([...submit, "--time", "1:xx"], /^--time: expected minutes/);
  await rejects([...submit, "--time", "0:00"], /^--time: must be longer than 0/);
  await rejects([...submit, "--max-parallel", "0"], /^--max-parallel: must be ≥ 1, got 0$/);
  await rejects([...submit, "--cpus-per-task", "1.5"], /^--cpus-per-task: expected an integer/);
  await rejects([...submit, "--partition", "a b"], /^--partition: expected a partition name/);
  await rejects(
    ["--only", "B4", "--partition", "short"],
    /^--partition: only with --submit slurm$/,
  );
  await rejects(["--dry-run"], /^--dry-run: only with --submit slurm$/);
  await rejects(["--plan", "B4", "--only", "A1"], /^--plan: cannot be combined with --only$/);
  await rejects(["--plan", ""], /^--plan: no figure id given/);
  await rejects(["--full", "--quick"], /^--full and --quick exclude each other$/);
  assert.equal(parseSlurmTime("2-00"), "2-00");
  assert.equal(parseSlurmTime("90"), "90");
  assert.throws(() => parseCellRequest('{"mode":"cell","reply":"r"}'), /an index or a key/);
  assert.throws(() => parseCellRequest('{"mode":"cell","key":"xyz","reply":"r"}'), /16 hex/);
  assert.throws(() => selectCell({ index: 3 }, ["a", "b"], "F1"), /F1's grid has 2 cells/);
});

Deno.test("saved runs are validated on read; runGrid reports an unusable one and redoes it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-saved-" });
  try {
    const config = validateTrainConfig({
      loss: "ce",
      width: 16,
      depth: 1,
      n: 10,
      testPerClass: 5,
      epochs: 2,
    });
    const options = { cacheDir: dir, workers: 1, onProgress: () => {} };
    const [result] = await runGrid([config], options);
    const [name] = [...Deno.readDirSync(dir)].map((e) => e.name);
    const path = join(dir, name);
    assert.equal((await inspectSavedRun(path, config)).status, "done");
    const text = await Deno.readTextFile(path);
    const cases: [string, RegExp][] = [
      [text.slice(0, -20), /^not complete JSON/],
      ["", /^not complete JSON/],
      [
        text.replace(/"key":"\{\\"protocol\\":\d+/, '"key":"{\\"protocol\\":0'),
        /^saved for other settings$/,
      ],
      [
        JSON.stringify({ key: JSON.parse(text).key, result: { evals: [] } }),
        /^no complete result$/,
      ],
    ];
    for (const [content, reason] of cases) {
      await Deno.writeTextFile(path, content);
      const state = await inspectSavedRun(path, config);
      assert.equal(state.status, "invalid");
      assert.match((state as { reason: string }).reason, reason);
    }
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const [again] = await runGrid([config], options);
      assert.deepEqual(again.evals, result.evals);
    } finally {
      console.error = original;
    }
    assert.match(errors.join("\n"), /saved run .* is unusable \(no complete result\): recomputing/);
    assert.equal((await inspectSavedRun(path, config)).status, "done");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
