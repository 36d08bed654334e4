/**
 * Builds the UFM explorer into a site folder (called by the site build, lib/site/build.ts):
 *
 * - `explore/worker.js`: lib/explore/worker.ts and the lib code below it (registry, parser,
 *   solver, metrics, closed forms) bundled by `deno bundle` for the browser, with the import map
 *   lib/explore/import_map.json swapping the core loader (lib/core/source.ts →
 *   lib/explore/core_source.ts) — the only difference from what Deno runs;
 * - `explore/ufmlab-core.wasm`: the `single` build of core-as (lib/core/build.ts);
 * - `explore/app.js`: the page script (lib/explore/app.ts), an IIFE with no core in it;
 * - `explore/explore.css` and `explore.html` (lib/explore/page.ts in the site's frame).
 *
 * Each bundle is checked before it is installed: nothing Deno- or Node-only may be left in it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildExplorer } from "./build.ts";
 * const dir = await Deno.makeTempDir();
 * const result = await buildExplorer(dir, { builtAt: new Date(0), versions: {} });
 * assert.deepEqual(result.files, ["explore/worker.js", "explore/app.js",
 *   "explore/ufmlab-core.wasm", "explore/explore.css", "explore.html"]);
 * assert.doesNotMatch(await Deno.readTextFile(`${dir}/explore/worker.js`), /node:worker_threads/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ensureCoreBuilt } from "../core/build.ts";
import { writeFileAtomic, writeTextFileAtomic } from "../io/atomic.ts";
import { type PageContext, pageHtml } from "../site/templates.ts";
import { CORE_WASM_FILE } from "./core_source.ts";
import { EXPLORE_CSS, EXPLORE_SCRIPTS, EXPLORE_STYLESHEET, explorePageBody } from "./page.ts";

/** What {@link buildExplorer} wrote. */
export interface ExplorerBuild {
  /** Files written, relative to the site folder. */
  files: string[];
  /** Size in bytes of each of them. */
  bytes: Record<string, number>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = here("../../");

/** Text a browser bundle must not contain (Deno/Node APIs, the compiler, the thread pool). */
export const FORBIDDEN_IN_BUNDLE: readonly RegExp[] = [
  /\b(?:from|import)\s*["']node:/, // `… from "node:x"` and the bare `import "node:x"`
  /\bimport\(\s*["']node:/,
  /\bDeno\.(readFile|readTextFile|writeFile|writeTextFile|Command|exit|args)\b/,
  /assemblyscript/,
  /worker_threads/,
];

/**
 * Throws naming the first forbidden pattern found in a bundle (see {@link FORBIDDEN_IN_BUNDLE}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assertBrowserBundle("app.js", "const x = 1;");
 * assert.throws(() => assertBrowserBundle("w.js", 'import "node:fs";'), /w\.js: contains/);
 * ```
 */
export function assertBrowserBundle(name: string, text: string): void {
  for (const pattern of FORBIDDEN_IN_BUNDLE) {
    const match = pattern.exec(text);
    if (match !== null) {
      throw new Error(`${name}: contains ${JSON.stringify(match[0])} (not for the browser)`);
    }
  }
}

/** Runs `deno bundle` for the browser into `output`; throws with its stderr on failure. */
async function bundle(entry: string, output: string, extra: readonly string[]): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", ...extra, "--output", output, entry],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const stderr = new TextDecoder().decode(result.stderr).trim();
    throw new Error(`deno bundle ${entry} failed:\n${stderr}`);
  }
}

/**
 * Bundles and writes the explorer into `siteDir` (see the module notes). `context` gives the
 * footer's build facts.
 *
 * @throws {Error} when bundling fails or a bundle contains Deno/Node-only code.
 */
export async function buildExplorer(siteDir: string, context: PageContext): Promise<ExplorerBuild> {
  const outDir = join(siteDir, "explore");
  await Deno.mkdir(outDir, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: outDir, prefix: ".bundle-" });
  const files: string[] = [];
  const bytes: Record<string, number> = {};
  const install = async (name: string, text: string | Uint8Array) => {
    const path = join(siteDir, name);
    if (typeof text === "string") await writeTextFileAtomic(path, text);
    else await writeFileAtomic(path, text);
    files.push(name);
    bytes[name] = (await Deno.stat(path)).size;
  };
  try {
    const bundles: [string, string, string[]][] = [
      ["worker.js", here("worker.ts"), ["--import-map", here("import_map.json")]],
      ["app.js", here("app.ts"), ["--format", "iife"]],
    ];
    for (const [name, entry, extra] of bundles) {
      const output = join(scratch, name);
      await bundle(entry, output, extra);
      const text = await Deno.readTextFile(output);
      assertBrowserBundle(`explore/${name}`, text);
      await install(`explore/${name}`, text);
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
  await install(
    `explore/${CORE_WASM_FILE}`,
    await Deno.readFile(await ensureCoreBuilt(false, "single")),
  );
  await install(EXPLORE_STYLESHEET, EXPLORE_CSS);
  const page = pageHtml(
    "UFM explorer · ufmlab",
    explorePageBody(),
    context,
    EXPLORE_SCRIPTS,
    "",
    [EXPLORE_STYLESHEET],
  );
  await install("explore.html", page);
  return { files, bytes };
}
