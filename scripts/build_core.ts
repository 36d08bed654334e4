/**
 * `deno task build`: compiles core-as to SIMD WebAssembly (only if sources changed;
 * `--force` always recompiles).
 * @module
 */
import { parseFlags, runCli } from "../lib/cli.ts";
import { ensureCoreBuilt } from "../lib/core/build.ts";

const usage = "Usage: npx deno task build [--force]\n\n" +
  "Compiles core-as/assembly/*.ts to SIMD WebAssembly (core-as/build/), only when the sources,\n" +
  "the AssemblyScript version or the flags changed.";

await runCli(async () => {
  const values = parseFlags(Deno.args, {
    force: { type: "boolean", default: false, help: "recompile even if nothing changed" },
  }, usage);
  if (values === null) return;
  const t0 = performance.now();
  const path = await ensureCoreBuilt(values.force as boolean);
  console.log(`core-as -> ${path} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
});
