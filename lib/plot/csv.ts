/**
 * Tidy rows → CSV text: header = union of the rows' keys in first-seen order, RFC 4180 quoting,
 * numbers in full (round-trip) precision, `null` and missing keys as empty cells, LF line ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowsToCsv } from "./csv.ts";
 * assert.equal(
 *   rowsToCsv([{ step: 0, loss: 0.5 }, { step: 1, loss: 0.25, note: "a,b" }]),
 *   'step,loss,note\n0,0.5,\n1,0.25,"a,b"\n',
 * );
 * ```
 * @module
 */

/** One observation of a figure: column name → value (tidy long format). */
export type FigureRow = Record<string, number | string | boolean | null>;

/**
 * The CSV columns for `rows`: every key that appears in any row, in order of first appearance
 * (row 0's keys first), so the order is stable for a given row order.
 */
export function csvColumns(rows: readonly FigureRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/**
 * One CSV cell. Numbers use `String(x)`, the shortest text that parses back to exactly the same
 * double (so `Number(cell) === x`); `null`/`undefined` give an empty cell. A cell containing a
 * comma, double quote, CR or LF is quoted with inner quotes doubled (RFC 4180 §2.6–2.7), and the
 * empty string is written as `""`.
 */
export function csvCell(value: number | string | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  // An empty string is written as "" so that it stays distinct from null (an empty cell).
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Formats `rows` as CSV with a header line; every line, the last included, ends with `\n`.
 *
 * @param columns column order (default {@link csvColumns}`(rows)`).
 */
export function rowsToCsv(
  rows: readonly FigureRow[],
  columns: readonly string[] = csvColumns(rows),
): string {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(","));
  return lines.join("\n") + "\n";
}
