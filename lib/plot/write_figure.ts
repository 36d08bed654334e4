/**
 * The one way a figure leaves ufmlab. {@link writeFigure} takes a Vega-Lite spec without data,
 * the tidy rows it plots and a description of what was measured, validates them, and writes
 * four files atomically into the figures directory:
 *
 * - `<id>.vl.json`: the Vega-Lite spec with the rows inlined (`data.values`) and `$schema` set,
 *   so it opens as-is in the Vega editor;
 * - `<id>.svg`: rendered headless (see `render_svg.ts`);
 * - `<id>.csv`: the rows (see `csv.ts`);
 * - `<id>.meta.json`: paper, claim, what was measured, the command, the |solver − theory|
 *   errors and the run time. It is written last, so its presence means the set is complete
 *   (`deno task reproduce` relies on this).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart, writeFigure } from "./mod.ts";
 * const rows = [0, 1, 2].map((step) => ({ step, loss: 2 ** -step, run: "gd" }));
 * const outDir = await Deno.makeTempDir();
 * const files = await writeFigure({
 *   id: "A1",
 *   title: "GD on the UFM",
 *   spec: lineChart({ x: "step", y: "loss", color: "run", logY: true }),
 *   rows,
 *   meta: {
 *     paper: "A",
 *     claim: "the objective converges to the closed form",
 *     measured: "f − f* per iteration",
 *     command: "deno task reproduce --only A1",
 *     theoryErrors: { objective: 3e-12 },
 *     seconds: 0.8,
 *   },
 * }, { outDir, quiet: true });
 * const meta = JSON.parse(await Deno.readTextFile(files.meta));
 * assert.equal(meta.maxTheoryError, 3e-12);
 * assert.deepEqual(meta.columns, ["step", "loss", "run"]);
 * await Deno.remove(outDir, { recursive: true });
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { version as vegaLiteVersion } from "vega-lite";
import { version as vegaVersion } from "vega";
import { jsonText, writeTextFileAtomic } from "../io/atomic.ts";
import { csvColumns, type FigureRow, rowsToCsv } from "./csv.ts";
import { renderSvg } from "./render_svg.ts";
import { FIGURE_CONFIG, FIGURE_TITLE_SIZE } from "./theme.ts";
import { validateFigureId, validateRows, validateSpecAgainstRows } from "./validate.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A Vega-Lite spec without `data` (the rows are inlined by {@link writeFigure}). It is the
 * vega-lite `TopLevelSpec` type minus `data`, so misspelled marks, channels or types are
 * compile errors.
 */
export type FigureSpec = DistributiveOmit<TopLevelSpec, "data">;

/** `$schema` written into every `.vl.json`. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export { FIGURE_FONT } from "./theme.ts";

/** What a figure shows and how it was produced; becomes `<id>.meta.json`. */
export interface FigureMeta {
  /** The paper the figure reproduces, e.g. "A" (Tirer & Bruna; docs/related-work.md). */
  paper: string;
  /** The claim being checked, in one sentence. */
  claim: string;
  /** What the plotted quantities are and how they were measured. */
  measured: string;
  /** The command that regenerates the figure. */
  command: string;
  /**
   * Named max |solver − theory| errors, e.g. `{ objective: 3e-12, nc1: 1e-9 }`.
   * Values must be finite.
   */
  theoryErrors?: Record<string, number>;
  /**
   * The headline error shown by `deno task reproduce`. Default: the largest value of
   * `theoryErrors`, or null when there are none (a figure without a closed form to compare to).
   */
  maxTheoryError?: number | null;
  /** Wall-clock seconds of the experiment (finite, ≥ 0). */
  seconds: number;
  /** Experiment settings (sizes, seeds, step sizes…), recorded verbatim. */
  parameters?: Record<string, unknown>;
}

/** Everything {@link writeFigure} needs. */
export interface FigureOutput {
  /** File stem, `[A-Za-z0-9_-]+`, e.g. "A1". */
  id: string;
  /** Human title; used as the chart title unless the spec has its own `title`. */
  title: string;
  /** The Vega-Lite spec, without data (e.g. from `lineChart`, `theoryVsSolver`, `histogram`). */
  spec: FigureSpec;
  /**
   * Tidy long-format rows: one object per plotted observation. Values must be finite numbers,
   * strings, booleans or null (null = gap). Must be non-empty.
   */
  rows: FigureRow[];
  /** Provenance and theory errors. */
  meta: FigureMeta;
}

/** Options for {@link writeFigure}. */
export interface WriteFigureOptions {
  /** Directory for the files. Default: {@link defaultFiguresDir}(). */
  outDir?: string;
  /** Do not print the one-line "wrote …" note on stderr. */
  quiet?: boolean;
}

/** Absolute paths of the files written by {@link writeFigure}, plus render warnings. */
export interface FigureFiles {
  /** `<outDir>/<id>.vl.json` */
  spec: string;
  /** `<outDir>/<id>.svg` */
  svg: string;
  /** `<outDir>/<id>.csv` */
  csv: string;
  /** `<outDir>/<id>.meta.json` */
  meta: string;
  /** Vega-Lite / Vega warnings (also printed on stderr and stored in the meta file). */
  warnings: string[];
}

/** The contents of `<id>.meta.json`. */
export interface FigureMetaFile extends FigureMeta {
  /** Figure id. */
  id: string;
  /** Figure title. */
  title: string;
  /** Resolved headline error (see {@link FigureMeta.maxTheoryError}). */
  maxTheoryError: number | null;
  /** Number of rows plotted. */
  rowCount: number;
  /** CSV columns in order. */
  columns: string[];
  /** File names (relative to the meta file). */
  files: { spec: string; svg: string; csv: string };
  /** Render warnings. */
  warnings: string[];
  /** ISO time the files were written. */
  generatedAt: string;
  /** Library versions used to render. */
  versions: { vega: string; vegaLite: string; deno: string };
}

/**
 * The figures directory: `$UFMLAB_FIGURES_DIR` if set (and readable), else `<repo>/figures`
 * resolved from this module's location.
 */
export function defaultFiguresDir(): string {
  try {
    const fromEnv = Deno.env.get("UFMLAB_FIGURES_DIR");
    if (fromEnv) return fromEnv;
  } catch {
    // No --allow-env: fall back to the repository's figures directory.
  }
  return fileURLToPath(new URL("../../figures", import.meta.url));
}

function resolveMaxTheoryError(meta: FigureMeta, id: string): number | null {
  const errors = Object.entries(meta.theoryErrors ?? {});
  for (const [name, value] of errors) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(`figure ${id}: meta.theoryErrors.${name} is ${value} (must be finite)`);
    }
  }
  if (meta.maxTheoryError !== undefined) {
    if (meta.maxTheoryError !== null && !Number.isFinite(meta.maxTheoryError)) {
      throw new Error(`figure ${id}: meta.maxTheoryError is ${meta.maxTheoryError}`);
    }
    return meta.maxTheoryError;
  }
  return errors.length === 0 ? null : Math.max(...errors.map(([, value]) => value));
}

/**
 * Builds the complete Vega-Lite spec that is written to `<id>.vl.json`: `$schema`, the title
 * (the figure title unless the spec has its own text, in the figure title size), the rows as
 * inline data, and the shared look (lib/plot/theme.ts; keys of the spec's own `config` win).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart } from "./charts.ts";
 * const spec = completeSpec({ id: "T1", title: "A title", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 1, y: 2 }], meta: { paper: "A", claim: "", measured: "", command: "",
 *   seconds: 0 } });
 * assert.deepEqual(spec.data, { values: [{ x: 1, y: 2 }] });
 * assert.equal(spec.config?.font, FIGURE_FONT);
 * ```
 */
export function completeSpec(figure: FigureOutput): TopLevelSpec {
  const spec = figure.spec as FigureSpec & { data?: unknown };
  if (spec.data !== undefined) {
    throw new Error(`figure ${figure.id}: spec must not contain data (pass the rows instead)`);
  }
  // A title object without text (e.g. only a subtitle from a chart builder) gets the figure title.
  const specTitle = spec.title as unknown;
  const title = specTitle === undefined || typeof specTitle === "string"
    ? { text: specTitle ?? figure.title, fontSize: FIGURE_TITLE_SIZE }
    : typeof specTitle === "object" && specTitle !== null && !("text" in specTitle)
    ? { text: figure.title, fontSize: FIGURE_TITLE_SIZE, ...specTitle }
    : { fontSize: FIGURE_TITLE_SIZE, ...specTitle };
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...spec,
    title,
    // Copies: Vega tags every datum it ingests with a symbol id, which would mutate the caller's rows.
    data: { values: figure.rows.map((row) => ({ ...row })) },
    config: { ...FIGURE_CONFIG, ...spec.config },
  } as TopLevelSpec;
}

/**
 * Validates a figure, renders it and writes `<id>.vl.json`, `<id>.svg`, `<id>.csv` and (last)
 * `<id>.meta.json`, each atomically. Nothing is written if validation or rendering fails.
 *
 * Rejected (Error naming the figure, row and field): an id that is not `[A-Za-z0-9_-]+`, empty
 * rows, NaN/±Infinity or non-scalar values in rows, a value ≤ 0 on a log-scaled field, a field
 * used by the spec but absent from the rows (checked only when the spec has no transforms),
 * `data` inside the spec, non-finite theory errors or seconds, and Vega-Lite errors.
 * Vega-Lite/Vega warnings are printed on stderr and kept in the meta file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart } from "./charts.ts";
 * const outDir = await Deno.makeTempDir();
 * const files = await writeFigure({
 *   id: "T1", title: "two points", spec: scatterChart({ x: "x", y: "y" }),
 *   rows: [{ x: 0, y: 1 }, { x: 1, y: 2 }],
 *   meta: { paper: "A", claim: "-", measured: "-", command: "-", seconds: 0 },
 * }, { outDir, quiet: true });
 * assert.ok(files.svg.endsWith("T1.svg"));
 * assert.match(await Deno.readTextFile(files.csv), /^x,y\n0,1\n/);
 * await Deno.remove(outDir, { recursive: true });
 * ```
 */
export async function writeFigure(
  figure: FigureOutput,
  options: WriteFigureOptions = {},
): Promise<FigureFiles> {
  validateFigureId(figure.id);
  const { id, rows, meta } = figure;
  validateRows(rows, id);
  const columns = csvColumns(rows);
  validateSpecAgainstRows(figure.spec, rows, columns, id);
  if (typeof meta?.seconds !== "number" || !Number.isFinite(meta.seconds) || meta.seconds < 0) {
    throw new Error(`figure ${id}: meta.seconds must be a finite number ≥ 0, got ${meta?.seconds}`);
  }
  const maxTheoryError = resolveMaxTheoryError(meta, id);

  const fullSpec = completeSpec(figure);
  const { svg, warnings } = await renderSvg(fullSpec);
  const csv = rowsToCsv(rows, columns);

  const outDir = options.outDir ?? defaultFiguresDir();
  const names = { spec: `${id}.vl.json`, svg: `${id}.svg`, csv: `${id}.csv` };
  const files: FigureFiles = {
    spec: join(outDir, names.spec),
    svg: join(outDir, names.svg),
    csv: join(outDir, names.csv),
    meta: join(outDir, `${id}.meta.json`),
    warnings,
  };
  const metaFile: FigureMetaFile = {
    id,
    title: figure.title,
    ...meta,
    maxTheoryError,
    rowCount: rows.length,
    columns,
    files: names,
    warnings,
    generatedAt: new Date().toISOString(),
    versions: { vega: vegaVersion, vegaLite: vegaLiteVersion, deno: Deno.version.deno },
  };
  // Serialize everything first (this rejects non-finite numbers in meta.parameters), so a bad
  // value cannot leave a half-written set; meta goes last because it marks completion.
  let metaText: string;
  try {
    metaText = jsonText(metaFile);
  } catch (error) {
    throw new Error(`figure ${id}: meta: ${(error as Error).message}`);
  }
  const specText = jsonText(fullSpec);
  await writeTextFileAtomic(files.spec, specText);
  await writeTextFileAtomic(files.svg, svg);
  await writeTextFileAtomic(files.csv, csv);
  await writeTextFileAtomic(files.meta, metaText);

  if (!options.quiet) {
    for (const warning of warnings) console.error(`${id}: warning: ${warning}`);
    console.error(`${id}: wrote ${join(outDir, id)}.{vl.json,svg,csv,meta.json}`);
  }
  return files;
}
