// Test helper: the Vega-Lite compiler warnings of a complete spec (compiler errors throw), so a
// test can require that a figure spec compiles cleanly.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Compiles a Vega-Lite spec and returns the compiler's warnings (errors throw). */
export function vegaLiteWarnings(spec: TopLevelSpec): string[] {
  const warnings: string[] = [];
  const logger: vega.LoggerInterface = {
    level: () => vega.Warn,
    error(...args: unknown[]) {
      throw new Error(args.join(" "));
    },
    warn(...args: unknown[]) {
      warnings.push(args.join(" "));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  compile(spec, { logger });
  return warnings;
}
