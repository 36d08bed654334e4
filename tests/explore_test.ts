/**
 * The UFM explorer in Deno (lib/explore/): a run's messages against `solveUfm`, invalid
 * settings, the trace and geometry against the closed-form geometry, the form/URL logic, the
 * views compiled by Vega-Lite and rendered, and the browser bundle — built by `deno bundle` with
 * the single-threaded core — run in Deno against the same solve (bitwise: same engine).
 * The browser itself is tested in tests/browser/explore_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildExplorer, FORBIDDEN_IN_BUNDLE } from "../lib/explore/build.ts";
import {
  fieldApplies,
  flagOfMessage,
  formEntries,
  parseQuery,
  queryString,
} from "../lib/explore/form.ts";
import type { WorkerReply } from "../lib/explore/protocol.ts";
import { observationSchedule } from "../lib/explore/schedule.ts";
import {
  explorerConfig,
  type ExplorerMessage,
  explorerTable,
  runExplorer,
  type TraceRow,
} from "../lib/explore/session.ts";
import { answer } from "../lib/explore/worker.ts";
import { cosineSpec, exportSpec, projectionSpec, traceSpec } from "../lib/explore/views.ts";
import { renderSvg } from "../lib/plot/render_svg.ts";
import { FIGURE_CONFIG } from "../lib/plot/theme.ts";
import { solveUfm } from "../lib/ufm/solve.ts";

type Entries = [string, string][];

function run(entries: Entries): ExplorerMessage[] {
  const messages: ExplorerMessage[] = [];
  runExplorer(entries, (message) => messages.push(structuredClone(message)));
  return messages;
}

function done(messages: ExplorerMessage[]) {
  const last = messages.at(-1)!;
  assert.equal(last.type, "done", JSON.stringify(last).slice(0, 300));
  return last as Extract<ExplorerMessage, { type: "done" }>;
}

const mse: Entries = [["K", "4"], ["n", "5"], ["d", "8"], ["lambda-w", "0.1"], ["lambda-h", "0.2"]];

Deno.test("a run: the same solve as the command line's, observed on a log schedule", () => {
  const messages = run(mse);
  const final = done(messages);
  const config = explorerConfig(mse);
  // The command the page prints: --path full (auto would solve the class-reduced problem).
  assert.equal(
    final.command,
    "npx deno task solve --K 4 --n 5 --d 8 --lambda-w 0.1 --lambda-h 0.2 --path full",
  );
  const reference = solveUfm(config.resolved, { ...config.settings, path: "full" });
  assert.equal(final.report.objective, reference.objective); // observing changes nothing
  assert.equal(final.report.iterations, reference.iterations);
  assert.ok(Math.abs(final.report.objective - final.report.theory!.objective) < 1e-12);
  const start = messages[0];
  assert.equal(start.type, "start");
  if (start.type === "start") {
    assert.deepEqual(start.plotted, [
      "gap",
      "grad_norm",
      "nc1",
      "nc2_etf",
      "nc2_of",
      "nc3",
      "wmu_g_b",
    ]);
  }
  const rows = messages.flatMap((m) => m.type === "trace" ? m.rows : []) as TraceRow[];
  const iterations = [...new Set(rows.map((row) => row.iteration))];
  const schedule = observationSchedule(config.settings.iters, 16);
  assert.deepEqual(
    iterations.slice(0, -1),
    [...schedule].filter((t) => t < final.report.iterations),
  );
  assert.equal(iterations.at(-1), final.report.iterations); // the final state
  const last = rows.filter((row) => row.iteration === final.report.iterations);
  const value = (metric: string) => last.find((row) => row.metric === metric)!.value;
  assert.equal(value("objective"), final.report.objective);
  assert.equal(value("nc1"), final.report.metrics.nc1);
  assert.equal(value("nc3"), final.report.metrics.nc3);
  const geometry = messages.filter((m) => m.type === "geometry").at(-1)!;
  assert.equal(geometry.type === "geometry" && geometry.iteration, final.report.iterations);
});

Deno.test("geometry of the CE minimizer: a simplex ETF in the cosines and the projection", () => {
  const messages = run([["loss", "ce"], ["K", "4"], ["n", "3"], ["d", "6"]]);
  done(messages);
  const last = messages.filter((m) => m.type === "geometry").at(-1)!;
  assert.ok(last.type === "geometry");
  const { cosines, points, explained } = last.geometry;
  for (const cell of cosines) {
    const expected = cell.k === cell.l ? 1 : -1 / 3;
    if (cell.matrix !== "means") assert.ok(Math.abs(cell.cosine! - expected) < 1e-6, cell.matrix);
  }
  assert.ok(Math.abs(explained[0] + explained[1] + explained[2] - 1) < 1e-9);
  for (const point of points) {
    // A regular simplex: every centred vector has the same length (1 after scaling).
    assert.ok(Math.abs(Math.hypot(point.pc1, point.pc2, point.pc3) - 1) < 1e-6, point.set);
  }
});

Deno.test("invalid settings: one message naming the value, no run", () => {
  const single = (entries: Entries) => {
    const messages = run(entries);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].type, "invalid");
    return (messages[0] as { message: string }).message;
  };
  assert.equal(single([["K", "1"]]), "--K: must be ≥ 2, got 1");
  assert.equal(single([["lambda-w", "-1"]]), "--lambda-w: must be ≥ 0, got -1");
  assert.match(single([["model", "resnet"]]), /^--model: expected one of .*got 'resnet'$/);
  assert.match(single([["restarts", "8"]]), /^--restarts: the explorer runs one seed/);
  assert.match(single([["path", "reduced"]]), /^--path reduced: the explorer draws the iterates/);
  assert.equal(single([["run", "1"]]), "Unknown option '--run'"); // the page strips it first
});

Deno.test("a diverging run ends with the solver's message", () => {
  const messages = run([["optimizer", "gd"], ["lr", "1e6"], ["K", "3"], ["n", "2"], ["d", "4"]]);
  const last = messages.at(-1)!;
  assert.equal(last.type, "failed");
  assert.match((last as { message: string }).message, /diverged at iteration \d+.*--lr/);
});

Deno.test("the worker's answers: check, run", () => {
  const replies: WorkerReply[] = [];
  answer({ type: "check", entries: mse }, (reply) => replies.push(reply));
  assert.deepEqual(replies, [{
    type: "checked",
    message: null,
    command: "npx deno task solve --K 4 --n 5 --d 8 --lambda-w 0.1 --lambda-h 0.2 --path full",
  }]);
  replies.length = 0;
  answer({ type: "run", entries: [["K", "3"], ["n", "1"], ["d", "2"]] }, (r) => replies.push(r));
  assert.equal(replies.at(-1)!.type, "done");
});

Deno.test("form: URL query ↔ settings, fields per model, loss and optimizer", () => {
  const table = explorerTable();
  const flag = (name: string) => table.flags.find((entry) => entry.name === name)!;
  const { entries, run } = parseQuery("?model=sphere&tau=5&loss=ce&counts=5,3,2&run=1");
  assert.equal(run, true);
  assert.deepEqual(entries, [["model", "sphere"], ["tau", "5"], ["loss", "ce"], [
    "counts",
    "5,3,2",
  ]]);
  assert.equal(queryString(entries, true), "?model=sphere&tau=5&loss=ce&counts=5,3,2&run=1");
  assert.equal(queryString([]), "");
  const values = Object.fromEntries(entries);
  assert.equal(fieldApplies(flag("lambda-w"), values), false); // the sphere has no weight decay
  assert.equal(fieldApplies(flag("norm"), values), false);
  assert.equal(fieldApplies(flag("tau"), values), true);
  assert.equal(fieldApplies(flag("depth"), values), false);
  assert.equal(fieldApplies(flag("alpha"), { loss: "ls" }), true);
  assert.equal(fieldApplies(flag("lr"), {}), false); // L-BFGS needs no step size
  assert.equal(fieldApplies(flag("lr"), { dtype: "f32" }), true); // f32 defaults to nesterov
  assert.equal(fieldApplies(flag("lambda-w"), { model: "sphere", "lambda-w": "0.1" }), true);
  assert.deepEqual(formEntries(table, { ...values, "lambda-w": "", d: " 3 " }), [
    ["model", "sphere"],
    ["tau", "5"],
    ["loss", "ce"],
    ["counts", "5,3,2"],
    ["d", "3"],
  ]);
  assert.equal(flagOfMessage(table, "--lambda-w: must be ≥ 0, got -1"), "lambda-w");
  assert.equal(flagOfMessage(table, "Unknown option '--speed'"), null);
  assert.ok(!table.flags.some((entry) => ["restarts", "workers"].includes(entry.name)));
});

Deno.test("views: the live specs and the export compile and render with a run's rows", async () => {
  const messages = run([["loss", "ce"], ["K", "5"], ["n", "2"], ["d", "6"]]);
  const final = done(messages);
  const trace = messages.flatMap((m) => m.type === "trace" ? m.rows : []);
  const last = messages.filter((m) => m.type === "geometry").at(-1)!;
  const geometry = last.type === "geometry" ? last.geometry : null;
  const start = messages[0].type === "start" ? messages[0] : null;
  const spec = exportSpec({ trace, plotted: start!.plotted, geometry, title: final.command });
  const { svg, warnings } = await renderSvg(spec as never);
  assert.match(svg, /Neural collapse/);
  assert.match(svg, /Cosines between class means/);
  assert.deepEqual(warnings.filter((warning) => !/Conflicting legend property/.test(warning)), []);
  const datasets = spec.datasets as Record<string, unknown[]>;
  assert.equal(datasets.trace.length, trace.length);
  // The live specs on their own (data streamed later: here inlined as the page would insert it).
  for (
    const [live, rows] of [
      [traceSpec(), trace],
      [cosineSpec(5), geometry!.cosines],
      [projectionSpec(), geometry!.points],
    ] as const
  ) {
    const inline = { ...live, data: { values: rows }, config: FIGURE_CONFIG };
    await renderSvg(inline as never);
  }
});

Deno.test("the browser bundle, run in Deno, solves exactly as the library", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-explore-" });
  try {
    const { files, bytes } = await buildExplorer(dir, { builtAt: new Date(0), versions: {} });
    assert.ok(files.includes("explore.html"));
    const worker = await Deno.readTextFile(join(dir, "explore/worker.js"));
    for (const pattern of FORBIDDEN_IN_BUNDLE) assert.doesNotMatch(worker, pattern);
    assert.doesNotMatch(worker, /lib\/core\/threads\.ts|lib\/cli\.ts|lib\/core\/build\.ts/);
    assert.match(worker, /\/\/ lib\/explore\/core_source\.ts/); // the browser's core loader
    // The page script draws only: no core, no solver in it.
    const app = await Deno.readTextFile(join(dir, "explore/app.js"));
    assert.doesNotMatch(
      app,
      /WebAssembly\.(compile|instantiate|Memory)|lib\/core\/|lib\/ufm\/solve\.ts/,
    );
    assert.ok(
      bytes["explore/worker.js"] < 400_000,
      `worker bundle ${bytes["explore/worker.js"]} B`,
    );
    // The bundle fetches the single-threaded core from beside itself (a file: URL here).
    const bundle = await import(pathToFileURL(join(dir, "explore/worker.js")).href);
    const replies: WorkerReply[] = [];
    bundle.answer({ type: "run", entries: mse }, (reply: WorkerReply) => replies.push(reply));
    const last = replies.at(-1)!;
    assert.equal(last.type, "done");
    const library = done(run(mse));
    assert.equal(last.type === "done" && last.report.objective, library.report.objective);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
