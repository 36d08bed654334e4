/**
 * Fast tests of the figure site (lib/site, scripts/site.ts): escaping, relative links, meta
 * parsing, the theory table, a full build from figures written by `writeFigure` into a temp dir
 * (every figure gets a section, links resolve to files of the folder, hostile meta text stays
 * text, a missing figure is reported), PNG export with the bundled font, and the static server's
 * refusal to leave its root. The browser check is tests/browser/site_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runScript } from "./run_script.ts";
import { type FigureMeta, lineChart, writeFigure } from "../lib/plot/mod.ts";
import {
  assignPageNames,
  buildSite,
  contentTypeFor,
  createPngRenderer,
  createStaticHandler,
  escapeHtml,
  formatError,
  NoFiguresError,
  paperFromId,
  parseSiteMeta,
  relativeHref,
  theoryTableHtml,
  VENDOR_FILES,
} from "../lib/site/mod.ts";

Deno.test("escapeHtml escapes the five HTML metacharacters and nothing else", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  assert.equal(escapeHtml("‖h̄_k‖² → 0, λ_W"), "‖h̄_k‖² → 0, λ_W");
});

Deno.test("relativeHref encodes segments and refuses anything that is not relative", () => {
  assert.equal(relativeHref("vendor/vega.min.js"), "vendor/vega.min.js");
  assert.equal(relativeHref("A 1.csv"), "A%201.csv");
  assert.equal(relativeHref("paper-a.html#A1"), "paper-a.html#A1");
  assert.equal(relativeHref("x.html#a b"), "x.html#a%20b");
  for (
    const bad of ["/abs.html", "../up.html", "a/../b", "http://host/x", "//host/x", "a\\b", ""]
  ) {
    assert.throws(() => relativeHref(bad), /not a relative site path/, bad);
  }
});

Deno.test("paper page names are distinct per key; unknown ids fall back to their letters", () => {
  const names = assignPageNames(["A", "a", "B", "α", "A"]);
  assert.deepEqual([...names.entries()], [
    ["A", "paper-a.html"],
    ["a", "paper-a-2.html"],
    ["B", "paper-b.html"],
    ["α", "paper-other.html"],
  ]);
  assert.equal(paperFromId("B12"), "B");
  assert.equal(paperFromId("7x"), "other");
});

const validMeta = {
  id: "A1",
  title: "t",
  paper: "A",
  claim: "c",
  measured: "m",
  command: "npx deno task reproduce --only A1",
  theoryErrors: { objective: 1e-9 },
  maxTheoryError: 1e-9,
  seconds: 1,
  files: { spec: "A1.vl.json", svg: "A1.svg", csv: "A1.csv" },
};

Deno.test("parseSiteMeta reads a meta file and rejects what the site cannot show safely", () => {
  const meta = parseSiteMeta(JSON.stringify(validMeta), "A1");
  assert.equal(meta.claim, "c");
  assert.deepEqual(meta.theoryErrors, { objective: 1e-9 });
  assert.equal(meta.parameters, null);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ id: "A2" }, /"id" is "A2", expected "A1"/],
    [{ claim: "" }, /"claim" must be a non-empty string/],
    [{ measured: undefined }, /"measured"/],
    [{ theoryErrors: { objective: "NaN" } }, /theoryErrors.objective must be a finite number/],
    [{ files: { csv: "../../etc/passwd" } }, /files.csv must be a plain file name/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(() => parseSiteMeta(JSON.stringify({ ...validMeta, ...patch }), "A1"), message);
  }
  assert.throws(() => parseSiteMeta("{", "A1"), SyntaxError);
});

Deno.test("theory table: one row per named error, headline marked, note without theory", () => {
  const html = theoryTableHtml({
    theoryErrors: { objective: 2.5469e-7, final_nc_distance: 2.2e-4, "<b>": 0 },
    maxTheoryError: 2.5469e-7,
  });
  assert.match(html, /<tr class="headline"><th scope="row">objective<\/th><td>2\.55e-7<\/td>/);
  assert.match(html, /<tr><th scope="row">final nc distance<\/th><td>2\.20e-4<\/td>/);
  assert.match(html, /&lt;b&gt;<\/th><td>0<\/td>/);
  assert.equal((html.match(/<tr/g) ?? []).length, 4); // header + 3 rows
  const explicit = theoryTableHtml({ theoryErrors: {}, maxTheoryError: 3e-5 });
  assert.match(explicit, /headline<\/th><td>3\.00e-5/);
  assert.match(theoryTableHtml({ theoryErrors: {}, maxTheoryError: null }), /No closed form/);
  assert.equal(formatError(0), "0");
});

const HOSTILE = `<script>alert("x")</script> & 'λ'`;

async function writeFixtureFigure(dir: string, id: string, meta: Partial<FigureMeta>) {
  const rows = [1, 2, 3].map((step) => ({ step, value: 1 / step }));
  await writeFigure({
    id,
    title: `${id} · fixture figure`,
    spec: lineChart({ x: "step", y: "value" }),
    rows,
    meta: {
      paper: "A",
      claim: `claim of ${id}`,
      measured: `measured for ${id}`,
      command: `npx deno task reproduce --only ${id}`,
      seconds: 0.5,
      ...meta,
    },
  }, { outDir: dir, quiet: true });
}

/** Every `href="…"` / `src="…"` value of an HTML page, entity-decoded. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((match) =>
    match[1].replaceAll("&amp;", "&")
  );
}

Deno.test("buildSite: a section per figure, relative links to files that exist, safe text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-site-" });
  try {
    await writeFixtureFigure(dir, "A1", { theoryErrors: { objective: 3e-12 } });
    await writeFixtureFigure(dir, "A2", { claim: HOSTILE });
    await writeFixtureFigure(dir, "Q1", { paper: "Q" }); // not in the registry, unknown paper
    await Deno.writeTextFile(join(dir, "paper-stale.html"), "old");
    const registry = [
      { id: "A1", description: "first" },
      { id: "A2", description: "second" },
      { id: "A9", description: "registered, never built" },
    ];
    const result = await buildSite({
      figuresDir: dir,
      registry,
      builtAt: new Date("2026-01-02T03:04:05Z"),
    });

    assert.deepEqual(result.pages, ["index.html", "paper-a.html", "paper-q.html"]);
    assert.deepEqual(result.figures.map((figure) => figure.id), ["A1", "A2", "A9", "Q1"]);
    assert.deepEqual(result.pngs, ["A1.png", "A2.png", "Q1.png"]);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /A9: listed in the registry but .*A9\.meta\.json is missing/);
    await assert.rejects(Deno.stat(join(dir, "paper-stale.html")), Deno.errors.NotFound);

    const pages = new Map<string, string>();
    for (const page of result.pages) pages.set(page, await Deno.readTextFile(join(dir, page)));
    const paperA = pages.get("paper-a.html")!;
    const paperQ = pages.get("paper-q.html")!;
    const index = pages.get("index.html")!;

    // Every figure has exactly one section, on its paper's page.
    for (const [page, ids] of [["paper-a.html", ["A1", "A2", "A9"]], ["paper-q.html", ["Q1"]]]) {
      const sections = [...pages.get(page as string)!.matchAll(/data-figure-id="([^"]+)"/g)]
        .map((match) => match[1]);
      assert.deepEqual(sections, ids, page as string);
    }
    assert.match(paperA, /Tirer &amp; Bruna 2022/);
    assert.match(paperQ, /<h1>Paper Q<\/h1>/);
    assert.match(paperA, /data-figure-id="A1" data-spec="A1\.vl\.json"/);
    assert.match(paperA, /data-figure-id="A9" data-missing="true"/);
    assert.match(paperA, /not built yet: A9\.meta\.json is missing/);
    assert.match(index, /1 figure is not available/);
    assert.match(paperA, /claim of A1/);
    assert.match(paperA, /measured for A1/);
    assert.match(paperA, /<code>npx deno task reproduce --only A1<\/code>/);
    assert.match(paperA, /objective<\/th><td>3\.00e-12/);
    assert.match(paperA, /No closed form/); // A2 has no theory errors

    // Meta text is text: the hostile claim never becomes markup.
    assert.ok(!paperA.includes("<script>alert"), "unescaped claim");
    assert.ok(paperA.includes(escapeHtml(HOSTILE)));

    // Only relative references, each to a file that the folder contains.
    for (const [page, html] of pages) {
      assert.ok(!/https?:\/\//.test(html), `${page} mentions an absolute URL`);
      for (const reference of references(html)) {
        assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(reference), `${page}: ${reference} has a scheme`);
        assert.ok(!reference.startsWith("/"), `${page}: ${reference} is absolute`);
        const file = decodeURIComponent(reference.split("#")[0]);
        await Deno.stat(join(dir, file)).catch(() => assert.fail(`${page}: ${reference} is dead`));
      }
    }
    for (const file of VENDOR_FILES.filter((file) => !file.optional)) {
      assert.ok((await Deno.stat(join(dir, "vendor", file.to))).size > 0, file.to);
    }

    // The PNG is the SVG at twice its size.
    const svg = await Deno.readTextFile(join(dir, "A1.svg"));
    const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    const png = await Deno.readFile(join(dir, "A1.png"));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assert.equal(new DataView(png.buffer).getUint32(16), 2 * svgWidth);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildSite copies the docs into docs/ and links each figure to its section", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-site-" });
  try {
    const docsDir = join(dir, "repo-docs");
    await Deno.mkdir(docsDir);
    await Deno.writeTextFile(
      join(docsDir, "experiments.md"),
      `# Experiments\n\n<a id="a1"></a>\n\n### A1 ${HOSTILE}\n\nTheory: [f*](ufm-mse.md#mse-bias-free).\n`,
    );
    await Deno.writeTextFile(
      join(docsDir, "ufm-mse.md"),
      '<a id="mse-bias-free"></a>\n\nf* = c − c²/2\n',
    );
    const figuresDir = join(dir, "figures");
    await writeFixtureFigure(figuresDir, "A1", {});
    await writeFixtureFigure(figuresDir, "A2", {});
    const gone = ["docs/experiments.md", "gone"].join("#"); // kept out of the citation scan
    const result = await buildSite({
      figuresDir,
      docsDir,
      png: false,
      registry: [
        { id: "A1", description: "first", docs: "docs/experiments.md#a1" },
        { id: "A2", description: "second", docs: gone },
        { id: "A9", description: "never built", docs: "docs/ufm-mse.md#mse-bias-free" },
      ],
    });
    assert.deepEqual(result.figures.map((figure) => figure.docsHref), [
      "docs/experiments.html#a1",
      null,
      "docs/ufm-mse.html#mse-bias-free",
    ]);
    assert.ok(
      result.warnings.some((warning) => /A2: docs section .*#gone is not in/.test(warning)),
    );

    const paperA = await Deno.readTextFile(join(figuresDir, "paper-a.html"));
    const section = (id: string) =>
      paperA.split(`data-figure-id="${id}"`)[1].split("</section>")[0];
    assert.match(
      section("A1"),
      /<a href="docs\/experiments\.html#a1"><code>docs\/experiments\.md#a1/,
    );
    assert.doesNotMatch(section("A2"), /docs-link/); // a dead section is not linked
    assert.match(section("A9"), /href="docs\/ufm-mse\.html#mse-bias-free"/); // missing figures too

    // The copies: anchors live, links between pages live, the text stays text.
    const experiments = await Deno.readTextFile(join(figuresDir, "docs", "experiments.html"));
    assert.match(experiments, /<a id="a1"><\/a>/);
    assert.match(
      experiments,
      /\[f\*\]\(<a href="ufm-mse\.html#mse-bias-free">ufm-mse\.md#mse-bias-free<\/a>\)/,
    );
    assert.ok(!experiments.includes("<script>alert") && experiments.includes(escapeHtml(HOSTILE)));
    const target = await Deno.readTextFile(join(figuresDir, "docs", "ufm-mse.html"));
    assert.match(target, /<a id="mse-bias-free"><\/a>/);
    for (const reference of references(experiments)) {
      const file = join(figuresDir, "docs", decodeURIComponent(reference.split("#")[0]));
      await Deno.stat(file).catch(() => assert.fail(`docs/experiments.html: ${reference} is dead`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildSite refuses to build an empty site", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-site-" });
  try {
    await assert.rejects(
      buildSite({ figuresDir: dir, registry: [{ id: "A1", description: "" }], png: false }),
      NoFiguresError,
    );
    await assert.rejects(
      buildSite({ figuresDir: join(dir, "absent"), registry: [], png: false }),
      NoFiguresError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task site exits 2 with a clear message when no figure exists", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-site-" });
  try {
    const { code, stderr } = await runScript("scripts/site.ts", ["--skip-png"], {
      UFMLAB_FIGURES_DIR: dir,
    });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^error: no figures in .*run `npx deno task reproduce` first/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PNG export draws text with the bundled DejaVu Sans (no system fonts)", async () => {
  const render = await createPngRenderer({ zoom: 1 });
  const page = (text: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" ` +
    `height="30" fill="white"/><text x="4" y="20" font-family="DejaVu Sans, Helvetica, Arial, ` +
    `sans-serif" font-size="16">${text}</text></svg>`;
  const blank = render(page(""));
  const hello = render(page("Hello"));
  const world = render(page("World"));
  assert.equal(hello.width, 120);
  assert.equal(hello.height, 30);
  // Without a usable font resvg silently drops text: all three images would be identical.
  assert.notDeepEqual(hello.png, blank.png);
  assert.notDeepEqual(hello.png, world.png);
});

Deno.test("static handler: files with content types, nothing outside the root", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-serve-" });
  try {
    const root = join(dir, "site");
    await Deno.mkdir(join(root, "vendor"), { recursive: true });
    await Deno.writeTextFile(join(root, "index.html"), "<p>index</p>");
    await Deno.writeTextFile(join(root, "A1.vl.json"), "{}");
    await Deno.writeTextFile(join(root, "vendor", "index.html"), "vendor index");
    await Deno.writeTextFile(join(root, ".secret"), "hidden");
    await Deno.writeTextFile(join(dir, "outside.txt"), "outside");
    await Deno.symlink(join(dir, "outside.txt"), join(root, "link.txt"));
    const handler = createStaticHandler(root);
    const get = (path: string, method = "GET") =>
      handler(new Request(`http://127.0.0.1:8000${path}`, { method }));

    const index = await get("/");
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await index.text(), "<p>index</p>");
    const spec = await get("/A1.vl.json");
    assert.equal(spec.headers.get("content-type"), "application/json; charset=utf-8");
    await spec.body?.cancel();
    const head = await get("/index.html", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "12");
    assert.equal(head.body, null);
    const redirect = await get("/vendor");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/vendor/");
    assert.equal(await (await get("/vendor/")).text(), "vendor index");

    for (const path of ["/%2e%2e/outside.txt", "/..%2foutside.txt", "/.secret", "/link.txt"]) {
      const response = await get(path);
      assert.equal(response.status, 404, path);
      assert.ok(!(await response.text()).includes("outside"), path);
    }
    assert.equal((await get("/%E0%A4%A")).status, 400);
    const post = await get("/index.html", "POST");
    assert.equal(post.status, 405);
    await post.body?.cancel();

    assert.equal(contentTypeFor("x.SVG"), "image/svg+xml");
    assert.equal(contentTypeFor("A1.csv"), "text/csv; charset=utf-8");
    assert.equal(contentTypeFor("vendor/DejaVuSans.ttf"), "font/ttf");
    assert.equal(contentTypeFor("x.unknown"), "application/octet-stream");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
