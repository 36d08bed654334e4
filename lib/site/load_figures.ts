/**
 * What the site shows: every figure of the experiment registry plus every `<id>.meta.json` found
 * in the figures directory, read leniently. A registry figure whose meta file is missing or
 * unreadable is kept (with the reason in `problem`) so its page can say so; nothing here
 * lists figure ids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart, writeFigure } from "../plot/mod.ts";
 * import { loadFigures } from "./load_figures.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFigure({ id: "A1", title: "A1 · demo", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 0, y: 1 }], meta: { paper: "A", claim: "-", measured: "-", command: "-",
 *   seconds: 0 } }, { outDir: dir, quiet: true });
 * const registry = [{ id: "A1", description: "demo" },
 *   { id: "B9", description: "never run" }];
 * const { figures } = await loadFigures(dir, registry);
 * assert.equal(figures[0].meta?.title, "A1 · demo");
 * assert.match(figures[1].problem ?? "", /B9/); // listed but not reproduced yet
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { join } from "node:path";
import { isPlainFileName } from "./escape.ts";

/** The part of `<id>.meta.json` (written by lib/plot/write_figure.ts) that the site uses. */
export interface SiteMeta {
  /** Figure id (equals the file stem). */
  id: string;
  /** Figure title. */
  title: string;
  /** Paper key, e.g. "A". */
  paper: string;
  /** The paper's claim, one sentence. */
  claim: string;
  /** What ufmlab measured. */
  measured: string;
  /** The command that regenerates the figure. */
  command: string;
  /** Named max |solver − theory| errors (empty when the figure has no closed form). */
  theoryErrors: Record<string, number>;
  /** Headline error, or null. */
  maxTheoryError: number | null;
  /** Experiment run time in seconds, or null if absent. */
  seconds: number | null;
  /** Experiment settings, or null if absent. */
  parameters: Record<string, unknown> | null;
  /** Number of plotted rows, or null if absent. */
  rowCount: number | null;
  /** File names of the spec, SVG and CSV (plain names in the figures directory). */
  files: { spec: string; svg: string; csv: string };
  /** Render warnings. */
  warnings: string[];
  /** ISO time the figure was written, or null. */
  generatedAt: string | null;
}

/** One figure of the site. */
export interface SiteFigure {
  /** Figure id, e.g. "A1". */
  id: string;
  /** Paper key: `meta.paper`, or for a figure without meta the id's leading letters. */
  paper: string;
  /** The meta file, or null when it is missing or unreadable (see `problem`). */
  meta: SiteMeta | null;
  /** Registry description, or null for a figure found only as a meta file. */
  description: string | null;
  /** Registry docs section, e.g. "docs/experiments.md#a1", or null. */
  docs: string | null;
  /** Link to that section's copy on the site (set by the site build), else null. */
  docsHref: string | null;
  /** Why the figure cannot be shown, or null. */
  problem: string | null;
  /** Data files named by the meta file that do not exist. */
  missingFiles: string[];
  /** PNG file name once exported (set by the site build), else null. */
  png: string | null;
}

/** Result of {@link loadFigures}. */
export interface LoadedFigures {
  /** Registry figures in registry order, then meta-only figures sorted by id. */
  figures: SiteFigure[];
  /** One line per problem (missing meta, unreadable meta, missing data file). */
  warnings: string[];
}

/** The registry fields the site needs (lib/plot/registry.ts `ExperimentEntry`). */
export interface RegistryFigure {
  /** Figure id. */
  id: string;
  /** One-line description. */
  description: string;
  /** The docs section the figure reproduces, e.g. "docs/experiments.md#a1". */
  docs?: string;
}

const FIGURE_ID = /^[A-Za-z0-9_-]+$/;
const META_SUFFIX = ".meta.json";

function requireString(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`field "${key}" must be a non-empty string`);
  }
  return value;
}

function optionalNumber(record: Record<string, unknown>, key: string): number | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`field "${key}" must be a finite number or null`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fileName(files: Record<string, unknown>, key: string, fallback: string): string {
  const value = files[key];
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !isPlainFileName(value)) {
    throw new Error(`files.${key} must be a plain file name, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses the text of `<expectedId>.meta.json` into a {@link SiteMeta}.
 *
 * @throws {Error} naming the offending field: invalid JSON, a missing or empty `title`,
 * `paper`, `claim`, `measured` or `command`, an `id` other than `expectedId`, a non-finite
 * theory error, or a data file name with a path in it.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart, writeFigure } from "../plot/mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFigure({ id: "A1", title: "A1 · demo", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 0, y: 1 }], meta: { paper: "A", claim: "-", measured: "-", command: "-",
 *   seconds: 0 } }, { outDir: dir, quiet: true });
 * const meta = parseSiteMeta(await Deno.readTextFile(`${dir}/A1.meta.json`), "A1");
 * assert.equal(meta.paper, "A");
 * assert.throws(() => parseSiteMeta("{}", "A1"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function parseSiteMeta(text: string, expectedId: string): SiteMeta {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) throw new Error("not a JSON object");
  if (parsed.id !== expectedId) {
    throw new Error(`field "id" is ${JSON.stringify(parsed.id)}, expected "${expectedId}"`);
  }
  const theoryErrors: Record<string, number> = {};
  if (parsed.theoryErrors !== undefined && parsed.theoryErrors !== null) {
    if (!isRecord(parsed.theoryErrors)) throw new Error(`field "theoryErrors" must be an object`);
    for (const [name, value] of Object.entries(parsed.theoryErrors)) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`theoryErrors.${name} must be a finite number`);
      }
      theoryErrors[name] = value;
    }
  }
  const files = isRecord(parsed.files) ? parsed.files : {};
  const warnings = Array.isArray(parsed.warnings) ? parsed.warnings.map(String) : [];
  return {
    id: expectedId,
    title: requireString(parsed, "title"),
    paper: requireString(parsed, "paper"),
    claim: requireString(parsed, "claim"),
    measured: requireString(parsed, "measured"),
    command: requireString(parsed, "command"),
    theoryErrors,
    maxTheoryError: optionalNumber(parsed, "maxTheoryError"),
    seconds: optionalNumber(parsed, "seconds"),
    parameters: isRecord(parsed.parameters) ? parsed.parameters : null,
    rowCount: optionalNumber(parsed, "rowCount"),
    files: {
      spec: fileName(files, "spec", `${expectedId}.vl.json`),
      svg: fileName(files, "svg", `${expectedId}.svg`),
      csv: fileName(files, "csv", `${expectedId}.csv`),
    },
    warnings,
    generatedAt: typeof parsed.generatedAt === "string" ? parsed.generatedAt : null,
  };
}

/**
 * The paper key assumed for a figure without a readable meta file: the id's leading letters
 * (figure ids are `<paper><number>`, e.g. "B3"), or "other".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(paperFromId("B3"), "B");
 * ```
 */
export function paperFromId(id: string): string {
  return /^[A-Za-z]+/.exec(id)?.[0] ?? "other";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Ids of the `<id>.meta.json` files in `dir` (ids outside `[A-Za-z0-9_-]+` are skipped). */
export async function listMetaIds(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(META_SUFFIX)) continue;
    const id = entry.name.slice(0, -META_SUFFIX.length);
    if (FIGURE_ID.test(id)) ids.push(id);
  }
  return ids.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/**
 * Reads the figures of `registry` plus any other `<id>.meta.json` in `figuresDir`.
 *
 * @throws {Error} only if `figuresDir` cannot be listed; per-figure problems become
 * `problem` / `warnings`.
 */
export async function loadFigures(
  figuresDir: string,
  registry: readonly RegistryFigure[],
): Promise<LoadedFigures> {
  const metaIds = await listMetaIds(figuresDir);
  const registryIds = new Set(registry.map((entry) => entry.id));
  const ordered: { id: string; description: string | null; docs: string | null }[] = [
    ...registry.map(({ id, description, docs }) => ({ id, description, docs: docs ?? null })),
    ...metaIds.filter((id) => !registryIds.has(id))
      .map((id) => ({ id, description: null, docs: null })),
  ];
  const figures: SiteFigure[] = [];
  const warnings: string[] = [];
  for (const { id, description, docs } of ordered) {
    const metaPath = join(figuresDir, `${id}${META_SUFFIX}`);
    const figure: SiteFigure = {
      id,
      paper: paperFromId(id),
      meta: null,
      description,
      docs,
      docsHref: null,
      problem: null,
      missingFiles: [],
      png: null,
    };
    figures.push(figure);
    if (!metaIds.includes(id)) {
      figure.problem = `not built yet: ${id}${META_SUFFIX} is missing`;
      warnings.push(`${id}: listed in the registry but ${metaPath} is missing`);
      continue;
    }
    try {
      figure.meta = parseSiteMeta(await Deno.readTextFile(metaPath), id);
      figure.paper = figure.meta.paper;
    } catch (error) {
      figure.problem = `unreadable ${id}${META_SUFFIX}: ${(error as Error).message}`;
      warnings.push(`${id}: ${metaPath}: ${(error as Error).message}`);
      continue;
    }
    for (const name of Object.values(figure.meta.files)) {
      if (!await exists(join(figuresDir, name))) {
        figure.missingFiles.push(name);
        warnings.push(`${id}: ${join(figuresDir, name)} is missing`);
      }
    }
  }
  return { figures, warnings };
}
