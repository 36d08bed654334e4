/**
 * The explorer's settings form and URL, as pure functions of the flag table the worker sends
 * (lib/explore/session.ts `explorerTable`): which fields a model, loss, bias and optimizer use
 * (the others are hidden unless they hold a value — then they stay, are sent, and the shared
 * parser names them), the settings a form holds as `solve` flag names and values, and the URL
 * query that carries them (`explore.html?model=ufm&loss=mse&K=4&…&run=1`).
 *
 * Nothing here validates: every value goes to the shared `solve` parser as typed, so the page
 * refuses exactly what `deno task solve` refuses, with its message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formEntries, parseQuery, queryString } from "./form.ts";
 * import { explorerTable } from "./session.ts";
 * const table = explorerTable();
 * const { entries, run } = parseQuery("?model=ufm&loss=mse&K=4&n=5&lambda-w=0.1&run=1");
 * assert.equal(run, true);
 * assert.deepEqual(entries.map(([name]) => name), ["model", "loss", "K", "n", "lambda-w"]);
 * // A form holding those values sends what differs from the defaults:
 * const values = Object.fromEntries(entries);
 * assert.deepEqual(formEntries(table, values), [["K", "4"], ["n", "5"], ["lambda-w", "0.1"]]);
 * assert.equal(queryString(formEntries(table, values), true), "?K=4&n=5&lambda-w=0.1&run=1");
 * ```
 * @module
 */
import type { ExplorerEntries, ExplorerFlag, ExplorerTable } from "./session.ts";

/** The URL key that starts the run on load (`run=1`); every other key is a `solve` flag. */
export const RUN_KEY = "run";

/** Field groups of the form, in order; flags not listed join the last group. */
export const FORM_GROUPS: readonly { title: string; flags: readonly string[] }[] = [
  { title: "Model", flags: ["model"] },
  {
    title: "Loss and classifier",
    flags: ["loss", "alpha", "beta", "target-scale", "bias", "lambda-b"],
  },
  { title: "Classes and features", flags: ["K", "n", "counts", "n-multi", "d"] },
  { title: "Regularization", flags: ["lambda-w", "lambda-h", "norm"] },
  {
    title: "Optimizer",
    flags: [
      "optimizer",
      "lr",
      "momentum",
      "iters",
      "tol",
      "seed",
      "init-std",
      "dtype",
      "precondition",
      "path",
      "certify",
    ],
  },
];

/** Readable labels of the flags (the flag name is shown beside them). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  model: "model",
  loss: "loss",
  alpha: "label smoothing α",
  beta: "focal β",
  "target-scale": "MSE target scale s",
  bias: "bias",
  "lambda-b": "bias decay λ_b",
  K: "classes K",
  n: "samples per class n",
  counts: "class sizes n_k",
  "n-multi": "samples per class pair",
  d: "feature dimension d",
  "lambda-w": "classifier decay λ_W",
  "lambda-h": "feature decay λ_H",
  norm: "λ convention",
  optimizer: "optimizer",
  lr: "step size",
  momentum: "momentum μ",
  iters: "max iterations",
  tol: "tolerance on ‖∇f‖",
  seed: "seed",
  "init-std": "init std",
  dtype: "element type",
  precondition: "preconditioner",
  path: "path",
  certify: "certify",
  depth: "depth (weight layers)",
  hidden: "hidden widths",
  "lambda-ws": "λ per layer",
  "lambda-w1": "λ of W1",
  "lambda-w2": "λ of W2",
  tau: "temperature τ",
};

/** The group a flag belongs to (model-specific flags join "Model"). */
export function groupOf(flag: ExplorerFlag): string {
  if (flag.models !== null) return FORM_GROUPS[0].title;
  const group = FORM_GROUPS.find((candidate) => candidate.flags.includes(flag.name));
  return group?.title ?? FORM_GROUPS[FORM_GROUPS.length - 1].title;
}

/** The value a select shows when the user left it alone. */
export function selectDefault(flag: ExplorerFlag): string {
  const fallback = flag.spec.default;
  return typeof fallback === "string" && flag.choices?.includes(fallback) ? fallback : "";
}

/** True when the field holds something the user set (a select off its default, a typed value). */
export function isSet(flag: ExplorerFlag, value: string | undefined): boolean {
  if (value === undefined || value.trim() === "") return false;
  return flag.choices === null || value !== selectDefault(flag);
}

const firstOrder = ["gd", "momentum", "nesterov"];

/**
 * Whether a field applies to the current settings: model flags to their models, the loss,
 * bias and optimizer parameters to their loss, bias mode and method; fields a model rejects
 * are hidden. A field that holds a value is always shown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explorerTable } from "./session.ts";
 * const table = explorerTable();
 * const tau = table.flags.find((flag) => flag.name === "tau")!;
 * assert.equal(fieldApplies(tau, { model: "sphere" }), true);
 * assert.equal(fieldApplies(tau, { model: "ufm" }), false);
 * assert.equal(fieldApplies(tau, { model: "ufm", tau: "2" }), true); // shown: it holds a value
 * ```
 */
export function fieldApplies(
  flag: ExplorerFlag,
  values: Readonly<Record<string, string>>,
): boolean {
  if (isSet(flag, values[flag.name])) return true;
  const model = values.model || "ufm";
  const loss = values.loss || "mse";
  const dtype = values.dtype || "f64";
  const optimizer = values.optimizer || (dtype === "f32" ? "nesterov" : "lbfgs");
  if (flag.models !== null) return flag.models.includes(model);
  if (flag.rejectedBy.includes(model)) return false;
  switch (flag.name) {
    case "alpha":
      return loss === "ls";
    case "beta":
      return loss === "fl";
    case "target-scale":
      return loss === "mse";
    case "n-multi":
      return loss === "pal";
    case "lambda-b":
      return (values.bias || "none") === "reg";
    case "lr":
      return firstOrder.includes(optimizer);
    case "momentum":
      return optimizer === "momentum" || optimizer === "nesterov";
    case "precondition":
      return model === "ufm";
    default:
      return true;
  }
}

/**
 * The settings a form holds, as `solve` flag/value pairs in table order: every field that
 * applies (or holds a value) and is set — text typed, a select moved off its default.
 */
export function formEntries(
  table: ExplorerTable,
  values: Readonly<Record<string, string>>,
): [string, string][] {
  return table.flags
    .filter((flag) => isSet(flag, values[flag.name]) && fieldApplies(flag, values))
    .map((flag) => [flag.name, values[flag.name].trim()]);
}

/**
 * Settings and the `run` switch from a URL query string. Every key but `run` is kept as given
 * (unknown and repeated keys included: the parser names them).
 */
export function parseQuery(search: string): { entries: [string, string][]; run: boolean } {
  const params = new URLSearchParams(search);
  const entries: [string, string][] = [];
  let run = false;
  for (const [key, value] of params) {
    if (key === RUN_KEY) run = value !== "0" && value !== "false";
    else entries.push([key, value]);
  }
  return { entries, run };
}

/**
 * The query string (`?…`, or "" for no settings) of settings, with `run=1` when asked; commas
 * stay readable (`counts=5,3,2`).
 */
export function queryString(entries: ExplorerEntries, run = false): string {
  const pairs = [...entries, ...(run ? [[RUN_KEY, "1"] as const] : [])];
  const encode = (text: string): string => encodeURIComponent(text).replaceAll("%2C", ",");
  const text = pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
  return text === "" ? "" : `?${text}`;
}

/** The flag a parser message names (`--K: …` → "K"), if it is one of the table's. */
export function flagOfMessage(table: ExplorerTable, message: string): string | null {
  const match = /^--([A-Za-z][A-Za-z0-9-]*)/.exec(message) ??
    /^Unknown option '--([^']+)'/.exec(message);
  if (match === null) return null;
  return table.flags.some((flag) => flag.name === match[1]) ? match[1] : null;
}
