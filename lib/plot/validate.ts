/**
 * Checks a figure's inputs before anything is rendered or written, so that a mistake fails
 * loudly with a message naming the row and field instead of becoming a silently wrong plot:
 * Vega drops NaN/±Infinity without a word, draws log(0) at −∞, and renders an empty axis for a
 * misspelled field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateFigureId, validateRows } from "./validate.ts";
 * validateFigureId("A1");
 * validateRows([{ step: 0, loss: 1 }], "A1");
 * assert.throws(() => validateFigureId("../A1"), /figure id/);
 * assert.throws(() => validateRows([{ step: 0, loss: NaN }], "A1"), /row 0 field 'loss'/);
 * ```
 * @module
 */
import * as vega from "vega";
import type { FigureRow } from "./csv.ts";

const idPattern = /^[A-Za-z0-9_-]+$/;

/** Throws unless `id` is a non-empty `[A-Za-z0-9_-]+` (it becomes a file name). */
export function validateFigureId(id: string): void {
  if (typeof id !== "string" || !idPattern.test(id)) {
    throw new Error(`figure id must match ${idPattern}, got ${JSON.stringify(id)}`);
  }
}

/**
 * Throws unless `rows` is a non-empty array of plain objects whose values are finite numbers,
 * strings, booleans or null. The message names the figure, the row index and the field.
 */
export function validateRows(rows: readonly FigureRow[], figureId: string): void {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new Error(`figure ${figureId}: rows must be a non-empty array`);
  }
  rows.forEach((row, index) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new Error(`figure ${figureId}: row ${index} is not an object`);
    }
    for (const [field, value] of Object.entries(row)) {
      const where = `figure ${figureId}: row ${index} field '${field}'`;
      if (typeof value === "number") {
        if (!Number.isFinite(value)) {
          throw new Error(`${where} is ${value} (Vega would silently drop it; use null for gaps)`);
        }
      } else if (value !== null && typeof value !== "string" && typeof value !== "boolean") {
        throw new Error(`${where} has unsupported type ${typeof value}`);
      }
    }
  });
}

/** Decides whether a row reaches a view (the filters of the view and its ancestors). */
type RowFilter = (row: FigureRow) => boolean;

/** A field reference found in a spec, with whether it sits on a log scale. */
interface FieldUse {
  field: string;
  log: boolean;
  /** The filters between the data and this use (the enclosing views' `filter` transforms). */
  filters: RowFilter[];
}

const codegen = vega.codegenExpression({
  allowed: ["datum"],
  fieldvar: "datum",
  globalvar: (id: string) => `_[${JSON.stringify(id)}]`,
});

/**
 * A Vega-Lite filter (expression string or field predicate) as a row predicate, compiled with
 * Vega's own expression parser. A filter it cannot evaluate lets every row through, so the check
 * stays conservative.
 */
function rowFilter(filter: unknown): RowFilter {
  try {
    if (typeof filter === "string") {
      const test = new Function(
        "datum",
        "_",
        `return (${codegen(vega.parseExpression(filter)).code});`,
      );
      return (row) => {
        try {
          return Boolean(test(row, {}));
        } catch {
          return true;
        }
      };
    }
    const predicate = filter as { field?: unknown; equal?: unknown; valid?: unknown };
    if (typeof predicate?.field === "string" && "equal" in predicate) {
      const field = predicate.field;
      return (row) => row[field] === predicate.equal;
    }
    if (typeof predicate?.field === "string" && predicate.valid === true) {
      const field = predicate.field;
      return (row) => row[field] !== null && row[field] !== undefined && !Number.isNaN(row[field]);
    }
  } catch {
    // An expression Vega cannot parse fails at render time with Vega's own message.
  }
  return () => true;
}

/** Walks every object of the spec, collecting `{field: "name", …}` definitions. */
function collectFieldUses(
  node: unknown,
  uses: FieldUse[],
  state: { transforms: boolean },
  filters: RowFilter[],
): void {
  if (Array.isArray(node)) {
    for (const item of node) collectFieldUses(item, uses, state, filters);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  let scoped = filters;
  if (Array.isArray(record.transform) && record.transform.length > 0) {
    state.transforms = true;
    const own = record.transform.filter((step) =>
      step !== null && typeof step === "object" &&
      "filter" in step
    ).map((step) => rowFilter((step as { filter: unknown }).filter));
    scoped = [...filters, ...own];
  }
  if (typeof record.field === "string") {
    const scale = record.scale as { type?: unknown } | null | undefined;
    uses.push({ field: record.field, log: scale?.type === "log", filters: scoped });
  }
  for (const [key, value] of Object.entries(record)) {
    // Transforms define and consume derived fields; config has no data fields.
    if (key !== "transform" && key !== "config") collectFieldUses(value, uses, state, scoped);
  }
}

/**
 * Cross-checks the spec against the rows:
 * - a field on a `log` scale must have no value ≤ 0 (clamp first, see `clampForLog`) among the
 *   rows that view draws, i.e. that pass the `filter` transforms of it and its ancestors (so a
 *   tidy table can share one value column between a log panel and a linear one);
 * - when the spec has no `transform` (which could derive new fields), every referenced field
 *   must be a column of the rows, which catches misspelled field names.
 */
export function validateSpecAgainstRows(
  spec: unknown,
  rows: readonly FigureRow[],
  columns: readonly string[],
  figureId: string,
): void {
  const uses: FieldUse[] = [];
  const state = { transforms: false };
  collectFieldUses(spec, uses, state, []);
  const known = new Set(columns);
  if (!state.transforms) {
    for (const { field } of uses) {
      if (!known.has(field)) {
        throw new Error(
          `figure ${figureId}: spec uses field '${field}', which no row has ` +
            `(columns: ${columns.join(", ")})`,
        );
      }
    }
  }
  for (const { field, filters } of uses.filter((use) => use.log)) {
    rows.forEach((row, index) => {
      const value = row[field];
      if (typeof value !== "number" || value > 0) return;
      if (!filters.every((keep) => keep(row))) return; // this view does not draw the row
      throw new Error(
        `figure ${figureId}: row ${index} field '${field}' is ${value} on a log scale ` +
          `(clamp it, e.g. clampForLog(value, 1e-16), or use null to leave a gap)`,
      );
    });
  }
}
