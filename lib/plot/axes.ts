/**
 * Log axes labelled the way a paper prints them: powers of ten with superscript exponents
 * (10⁻⁴, 10⁰, 10³), one label per decade, a tick and grid line at every power of ten and short
 * unlabelled ticks at the multiples in between. Every log axis of ufmlab's figures uses
 * {@link logAxis}; text that names a power of ten (an axis floor in a title) uses
 * {@link powerOfTen} so labels and titles read the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logAxis, powerOfTen } from "./axes.ts";
 * assert.equal(powerOfTen(-16), "10⁻¹⁶");
 * assert.equal(powerOfTen(3), "10³");
 * assert.match(String(logAxis().labelExpr), /datum\.value/);
 * ```
 * @module
 */

const SUPERSCRIPT_DIGITS = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];
const SUPERSCRIPT_MINUS = "⁻";

/**
 * `10` with `exponent` as a superscript: the text of a log-axis label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(powerOfTen(-7), "10⁻⁷");
 * assert.equal(powerOfTen(12), "10¹²");
 * assert.throws(() => powerOfTen(0.5), /integer/);
 * ```
 */
export function powerOfTen(exponent: number): string {
  if (!Number.isSafeInteger(exponent)) {
    throw new RangeError(`powerOfTen: exponent must be an integer, got ${exponent}`);
  }
  const digits = [...String(Math.abs(exponent))].map((digit) => SUPERSCRIPT_DIGITS[Number(digit)]);
  return `10${exponent < 0 ? SUPERSCRIPT_MINUS : ""}${digits.join("")}`;
}

// The same rule as a Vega expression, evaluated per tick (`datum.value`): exponents up to ±99.
const exponent = "round(log(datum.value) / LN10)";
const isPower = `abs(log(datum.value) / LN10 - ${exponent}) < 1e-6`;
const digits = `[${SUPERSCRIPT_DIGITS.map((d) => `'${d}'`).join(", ")}]`;
const superscript = `(${exponent} < 0 ? '${SUPERSCRIPT_MINUS}' : '') + ` +
  `(abs(${exponent}) >= 10 ? ${digits}[floor(abs(${exponent}) / 10)] : '') + ` +
  `${digits}[abs(${exponent}) % 10]`;

/** Vega expression of a log-axis label: `10ⁿ` at powers of ten, empty elsewhere. */
export const POWER_OF_TEN_LABEL = `${isPower} ? '10' + ${superscript} : ''`;

/** Vega expression true at the ticks that are powers of ten. */
export const IS_POWER_OF_TEN = isPower;

/**
 * Vega expression of the label of a tick whose value is an exponent (an axis of log10 values,
 * e.g. a histogram of log10 |f − f*|): `10ⁿ` at integers, empty elsewhere.
 */
export const EXPONENT_LABEL = POWER_OF_TEN_LABEL.replaceAll(
  "log(datum.value) / LN10",
  "datum.value",
);

/** Axis properties of {@link logAxis} (a Vega-Lite `axis` object). */
export interface LogAxisProperties {
  /** Label text (see {@link POWER_OF_TEN_LABEL}). */
  labelExpr: string;
  /** Grid lines at powers of ten only. */
  gridOpacity: { condition: { test: string; value: number }; value: number };
  /** Long ticks at powers of ten, short ones in between. */
  tickSize: { condition: { test: string; value: number }; value: number };
  /** Axis title (undefined: the field name; null: none). */
  title?: string | null;
}

/**
 * Vega-Lite axis properties for a log scale: labels `10ⁿ` at the powers of ten (and none in
 * between), grid lines there only, short minor ticks. An axis should span at least one power of
 * ten to carry a label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const axis = logAxis("iteration");
 * assert.equal(axis.title, "iteration");
 * assert.equal(axis.gridOpacity.value, 0);
 * ```
 */
export function logAxis(title?: string | null): LogAxisProperties {
  const axis: LogAxisProperties = {
    labelExpr: POWER_OF_TEN_LABEL,
    gridOpacity: { condition: { test: IS_POWER_OF_TEN, value: 1 }, value: 0 },
    tickSize: { condition: { test: IS_POWER_OF_TEN, value: 5 }, value: 2 },
  };
  if (title !== undefined) axis.title = title;
  return axis;
}
