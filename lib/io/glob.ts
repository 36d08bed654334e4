/**
 * Shell-style wildcards for file arguments (`--features 'feats_*.npy'`, `--track
 * 'ckpt/epoch_*'`): `*` (any run of characters except `/`), `?` (one character) and `[...]`
 * (a character class) in any path segment; no `**`. Matches come back in natural order, so
 * `feats_2.npy` sorts before `feats_10.npy` and shards line up with their label shards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { naturalCompare } from "./glob.ts";
 * assert.deepEqual(["b_10", "b_9", "a"].sort(naturalCompare), ["a", "b_9", "b_10"]);
 * ```
 * @module
 */
import { join } from "node:path";

/** Whether `text` contains a wildcard (`*`, `?` or `[`). */
export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Compares strings with runs of digits compared as numbers ("epoch_9" < "epoch_10").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(naturalCompare("x2", "x10") < 0);
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  const split = (text: string) => text.match(/\d+|\D+/g) ?? [];
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [x, y] = [left[i], right[i]];
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** A regular expression for one path segment with wildcards. */
function segmentPattern(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) {
        source += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close).replace(/\\/g, "\\\\");
      if (body.startsWith("!")) body = "^" + body.slice(1);
      source += `[${body}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * The paths matching `pattern`, in natural order. A pattern without wildcards returns itself
 * (whether or not it exists: the reader reports a missing file). A trailing `/` matches
 * directories only. Hidden entries (starting with `.`) match only a segment that starts with
 * `.` (as in a shell).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * for (const name of ["f_10.npy", "f_2.npy", "g.npy"]) await Deno.writeTextFile(`${dir}/${name}`, "");
 * assert.deepEqual(await expandGlob(`${dir}/f_*.npy`), [`${dir}/f_2.npy`, `${dir}/f_10.npy`]);
 * ```
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  if (!hasWildcard(pattern)) return [pattern];
  const directoriesOnly = pattern.endsWith("/");
  const trimmed = directoriesOnly ? pattern.replace(/\/+$/, "") : pattern;
  const absolute = trimmed.startsWith("/");
  const segments = trimmed.split("/").filter((segment) => segment !== "");
  let paths = [absolute ? "/" : ""];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      if (!hasWildcard(segment)) {
        next.push(base === "" ? segment : join(base, segment));
        continue;
      }
      const matcher = segmentPattern(segment);
      let entries: Deno.DirEntry[] = [];
      try {
        entries = await Array.fromAsync(Deno.readDir(base === "" ? "." : base));
      } catch {
        continue; // a missing or unreadable directory matches nothing
      }
      for (const entry of entries) {
        if (entry.name.startsWith(".") && !segment.startsWith(".")) continue;
        if (!matcher.test(entry.name)) continue;
        const isDirectory = entry.isDirectory ||
          (entry.isSymlink && (await Deno.stat(join(base || ".", entry.name)).catch(() => null))
                ?.isDirectory === true);
        if (!last && !isDirectory) continue;
        if (last && directoriesOnly && !isDirectory) continue;
        next.push(base === "" ? entry.name : join(base, entry.name));
      }
    }
    paths = next;
  }
  return paths.sort(naturalCompare);
}
