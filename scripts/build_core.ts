/**
 * `deno task build`: compiles core-as to SIMD WebAssembly (only if sources changed;
 * `--force` always recompiles).
 * @module
 */
import { parseArgs } from "node:util";
import { ensureCoreBuilt } from "../lib/core/build.ts";

const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
const t0 = performance.now();
const path = await ensureCoreBuilt(values.force);
console.log(`core-as -> ${path} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
