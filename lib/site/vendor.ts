/**
 * Third-party files the site serves itself, copied from node_modules into `<site>/vendor/`: the
 * vega, vega-lite and vega-embed browser bundles (with their source maps, so a browser's
 * developer tools request nothing that is missing), the DejaVu Sans font the figures name, and
 * the licenses of all of them. Nothing is fetched from a CDN at view time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyVendorFiles, defaultNodeModulesDir } from "./vendor.ts";
 * const dir = await Deno.makeTempDir();
 * const { versions } = await copyVendorFiles(defaultNodeModulesDir(), dir);
 * assert.match(versions.vega, /^\d+\.\d+\.\d+$/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** One file copied into `vendor/`. */
export interface VendorFile {
  /** Path below node_modules, e.g. "vega/build/vega.min.js". */
  from: string;
  /** File name inside `vendor/`. */
  to: string;
  /** Skip silently when absent (source maps); otherwise a missing file is an error. */
  optional?: boolean;
}

/** Everything copied into `vendor/` (package versions are pinned in package.json). */
export const VENDOR_FILES: readonly VendorFile[] = [
  { from: "vega/build/vega.min.js", to: "vega.min.js" },
  { from: "vega-lite/build/vega-lite.min.js", to: "vega-lite.min.js" },
  { from: "vega-lite/build/vega-lite.min.js.map", to: "vega-lite.min.js.map", optional: true },
  { from: "vega-embed/build/vega-embed.min.js", to: "vega-embed.min.js" },
  { from: "vega-embed/build/vega-embed.min.js.map", to: "vega-embed.min.js.map", optional: true },
  { from: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf", to: "DejaVuSans.ttf" },
  { from: "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", to: "DejaVuSans-Bold.ttf" },
  { from: "vega/LICENSE", to: "LICENSE-vega.txt" },
  { from: "vega-lite/LICENSE", to: "LICENSE-vega-lite.txt" },
  { from: "vega-embed/LICENSE", to: "LICENSE-vega-embed.txt" },
  { from: "dejavu-fonts-ttf/LICENSE", to: "LICENSE-dejavu-fonts.txt" },
];

/** Packages whose versions are reported (footer of every page). */
export const VENDOR_PACKAGES: readonly string[] = ["vega", "vega-lite", "vega-embed"];

/** `<repo>/node_modules`, resolved from this module's location. */
export function defaultNodeModulesDir(): string {
  return fileURLToPath(new URL("../../node_modules", import.meta.url));
}

/** Result of {@link copyVendorFiles}. */
export interface VendorCopy {
  /** Names written into `vendor/`. */
  files: string[];
  /** Version of each of {@link VENDOR_PACKAGES}, from its package.json. */
  versions: Record<string, string>;
}

/**
 * Copies {@link VENDOR_FILES} from `nodeModulesDir` into `<siteDir>/vendor/` (created if
 * needed) and reads the bundled packages' versions.
 *
 * @throws {Error} naming the first missing required file (run `npm ci`).
 */
export async function copyVendorFiles(
  nodeModulesDir: string,
  siteDir: string,
  files: readonly VendorFile[] = VENDOR_FILES,
): Promise<VendorCopy> {
  const vendorDir = join(siteDir, "vendor");
  await Deno.mkdir(vendorDir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const source = join(nodeModulesDir, file.from);
    try {
      await Deno.copyFile(source, join(vendorDir, file.to));
      written.push(file.to);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      if (file.optional) continue;
      throw new Error(`${source} is missing (run \`npm ci\`)`);
    }
  }
  const versions: Record<string, string> = {};
  for (const name of VENDOR_PACKAGES) {
    const packageJson = join(nodeModulesDir, name, "package.json");
    try {
      versions[name] = String(JSON.parse(await Deno.readTextFile(packageJson)).version);
    } catch {
      // Only shown in the footer; a missing package.json already failed the copy above.
      versions[name] = "unknown";
    }
  }
  return { files: written, versions };
}
