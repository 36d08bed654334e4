/**
 * Atomic file writes: the text goes to a temporary file in the destination's own directory,
 * which is then renamed over the destination. A rename within one file system is atomic, so a
 * reader (or a second writer racing this one) sees either the old file or the new one, never
 * half a file, and a crash mid-write leaves the old file intact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeJsonAtomic, writeTextFileAtomic } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeTextFileAtomic(`${dir}/A1.csv`, "x,y\n1,2\n");
 * await writeJsonAtomic(`${dir}/summary.json`, { ok: true });
 * assert.equal(await Deno.readTextFile(`${dir}/A1.csv`), "x,y\n1,2\n");
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/summary.json`)), { ok: true });
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

function toPath(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : path;
}

/**
 * Writes `bytes` to `path` atomically, creating the parent directory if needed.
 * The temporary file is `.<name>.<pid>.<random>.tmp` beside the destination (same file system,
 * so the rename cannot degrade to a copy) and is removed if anything fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/sub/out.bin`, new Uint8Array([1, 2, 3])); // creates sub/
 * assert.deepEqual(await Deno.readFile(`${dir}/sub/out.bin`), new Uint8Array([1, 2, 3]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string | URL, bytes: Uint8Array): Promise<void> {
  const target = toPath(path);
  const dir = dirname(target);
  await Deno.mkdir(dir, { recursive: true });
  const nonce = crypto.getRandomValues(new Uint32Array(1))[0].toString(16);
  const temp = `${dir}/.${basename(target)}.${Deno.pid}.${nonce}.tmp`;
  try {
    await Deno.writeFile(temp, bytes);
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * {@link writeFileAtomic}, synchronously (for hooks that run inside a synchronous loop, e.g.
 * the checkpoints `train --save-every` writes during training).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomicSync(`${dir}/out.bin`, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(Deno.readFileSync(`${dir}/out.bin`), new Uint8Array([1, 2, 3]));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeFileAtomicSync(path: string | URL, bytes: Uint8Array): void {
  const target = toPath(path);
  const dir = dirname(target);
  Deno.mkdirSync(dir, { recursive: true });
  const nonce = crypto.getRandomValues(new Uint32Array(1))[0].toString(16);
  const temp = `${dir}/.${basename(target)}.${Deno.pid}.${nonce}.tmp`;
  try {
    Deno.writeFileSync(temp, bytes);
    Deno.renameSync(temp, target);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // nothing to clean up
    }
    throw error;
  }
}

/**
 * Writes `text` (UTF-8) to `path` atomically ({@link writeFileAtomic}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await writeTextFileAtomic(path, "hello\n");
 * assert.equal(await Deno.readTextFile(path), "hello\n");
 * await Deno.remove(path);
 * ```
 */
export async function writeTextFileAtomic(path: string | URL, text: string): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Options for {@link writeJsonAtomic}. */
export interface JsonWriteOptions {
  /** Indentation passed to `JSON.stringify` (default 2; 0 writes one line). */
  indent?: number;
}

/**
 * Writes `value` as JSON (plus a trailing newline) to `path` atomically.
 *
 * Non-finite numbers are rejected instead of being silently turned into `null` by
 * `JSON.stringify`: a NaN in a result file is a bug to report, not a value to hide.
 * Use `null` explicitly for "no value".
 *
 * @throws {Error} naming the key path of the first NaN or ±Infinity.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await writeJsonAtomic(path, { id: "A1", seconds: 1.5 });
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { id: "A1", seconds: 1.5 });
 * await Deno.remove(path);
 * ```
 */
export async function writeJsonAtomic(
  path: string | URL,
  value: unknown,
  options: JsonWriteOptions = {},
): Promise<void> {
  await writeTextFileAtomic(path, jsonText(value, options));
}

/**
 * The text {@link writeJsonAtomic} writes: `JSON.stringify` with `indent` (default 2) plus a
 * trailing newline, after rejecting NaN/±Infinity anywhere in `value`. Useful for validating
 * several files before writing any of them.
 *
 * @throws {Error} naming the key path of the first non-finite number, e.g. `$.rows[3].loss`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(jsonText({ a: [1, 2] }, { indent: 0 }), '{"a":[1,2]}\n');
 * assert.throws(() => jsonText({ a: NaN }));
 * ```
 */
export function jsonText(value: unknown, options: JsonWriteOptions = {}): string {
  assertFiniteJson(value, "$");
  const text = JSON.stringify(value, null, options.indent ?? 2);
  if (text === undefined) throw new Error("jsonText: value is not representable as JSON");
  return text + "\n";
}

function assertFiniteJson(value: unknown, where: string): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`JSON value ${where} is ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertFiniteJson(item, `${where}[${i}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) assertFiniteJson(item, `${where}.${key}`);
  }
}
