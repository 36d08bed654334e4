/**
 * Citations of the theory reference resolve: every `docs/<page>.md#<anchor>` written in code,
 * tests, scripts, the READMEs and the figure registry names a page of docs/ and an anchor
 * (`<a id="…"></a>`) defined there; every link between docs pages resolves (what
 * docs/verify/check_anchors.py checks, here without Python); no anchor is defined twice on a
 * page; nothing cites our private notes (the old `science` file) or a bare `§x.y` of them.
 * Paper sections keep their qualifier ("paper A §4", "RFC 4180 §2.6").
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { anchorIds } from "../lib/site/docs_pages.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SELF = "tests/docs_citations_test.ts";
/** Where citations live (relative to the repository root). */
const SCANNED = ["lib", "scripts", "tests", "core-as/assembly", "README.md", "figures/README.md"];
const TEXT_FILE = /\.(ts|md|py)$/;

const NAME = "[A-Za-z0-9_-]+";
const CITATION = new RegExp(`docs/(${NAME})\\.md(?:#(${NAME}))?`, "g");
const DOCS_LINK = /\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g;
const OLD_NOTES = ["science", "md"].join(".");
/**
 * Sections cited ahead of the docs: code that names an anchor the reference does not have yet.
 * Each entry must still be missing (the test fails once the anchor exists, so the list shrinks).
 */
const PENDING: ReadonlySet<string> = new Set<string>([]);
/** A § is a paper's or a standard's section only with its owner right before it. */
const QUALIFIED_SECTION = /(?:paper [A-Z]|RFC \d+|PMLR|Thm\.?|Theorem) $/;

/** Text files under `path` (a file or a folder), keyed by path relative to the root. */
async function collect(path: string, into: Map<string, string>): Promise<void> {
  const absolute = `${ROOT}${path}`;
  const info = await Deno.stat(absolute);
  if (info.isFile) {
    if (TEXT_FILE.test(path) && path !== SELF) into.set(path, await Deno.readTextFile(absolute));
    return;
  }
  for await (const entry of Deno.readDir(absolute)) {
    if (entry.name === "node_modules" || entry.name === "build") continue;
    await collect(`${path}/${entry.name}`, into);
  }
}

/**
 * Every problem, one line each: `file:line: …`. `pages` maps a docs page name ("ufm-mse") to
 * its Markdown; `files` maps a scanned file to its text; `pending` lists `page.md#anchor`
 * citations allowed to be missing (default {@link PENDING}).
 */
function citationProblems(
  files: Map<string, string>,
  pages: Map<string, string>,
  pending: ReadonlySet<string> = PENDING,
): string[] {
  const anchors = new Map<string, Set<string>>();
  const problems: string[] = [];
  for (const [page, markdown] of pages) {
    const ids = anchorIds(markdown);
    const twice = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
    if (twice.length > 0) problems.push(`docs/${page}.md: anchors defined twice: ${twice}`);
    anchors.set(page, new Set(ids));
  }
  const resolve = (where: string, page: string, anchor: string | undefined) => {
    if (pending.has(`${page}.md#${anchor}`)) {
      if (anchors.get(page)?.has(anchor!)) {
        problems.push(`${where}: #${anchor} exists now: unlist it`);
      }
      return;
    }
    if (!anchors.has(page)) problems.push(`${where}: docs/${page}.md does not exist`);
    else if (anchor !== undefined && !anchors.get(page)!.has(anchor)) {
      problems.push(`${where}: docs/${page}.md has no anchor #${anchor}`);
    }
  };
  for (const [page, markdown] of pages) {
    markdown.split("\n").forEach((text, index) => {
      for (const [, target, anchor] of text.matchAll(DOCS_LINK)) {
        if (/^[a-z]+:|\/$/.test(target)) continue; // external, or a folder such as verify/
        const name = target === "" ? page : /^([A-Za-z0-9_-]+)\.md$/.exec(target)?.[1];
        if (name === undefined) continue; // a file outside the reference (scripts, results)
        resolve(`docs/${page}.md:${index + 1}`, name, anchor);
      }
    });
  }
  for (const [file, content] of [...files, ...[...pages].map(([p, m]) => [`docs/${p}.md`, m])]) {
    const inDocs = file.startsWith("docs/");
    content.split("\n").forEach((text, index) => {
      const where = `${file}:${index + 1}`;
      if (text.includes(OLD_NOTES)) {
        problems.push(`${where}: cites ${OLD_NOTES}: ${text.trim()}`);
        return;
      }
      if (inDocs) return; // the reference cites papers' sections freely
      for (const [, page, anchor] of text.matchAll(CITATION)) resolve(where, page, anchor);
      for (const match of text.matchAll(/§/g)) {
        if (!QUALIFIED_SECTION.test(text.slice(0, match.index))) {
          problems.push(`${where}: bare § citation (cite docs/<page>.md#<anchor>): ${text.trim()}`);
        }
      }
    });
  }
  return problems;
}

async function docsPages(): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    const page = entry.isFile ? /^([A-Za-z0-9_-]+)\.md$/.exec(entry.name)?.[1] : undefined;
    if (page !== undefined) pages.set(page, await Deno.readTextFile(`${ROOT}docs/${entry.name}`));
  }
  return pages;
}

Deno.test("every docs citation in code, tests, scripts and READMEs resolves to an anchor", async () => {
  const files = new Map<string, string>();
  for (const path of SCANNED) await collect(path, files);
  assert.ok(files.has("lib/plot/registry.ts") && files.has("README.md"), "scan found the repo");
  const pages = await docsPages();
  assert.ok(pages.has("experiments") && pages.has("metrics"), "docs/ pages found");
  const problems = citationProblems(files, pages);
  assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join("\n")}`);
  const cited = [...files.values()].join("\n").match(CITATION) ?? [];
  assert.ok(cited.length > 100, `only ${cited.length} docs citations found`);
});

Deno.test("the citation check reports each kind of problem", () => {
  const pages = new Map([
    ["ufm-mse", '<a id="mse-bias-free"></a>\n[ok](#mse-bias-free) [ok too](metrics.md#nc1)'],
    ["metrics", '<a id="nc1"></a>\n<a id="nc1"></a>\n[gone](ufm-mse.md#gone) [dir](verify/)'],
    ["landscape", '<a id="written-meanwhile"></a>'],
  ]);
  const pending = new Set(["solvers.md#not-yet-written", "landscape.md#written-meanwhile"]);
  const files = new Map([
    ["lib/a.ts", "// docs/ufm-mse.md#mse-bias-free and docs/metrics.md and paper A §4"],
    ["lib/p.ts", "// docs/solvers.md#not-yet-written (pending, still missing: fine)"],
    ["lib/q.ts", "// docs/landscape.md#written-meanwhile (pending, but written: unlist it)"],
    ["lib/b.ts", `// docs/ufm-mse.md#mse-free-bias\n// docs/sphere.md#x\n// see ${OLD_NOTES}`],
    ["tests/c.ts", 'Deno.test("§3.1 table", () => {}); // RFC 4180 §2.6 is fine'],
  ]);
  assert.deepEqual(citationProblems(files, pages, pending), [
    "docs/metrics.md: anchors defined twice: nc1",
    "docs/metrics.md:3: docs/ufm-mse.md has no anchor #gone",
    "lib/q.ts:1: #written-meanwhile exists now: unlist it",
    "lib/b.ts:1: docs/ufm-mse.md has no anchor #mse-free-bias",
    "lib/b.ts:2: docs/sphere.md does not exist",
    `lib/b.ts:3: cites ${OLD_NOTES}: // see ${OLD_NOTES}`,
    'tests/c.ts:1: bare § citation (cite docs/<page>.md#<anchor>): Deno.test("§3.1 table", () => {}); // RFC 4180 §2.6 is fine',
  ]);
});
