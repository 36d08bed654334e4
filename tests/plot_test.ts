/**
 * Tests for lib/plot (figure output), lib/io/atomic.ts and the `deno task reproduce` runner.
 * Geometry is checked against the linear-scale formula, the CSV against an independent parser
 * (d3-dsv via `vega.read`), and the runner against fake experiment scripts in a temp dir.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { jsonText, writeJsonAtomic, writeTextFileAtomic } from "../lib/io/atomic.ts";
import {
  clampForLog,
  csvCell,
  FIGURE_TITLE_SIZE,
  type FigureMeta,
  type FigureMetaFile,
  type FigureRow,
  type FigureSpec,
  histogram,
  lineChart,
  renderSvg,
  rowsToCsv,
  scatterChart,
  theoryVsSolver,
  VEGA_LITE_SCHEMA,
  writeFigure,
} from "../lib/plot/mod.ts";
import { experiments } from "../lib/plot/registry.ts";
import { vegaLiteWarnings } from "./vega_warnings.ts";
import {
  formatSummaryTable,
  main as reproduceMain,
  type RunResult,
  selectExperiments,
} from "../scripts/reproduce.ts";
import { RunError, UsageError } from "../lib/errors.ts";

const meta: FigureMeta = {
  paper: "A",
  claim: "test claim",
  measured: "test quantity",
  command: "deno test",
  theoryErrors: { objective: 3e-12, nc1: 2e-9 },
  seconds: 0.25,
};

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** The `translate(x,y)` of every rendered point symbol, in data order. */
function pointPositions(svg: string): Array<[number, number]> {
  const pattern = /aria-roledescription="point" transform="translate\(([-\d.e]+),([-\d.e]+)\)"/g;
  return [...svg.matchAll(pattern)].map((m) => [Number(m[1]), Number(m[2])]);
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

Deno.test("writeFigure: a scatter lands on the pixels of the linear-scale formula", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "ufmlab_plot_" });
  try {
    // x, y in [0, 10] with a fixed domain: pixel x = 20·x (width 200), y = 100 − 10·y.
    const rows: FigureRow[] = [0, 1.5, 2.5, 4, 7.25, 10].map((x, i) => ({
      x,
      y: (3 * i + 1) % 11,
      group: i % 2 === 0 ? "even" : "odd",
    }));
    const spec = scatterChart({
      x: "x",
      y: "y",
      xDomain: [0, 10],
      yDomain: [0, 10],
      width: 200,
      height: 100,
    });
    const files = await writeFigure({ id: "T1", title: "scatter", spec, rows, meta }, {
      outDir,
      quiet: true,
    });
    assert.deepEqual(await listDir(outDir), ["T1.csv", "T1.meta.json", "T1.svg", "T1.vl.json"]);
    assert.equal(files.svg, join(outDir, "T1.svg"));
    assert.deepEqual(files.warnings, []);

    const svg = await Deno.readTextFile(files.svg);
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\s*$/);
    assert.equal(countOf(svg, "<g"), countOf(svg, "</g>"), "balanced <g> groups");
    assert.match(svg, /font-family="DejaVu Sans, Helvetica, Arial, sans-serif"/);
    const points = pointPositions(svg);
    assert.equal(points.length, rows.length);
    points.forEach(([px, py], i) => {
      assert.ok(Math.abs(px - 20 * (rows[i].x as number)) < 1e-9, `x pixel of row ${i}`);
      assert.ok(Math.abs(py - (100 - 10 * (rows[i].y as number))) < 1e-9, `y pixel of row ${i}`);
    });

    const metaFile = JSON.parse(await Deno.readTextFile(files.meta)) as FigureMetaFile;
    assert.equal(metaFile.id, "T1");
    assert.equal(metaFile.maxTheoryError, 2e-9, "defaults to the largest theory error");
    assert.equal(metaFile.rowCount, rows.length);
    assert.deepEqual(metaFile.columns, ["x", "y", "group"]);
    assert.deepEqual(metaFile.theoryErrors, meta.theoryErrors);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("writeFigure: the .vl.json is a complete spec that compiles without warnings", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "ufmlab_plot_" });
  try {
    const rows: FigureRow[] = [1, 2, 3].map((step) => ({ step, loss: 1 / step, run: "gd" }));
    const files = await writeFigure({
      id: "T2",
      title: "Loss",
      spec: lineChart({ x: "step", y: "loss", color: "run", logY: true }),
      rows,
      meta,
    }, { outDir, quiet: true });
    const written = JSON.parse(await Deno.readTextFile(files.spec));
    assert.equal(written.$schema, VEGA_LITE_SCHEMA);
    assert.deepEqual(written.title, { text: "Loss", fontSize: FIGURE_TITLE_SIZE });
    assert.deepEqual(written.data, { values: rows });
    assert.deepEqual(
      Object.getOwnPropertySymbols(rows[0]),
      [],
      "caller's rows not mutated by vega",
    );
    assert.deepEqual(vegaLiteWarnings(written), []);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("CSV: round-trips through an independent parser (d3-dsv)", () => {
  const rows: FigureRow[] = [
    { step: 0, value: 0.1 + 0.2, label: "plain", ok: true },
    { step: 1, value: 1e-300, label: 'comma, "quote"', ok: false },
    { step: 2, value: -123456789.98765433, label: "line\nbreak", extra: null },
    { step: 3, value: 5e-324, label: "" },
  ];
  const csv = rowsToCsv(rows);
  assert.equal(csv.split("\n")[0], "step,value,label,ok,extra", "union of keys, first-seen order");
  const parsed = vega.read(csv, { type: "csv" }) as Array<Record<string, string>>;
  assert.equal(parsed.length, rows.length);
  parsed.forEach((cells, i) => {
    for (const column of ["step", "value", "label", "ok", "extra"]) {
      const original = rows[i][column];
      if (typeof original === "number") {
        assert.equal(Number(cells[column]), original, `row ${i} ${column}: full precision`);
      } else if (original === null || original === undefined) {
        assert.equal(cells[column], "", `row ${i} ${column}: null/missing → empty`);
      } else {
        assert.equal(cells[column], String(original), `row ${i} ${column}`);
      }
    }
  });
  // Empty string and null are distinguishable in the text even though d3 reads both as "".
  assert.equal(csvCell(""), '""');
  assert.equal(csvCell(null), "");
});

Deno.test("writeFigure: rejects NaN/Infinity naming row and field, and writes nothing", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "ufmlab_plot_" });
  try {
    const spec = scatterChart({ x: "x", y: "y" });
    for (const bad of [NaN, Infinity, -Infinity]) {
      const rows: FigureRow[] = [{ x: 0, y: 1 }, { x: 1, y: bad }];
      await assert.rejects(
        writeFigure({ id: "T3", title: "t", spec, rows, meta }, { outDir, quiet: true }),
        (error: Error) => /row 1 field 'y' is (NaN|Infinity|-Infinity)/.test(error.message),
      );
    }
    // null is a gap, not an error.
    await writeFigure({
      id: "T3",
      title: "t",
      spec,
      rows: [{ x: 0, y: 1 }, { x: 1, y: null }],
      meta,
    }, { outDir: join(outDir, "ok"), quiet: true });
    assert.deepEqual(await listDir(outDir), ["ok"]);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("writeFigure: rejects bad ids, empty rows, log(≤0), unknown fields, inline data", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "ufmlab_plot_" });
  try {
    const spec = scatterChart({ x: "x", y: "y" });
    const rows: FigureRow[] = [{ x: 1, y: 2 }];
    const attempt = (figure: Partial<Parameters<typeof writeFigure>[0]>) =>
      writeFigure({ id: "T4", title: "t", spec, rows, meta, ...figure }, { outDir, quiet: true });
    for (const id of ["", "../A1", "a b", "A1.svg", "Ä"]) {
      await assert.rejects(attempt({ id }), /figure id must match/);
    }
    await assert.rejects(attempt({ rows: [] }), /non-empty/);
    await assert.rejects(
      attempt({ spec: lineChart({ x: "x", y: "y", logY: true }), rows: [{ x: 1, y: 0 }] }),
      /row 0 field 'y' is 0 on a log scale/,
    );
    await assert.rejects(attempt({ spec: scatterChart({ x: "x", y: "why" }) }), /field 'why'/);
    await assert.rejects(
      attempt({ spec: { ...spec, data: { values: [] } } as unknown as FigureSpec }),
      /must not contain data/,
    );
    await assert.rejects(attempt({ meta: { ...meta, theoryErrors: { f: NaN } } }), /theoryErrors/);
    await assert.rejects(attempt({ meta: { ...meta, parameters: { lr: NaN } } }), /parameters\.lr/);
    assert.deepEqual(await listDir(outDir), [], "nothing written on failure");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("clampForLog: floors zeros and rounding negatives, keeps null", () => {
  assert.equal(clampForLog(0), 1e-16);
  assert.equal(clampForLog(-1e-18, 1e-12), 1e-12);
  assert.equal(clampForLog(0.5, 1e-12), 0.5);
  assert.equal(clampForLog(null), null);
  assert.throws(() => clampForLog(1, 0), RangeError);
});

Deno.test("chart builders: faceted lines, theory vs solver, histogram render as specified", async () => {
  // 2 panels (K) × 2 series (lambda) × 5 steps.
  const lineRows: FigureRow[] = [];
  for (const K of [4, 10]) {
    for (const lambda of [0.1, 1]) {
      for (let step = 0; step < 5; step++) {
        lineRows.push({ step, gap: K * Math.exp(-lambda * step), lambda, K });
      }
    }
  }
  const lines = lineChart({
    x: "step",
    y: "gap",
    color: "lambda",
    column: "K",
    independentY: true,
    logY: true,
  }) as Record<string, unknown>;
  assert.deepEqual(lines.resolve, { scale: { y: "independent" } });
  const lineSpec = { ...lines, data: { values: lineRows } } as TopLevelSpec;
  assert.deepEqual(vegaLiteWarnings(lineSpec), []);
  const lineSvg = (await renderSvg(lineSpec)).svg;
  assert.equal(
    countOf(lineSvg, 'aria-roledescription="line mark"'),
    4,
    "one path per panel×series",
  );
  // Independent y: each panel gets its own axis, spanning its own data (max 4 vs max 10).
  const yAxes = [...lineSvg.matchAll(/aria-label="(Y-axis[^"]*)"/g)].map((m) => m[1]);
  assert.equal(yAxes.length, 2);
  assert.notEqual(yAxes[0], yAxes[1]);

  // A filtered, wrapped facet with a fixed panel order, fixed colours and dashes: only the rows
  // of its kind are drawn (2 panels × 2 colours × 2 dashes = 8 lines; the 'other' rows none).
  const facetRows: FigureRow[] = [];
  for (const kind of ["nc", "other"]) {
    for (const panel of ["b panel", "a panel"]) {
      for (const loss of ["CE", "MSE"]) {
        for (const protocol of ["plain", "B4"]) {
          for (let epoch = 1; epoch <= 3; epoch++) {
            facetRows.push({ kind, panel, loss, protocol, epoch, value: epoch });
          }
        }
      }
    }
  }
  const faceted = lineChart({
    filter: "datum.kind === 'nc'",
    x: "epoch",
    y: "value",
    facet: "panel",
    facetTitle: null,
    facetSort: ["b panel", "a panel"],
    color: "loss",
    colorScale: { domain: ["CE", "MSE"], range: ["#1f77b4", "#17becf"] },
    strokeDash: "protocol",
    strokeDashSort: ["B4", "plain"],
    points: 10,
  }) as Record<string, unknown>;
  assert.deepEqual(faceted.transform, [{ filter: "datum.kind === 'nc'" }]);
  assert.deepEqual(faceted.facet, {
    field: "panel",
    type: "ordinal",
    title: null,
    sort: ["b panel", "a panel"],
  });
  const facetedSpec = { ...faceted, data: { values: facetRows } } as TopLevelSpec;
  assert.deepEqual(vegaLiteWarnings(facetedSpec), []);
  const facetedSvg = (await renderSvg(facetedSpec)).svg;
  assert.equal(countOf(facetedSvg, 'aria-roledescription="line mark"'), 8);
  assert.match(facetedSvg, /stroke="#17becf"/);
  // Panel order follows facetSort: "b panel" is drawn first.
  assert.ok(facetedSvg.indexOf("b panel") < facetedSvg.indexOf("a panel"));

  const tvsRows: FigureRow[] = [0.5, 1, 2].map((x) => ({ x, theory: x * x, solver: x * x + 1e-9 }));
  const tvs = theoryVsSolver({ x: "x", theoryField: "theory", solverField: "solver" });
  const tvsSpec = { ...tvs, data: { values: tvsRows } } as TopLevelSpec;
  assert.deepEqual(vegaLiteWarnings(tvsSpec), []);
  const tvsSvg = (await renderSvg(tvsSpec)).svg;
  assert.equal(countOf(tvsSvg, 'aria-roledescription="line mark"'), 1);
  assert.equal(pointPositions(tvsSvg).length, tvsRows.length);

  // 3 values in bins of width 1 on [0, 3): counts 2 and 1 → two bars, plus a reference rule.
  const histRows: FigureRow[] = [{ v: 0.2 }, { v: 0.7 }, { v: 2.5 }];
  const hist = histogram({ field: "v", step: 1, extent: [0, 3], reference: 1.5 });
  const histSpec = { ...hist, data: { values: histRows } } as TopLevelSpec;
  assert.deepEqual(vegaLiteWarnings(histSpec), []);
  const histSvg = (await renderSvg(histSpec)).svg;
  assert.equal(countOf(histSvg, 'aria-roledescription="bar"'), 2);
  assert.match(histSvg, /aria-roledescription="rule mark container"/);
});

Deno.test("atomic writes: create dirs, replace content, leave no temp files, reject NaN", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab_atomic_" });
  try {
    const path = join(dir, "a", "b", "out.json");
    await writeJsonAtomic(path, { x: 1 });
    await writeJsonAtomic(path, { x: [2, null] });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { x: [2, null] });
    await writeTextFileAtomic(join(dir, "a", "t.txt"), "hello");
    assert.equal(await Deno.readTextFile(join(dir, "a", "t.txt")), "hello");
    assert.deepEqual(await listDir(join(dir, "a", "b")), ["out.json"]);
    await assert.rejects(writeJsonAtomic(path, { x: [1, NaN] }), /\$\.x\[1\] is NaN/);
    assert.throws(() => jsonText({ y: -Infinity }), /\$\.y is -Infinity/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { x: [2, null] }, "old file kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reproduce: registry is well-formed; --only selects in registry order", () => {
  assert.deepEqual(experiments.map((entry) => entry.id).slice(0, 2), ["A1", "A2"]);
  for (const entry of experiments) {
    assert.match(entry.id, /^[A-Za-z0-9_-]+$/);
    assert.match(entry.script, /^scripts\/experiments\/\w+\.ts$/);
  }
  assert.deepEqual(selectExperiments(experiments, "A2,A1").map((entry) => entry.id), ["A1", "A2"]);
  assert.throws(() => selectExperiments(experiments, "A1,Z9"), UsageError);
});

Deno.test("reproduce: runs every script, reads meta, reports failures, writes summary", async () => {
  const root = await Deno.makeTempDir({ prefix: "ufmlab_repro_" });
  const figuresDir = join(root, "figures");
  const plotModule = new URL("../lib/plot/mod.ts", import.meta.url).href;
  try {
    // The fake repo borrows this repo's config and node_modules (vega is a bare import).
    const realRoot = new URL("../", import.meta.url);
    await Deno.copyFile(new URL("deno.json", realRoot), join(root, "deno.json"));
    await Deno.copyFile(new URL("package.json", realRoot), join(root, "package.json"));
    await Deno.symlink(new URL("node_modules", realRoot).pathname, join(root, "node_modules"));
    // A real figure through writeFigure (the directory comes from UFMLAB_FIGURES_DIR).
    await Deno.writeTextFile(
      join(root, "good.ts"),
      `import { scatterChart, writeFigure } from "${plotModule}";
console.log("progress on stdout");
await writeFigure({ id: "G1", title: "good", spec: scatterChart({ x: "x", y: "y" }),
  rows: [{ x: 1, y: 2 }], meta: { paper: "A", claim: "c", measured: "m", command: "c",
  theoryErrors: { f: 4e-13 }, seconds: 0.5 } });\n`,
    );
    await Deno.writeTextFile(join(root, "crash.ts"), `throw new Error("boom");\n`);
    await Deno.writeTextFile(join(root, "silent.ts"), `console.error("did nothing");\n`);
    const registry = [
      { id: "G1", script: "good.ts", description: "writes its figure" },
      { id: "C1", script: "crash.ts", description: "throws" },
      { id: "S1", script: "silent.ts", description: "exits 0 without meta" },
      { id: "M1", script: "missing.ts", description: "no such file" },
    ];
    const options = { repoRoot: root, figuresDir };
    let error: unknown;
    try {
      await reproduceMain([], registry, options);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof RunError, "exit 1 when any script failed");
    assert.match(error.message, /3 of 4 .*C1 .*S1 .*M1/);

    const summary = JSON.parse(await Deno.readTextFile(join(figuresDir, "summary.json"))) as {
      results: RunResult[];
    };
    const byId = Object.fromEntries(summary.results.map((result) => [result.id, result]));
    assert.deepEqual(summary.results.map((result) => result.id), ["G1", "C1", "S1", "M1"]);
    assert.equal(byId.G1.status, "ok");
    assert.equal(byId.G1.maxTheoryError, 4e-13);
    assert.equal(byId.G1.seconds, 0.5);
    assert.equal(byId.C1.status, "failed");
    assert.equal(byId.C1.exitCode, 1);
    assert.equal(byId.S1.status, "no-meta");
    assert.equal(byId.M1.status, "missing-script");
    const table = formatSummaryTable(summary.results);
    assert.match(table, /^G1 +4\.00e-13 +0\.50 +ok$/m);
    assert.match(table, /^C1 +- .*FAILED/m);

    // A stale meta from the previous run does not make a later silent run look successful.
    await Deno.writeTextFile(join(root, "good.ts"), `console.error("now silent");\n`);
    await assert.rejects(reproduceMain(["--only", "G1"], registry, options), RunError);
    const rerun = JSON.parse(await Deno.readTextFile(join(figuresDir, "summary.json"))) as {
      only: string;
      results: RunResult[];
    };
    assert.equal(rerun.only, "G1");
    assert.equal(rerun.results.length, 1);
    assert.equal(rerun.results[0].status, "no-meta");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
