/**
 * Builds the AssemblyScript core (`core-as/`) into SIMD WebAssembly, and rebuilds it only when
 * a source file, the compiler version or the flags change (a content hash is kept in a stamp
 * file beside the `.wasm`). The output is generated, never committed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureCoreBuilt } from "./build.ts";
 * const wasmPath: string = await ensureCoreBuilt();
 * assert.ok(wasmPath.endsWith(".wasm"));
 * ```
 * @module
 */

const coreDir: URL = new URL("../../core-as/", import.meta.url);
const sourceDir: URL = new URL("assembly/", coreDir);
const buildDir: URL = new URL("build/", coreDir);

/** Path of the built module (the threads variant that Deno loads). */
export const wasmUrl: URL = new URL("ufmlab.wasm", buildDir);

/**
 * Compiler flags. SIMD is on; relaxed SIMD is enabled for the opt-in fast-math kernels only
 * (gemm_fma_*: fused multiply-add is not bitwise reproducible across engines and CPUs; every
 * other kernel uses plain SIMD). `--runtime minimal` gives a TLSF heap with a working `free`.
 * Threads (lib/core/threads.ts): the memory is imported and shared (its maximum, 4 GiB, is
 * the 32-bit limit), and the start function is exported instead of run on instantiation, so
 * that thread instances on the same memory never touch the main instance's heap.
 */
export const ascFlags: readonly string[] = [
  "--enable",
  "simd",
  "--enable",
  "threads",
  "--enable",
  "relaxed-simd",
  "--runtime",
  "minimal",
  "-O3",
  "--noAssert",
  "--exportRuntime",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "64",
  "--maximumMemory",
  "65536",
  "--exportStart",
  "_start",
];

/**
 * Builds of the same sources: `threads` (the flags above: shared memory, what Deno loads) and
 * `single`, for web pages without cross-origin isolation, where a shared memory cannot be
 * created (the explorer, lib/explore/): the same kernels and SIMD flags on an imported
 * unshared memory, without the threads feature. Both compute the same numbers (the core never
 * uses atomics; threads only split work, lib/core/split.ts).
 */
export type CoreVariant = "threads" | "single";

/** Output file, stamp and compiler flags of each {@link CoreVariant}. */
export const coreVariants: Readonly<
  Record<CoreVariant, { wasm: URL; stamp: URL; flags: readonly string[] }>
> = {
  threads: { wasm: wasmUrl, stamp: new URL("ufmlab.stamp", buildDir), flags: ascFlags },
  single: {
    wasm: new URL("ufmlab-single.wasm", buildDir),
    stamp: new URL("ufmlab-single.stamp", buildDir),
    flags: ascFlags.filter((flag, i) =>
      flag !== "--sharedMemory" &&
      !(flag === "--enable" && ascFlags[i + 1] === "threads") &&
      !(flag === "threads" && ascFlags[i - 1] === "--enable")
    ),
  },
};

export { memoryPages } from "./imports.ts";

async function sourceFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(sourceDir)) {
    if (entry.isFile && entry.name.endsWith(".ts")) names.push(entry.name);
  }
  return names.sort();
}

async function ascVersion(): Promise<string> {
  const pkg = new URL("../../node_modules/assemblyscript/package.json", import.meta.url);
  try {
    return (JSON.parse(await Deno.readTextFile(pkg)) as { version: string }).version;
  } catch {
    throw new Error(
      "AssemblyScript is not installed (node_modules/assemblyscript missing): run `npm ci` first",
    );
  }
}

async function sourceHash(flags: readonly string[]): Promise<string> {
  const parts: string[] = [await ascVersion(), flags.join(" ")];
  for (const name of await sourceFiles()) {
    parts.push(name, await Deno.readTextFile(new URL(name, sourceDir)));
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, "0")).join("");
}

async function readStamp(wasm: URL, stamp: URL): Promise<string | null> {
  try {
    await Deno.stat(wasm);
    return (await Deno.readTextFile(stamp)).trim();
  } catch {
    return null;
  }
}

/**
 * Returns the path of an up-to-date core module, compiling it first if the sources changed.
 * Writes are atomic (temporary file + rename), so concurrent callers never see half a file.
 *
 * @param force compile even when the stamp matches.
 * @param variant which build ({@link CoreVariant}; default `threads`, the one Deno loads).
 * @returns the absolute path of `core-as/build/ufmlab.wasm` (`ufmlab-single.wasm`).
 */
export async function ensureCoreBuilt(
  force = false,
  variant: CoreVariant = "threads",
): Promise<string> {
  const { wasm, stamp, flags } = coreVariants[variant];
  const hash = await sourceHash(flags);
  if (!force && (await readStamp(wasm, stamp)) === hash) return wasm.pathname;
  await Deno.mkdir(buildDir, { recursive: true });
  const tmpWasm = new URL(`ufmlab.${crypto.randomUUID()}.wasm.tmp`, buildDir);
  const { main } = await import("assemblyscript/asc");
  let stderrText = "";
  const result = await main(
    [new URL("index.ts", sourceDir).pathname, "--outFile", tmpWasm.pathname, ...flags],
    {
      stdout: { write: (_chunk: unknown) => true } as never,
      stderr: {
        write: (chunk: unknown) => {
          stderrText += String(chunk);
          return true;
        },
      } as never,
    },
  );
  if (result.error) {
    throw new Error(`AssemblyScript build of core-as failed:\n${stderrText || result.error}`);
  }
  await Deno.rename(tmpWasm, wasm);
  const tmpStamp = new URL(`ufmlab.${crypto.randomUUID()}.stamp.tmp`, buildDir);
  await Deno.writeTextFile(tmpStamp, hash + "\n");
  await Deno.rename(tmpStamp, stamp);
  return wasm.pathname;
}
