/**
 * Tests for the figure builders added for the short figure scripts (lib/plot: axes.ts, tidy.ts,
 * compose.ts, bars.ts, theoryOverlay and ruleChart in charts.ts, text_metrics.ts, the
 * filter-aware log check of validate.ts): what a rendered SVG shows (tick labels, marks, text),
 * that every spec compiles without Vega-Lite warnings, and the guards of the figure scripts
 * (every scripts/experiments/*.ts: no casts, ≤ 150 lines).
 */
import assert from "node:assert/strict";
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import {
  barChart,
  category,
  completeSpec,
  type FigureMeta,
  type FigureRow,
  type FigureSpec,
  hconcat,
  heatmap,
  layer,
  lineChart,
  POWER_OF_TEN_LABEL,
  powerOfTen,
  renderSvg,
  restartOutcomeBars,
  ruleChart,
  scatterChart,
  theoryOverlay,
  validateSpecAgainstRows,
  vconcat,
} from "../lib/plot/mod.ts";
import { loadFontMetrics } from "../lib/plot/text_metrics.ts";
import { vegaLiteWarnings } from "./vega_warnings.ts";

const meta: FigureMeta = { paper: "T", claim: "-", measured: "-", command: "-", seconds: 0 };

/** The complete spec as writeFigure writes it, and its SVG. */
async function render(spec: FigureSpec, rows: FigureRow[]): Promise<[TopLevelSpec, string]> {
  const full = completeSpec({ id: "T", title: "test figure", spec, rows, meta });
  const { svg, warnings } = await renderSvg(full);
  assert.deepEqual(warnings, [], "no Vega warnings");
  return [full, svg];
}

/** The text of every `<text>` element of an SVG, in order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

Deno.test("log axes are labelled 10ⁿ at every power of ten and nowhere else", async () => {
  const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ step: i, gap: 10 ** -i }));
  const [, svg] = await render(
    lineChart({ x: "step", y: "gap", logY: true, height: 400, yTitle: "gap" }),
    rows,
  );
  const labels = texts(svg);
  for (const exponent of [-9, -8, -5, -2, -1]) {
    assert.ok(labels.includes(powerOfTen(exponent)), `${powerOfTen(exponent)} labelled`);
  }
  assert.ok(!labels.some((text) => /^0\.0|e-/.test(text)), `no decimal/1e-n labels: ${labels}`);
});

Deno.test("the Vega label expression agrees with powerOfTen for exponents −99 … 99", () => {
  const generate = vega.codegenExpression({
    allowed: ["datum"],
    fieldvar: "datum",
    globalvar: (id: string) => `_[${JSON.stringify(id)}]`,
  });
  const label = new Function(
    "datum",
    "_",
    `return (${generate(vega.parseExpression(POWER_OF_TEN_LABEL)).code});`,
  ) as (datum: { value: number }, globals: object) => string;
  for (const exponent of [-99, -16, -10, -1, 0, 1, 9, 10, 42, 99]) {
    assert.equal(label({ value: 10 ** exponent }, {}), powerOfTen(exponent), `10^${exponent}`);
  }
  for (const value of [2e-3, 5, 0.3, 7e12]) assert.equal(label({ value }, {}), "", `${value}`);
});

Deno.test("category: machine keys next to labels, in order; bad keys and labels refused", () => {
  const bias = category("bias", { none: "bias-free", free: "unregularized bias" });
  assert.deepEqual(bias.cell("free"), { bias: "free", bias_label: "unregularized bias" });
  assert.deepEqual(bias.keys, ["none", "free"]);
  assert.deepEqual(bias.labels, ["bias-free", "unregularized bias"]);
  assert.throws(() => category("x", { "Not Key": "a" }), /machine key/);
  assert.throws(() => category("x", { a: "same", b: "same" }), /distinct/);
  assert.throws(() => bias.label("reg" as "none"), /unknown key 'reg'/);
});

Deno.test("a category as color/facet: plotted by label, in its order, headers untitled", () => {
  const metric = category("metric", { gap: "f − f*", nc1: "NC1" });
  const spec = JSON.parse(JSON.stringify(lineChart({
    x: "t",
    y: "value",
    color: metric,
    row: metric,
  })));
  assert.deepEqual(spec.facet.row, {
    field: "metric_label",
    type: "ordinal",
    title: null,
    sort: ["f − f*", "NC1"],
    header: { labelAngle: -90, labelLimit: 220 },
  });
  assert.equal(spec.spec.encoding.color.field, "metric_label");
  assert.equal(spec.spec.encoding.color.title, "metric");
  assert.deepEqual(spec.spec.encoding.color.sort, ["f − f*", "NC1"]);
});

Deno.test("theoryOverlay on tidy rows: lines from theory rows, points from solver rows, rules", async () => {
  const rows: FigureRow[] = [];
  for (const x of [1, 2, 3, 4]) rows.push({ x, source: "theory", value: x * x });
  for (const x of [1.5, 3.5]) rows.push({ x, source: "solver", value: x * x });
  rows.push({ x: 2.5, source: "threshold", value: null });
  const spec = theoryOverlay({ x: "x", rule: "threshold", width: 200, height: 100 });
  const [full, svg] = await render(spec, rows);
  assert.deepEqual(vegaLiteWarnings(full), []);
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 2, "two solver points");
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 1, "one curve");
  assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 1, "one rule");
});

Deno.test("compose: concatenations keep separate legends unless shared; layer owns size", () => {
  const a = scatterChart({ x: "x", y: "y", color: "c", width: 100 });
  const b = lineChart({ x: "x", y: "y", title: "dropped in a layer" });
  const side = JSON.parse(JSON.stringify(hconcat([a, b], { shared: ["color"], title: "t" })));
  assert.equal(side.hconcat.length, 2);
  assert.equal(side.resolve.scale.color, undefined);
  assert.equal(side.resolve.scale.shape, "independent");
  const stacked = JSON.parse(JSON.stringify(vconcat([a, b])));
  assert.equal(stacked.resolve.scale.color, "independent");
  const layered = JSON.parse(JSON.stringify(layer([a, b], { width: 300, column: "k" })));
  assert.equal(layered.spec.width, 300);
  for (const child of layered.spec.layer) {
    assert.ok(!("width" in child) && !("title" in child), "children lose size and title");
  }
  assert.throws(() => layer([lineChart({ x: "x", y: "y", facet: "k" })]), /cannot layer/);
  assert.throws(() => hconcat([]), /at least one panel/);
});

Deno.test("a composed figure with facets, layers and bars compiles without warnings", async () => {
  const rows: FigureRow[] = [];
  for (const k of ["a", "b"]) {
    for (const x of [1, 10, 100]) rows.push({ panel: "lines", k, x, value: 1 / x });
    rows.push({ panel: "rules", k, x: 5, value: null });
  }
  for (const outcome of ["global", "f_0", "global"]) rows.push({ panel: "bars", k: "a", outcome });
  const spec = vconcat([
    layer([
      lineChart({ x: "x", y: "value", logX: true, logY: true, filter: "datum.panel === 'lines'" }),
      ruleChart({ x: "x", filter: "datum.panel === 'rules'" }),
    ], { column: "k", width: 120, height: 80 }),
    restartOutcomeBars({ x: "k", filter: "datum.panel === 'bars'", ranks: 2, width: 120 }),
  ], { subtitle: ["two", "lines"] });
  const [full, svg] = await render(spec, rows);
  assert.deepEqual(vegaLiteWarnings(full), []);
  assert.ok(texts(svg).includes("10⁻²"));
});

Deno.test("restartOutcomeBars: one bar segment per outcome in the shared outcome colors", async () => {
  const rows: FigureRow[] = [
    ...Array.from({ length: 3 }, () => ({ kappa: 0.1, outcome: "global" })),
    { kappa: 0.1, outcome: "f_1" },
    { kappa: 0.4, outcome: "f_0" },
  ];
  const spec = restartOutcomeBars({ x: "kappa", xType: "ordinal", ranks: 2, height: 100 });
  const [, svg] = await render(spec, rows);
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 3);
  for (const color of ["#2ca02c", "#1f77b4", "#ff7f0e"]) assert.ok(svg.includes(color), color);
  const bars = JSON.parse(JSON.stringify(barChart({
    x: "loss",
    calculate: { hit: "datum.outcome === 'global' ? 1 : 0" },
    y: "hit",
    aggregate: "mean",
  })));
  assert.deepEqual(bars.transform, [{
    calculate: "datum.outcome === 'global' ? 1 : 0",
    as: "hit",
  }]);
  assert.throws(() => barChart({ x: "loss", aggregate: "mean" }), /needs a y field/);
});

Deno.test("heatmap: a colored cell and its printed value per grid cell", async () => {
  const rows: FigureRow[] = [];
  for (const width of [64, 128]) {
    for (const epochs of [10, 20]) rows.push({ width, epochs, gap: width / epochs / 10 });
  }
  const [, svg] = await render(heatmap({ x: "width", y: "epochs", value: "gap" }), rows);
  assert.equal((svg.match(/aria-roledescription="rect mark"/g) ?? []).length, 4);
  for (const text of ["0.64", "0.32", "1.28"]) assert.ok(texts(svg).includes(text), text);
});

Deno.test("log check: a shared value column may be ≤ 0 where no log panel draws it", () => {
  const rows: FigureRow[] = [
    { panel: "log", value: 1e-3 },
    { panel: "linear", value: -0.7 },
  ];
  const columns = ["panel", "value"];
  const spec = hconcat([
    lineChart({ x: "value", y: "value", logY: true, filter: "datum.panel === 'log'" }),
    lineChart({ x: "value", y: "value", filter: "datum.panel === 'linear'" }),
  ]);
  validateSpecAgainstRows(spec, rows, columns, "T");
  const leaky = hconcat([lineChart({ x: "value", y: "value", logY: true })]);
  assert.throws(() => validateSpecAgainstRows(leaky, rows, columns, "T"), /row 1 .* log scale/);
  // A filter that cannot be evaluated here keeps every row in the check.
  const opaque = lineChart({ x: "value", y: "value", logY: true, filter: "unknownFn(datum)" });
  assert.throws(() => validateSpecAgainstRows(opaque, rows, columns, "T"), /log scale/);
});

Deno.test("text is laid out in DejaVu Sans widths, not 0.8 em per character", async () => {
  const regular = await loadFontMetrics("DejaVuSans.ttf");
  assert.ok(regular !== null, "dejavu-fonts-ttf is installed (npm ci)");
  // Reference advance widths of DejaVu Sans (units per em 2048): "M" 1767, "i" 569, " " 651.
  assert.ok(Math.abs(regular.width("M", 2048) - 1767) < 1e-9);
  assert.ok(Math.abs(regular.width("i i", 2048) - (569 + 651 + 569)) < 1e-9);
  // A long title no longer widens the figure beyond its plot by the estimate.
  const title = "A title of one hundred characters, which Vega would estimate at 0.8 em each";
  const [, svg] = await render(
    scatterChart({ x: "x", y: "y", width: 400, height: 100, title }),
    [{ x: 0, y: 0 }],
  );
  const width = Number(svg.match(/^<svg[^>]*width="([\d.]+)"/)![1]);
  assert.ok(width < 0.8 * 12 * title.length, `svg width ${width}`);
});

/** A cast of a chart to a figure spec: `as unknown as …` or `as FigureSpec` (or a subtype). */
const SPEC_CAST = /\bas\s+unknown\s+as\b|\bas\s+(?:FigureSpec|TopLevelSpec)\b/;

/** The problems of an experiment script's text: longer than 150 lines, or a cast to a spec. */
function scriptProblems(name: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > 150) problems.push(`${name}: ${lines} lines (at most 150)`);
  if (SPEC_CAST.test(text)) problems.push(`${name} casts a spec: ${text.match(SPEC_CAST)![0]}`);
  return problems;
}

Deno.test("the script guard flags a long script and a cast, and passes a short declaration", () => {
  const short = "const a = 1;\n".repeat(150);
  assert.deepEqual(scriptProblems("ok", short), []);
  assert.deepEqual(scriptProblems("long", short + "const b = 2;\n"), [
    "long: 151 lines (at most 150)",
  ]);
  assert.deepEqual(scriptProblems("cast", "const spec = x as unknown as Y;\n"), [
    "cast casts a spec: as unknown as",
  ]);
  assert.equal(scriptProblems("cast", "writeFigure({ spec: s as FigureSpec });\n").length, 1);
  assert.deepEqual(scriptProblems("ok", "const rows = r as FigureRow[];\n"), []);
});

Deno.test("every experiment script: at most 150 lines, no cast to a figure spec", async () => {
  const dir = new URL("../scripts/experiments/", import.meta.url);
  const names = [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".ts"))
    .map((e) => e.name).sort();
  assert.ok(names.length >= 18, `only ${names.length} scripts found in ${dir.pathname}`);
  const problems: string[] = [];
  for (const name of names) {
    problems.push(...scriptProblems(name, await Deno.readTextFile(new URL(name, dir))));
  }
  assert.deepEqual(problems, []);
});
