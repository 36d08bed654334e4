/**
 * The papers the figures reproduce, keyed by the `paper` field of `<id>.meta.json` (README,
 * "Papers to cite"). A key without an entry here still gets its own page, titled "Paper <key>",
 * so a new experiment never needs a change in the site code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paperInfo, paperPageName } from "./papers.ts";
 * assert.equal(paperInfo("A").short, "Tirer & Bruna 2022");
 * assert.equal(paperPageName("A"), "paper-a.html");
 * ```
 * @module
 */

/** How a paper is named on the site. */
export interface PaperInfo {
  /** The meta `paper` key, e.g. "A". */
  key: string;
  /** Short name, e.g. "Tirer & Bruna 2022". */
  short: string;
  /** Full citation (authors, title, venue), or null for an unknown key. */
  citation: string | null;
}

const KNOWN_PAPERS: Record<string, Omit<PaperInfo, "key">> = {
  A: {
    short: "Tirer & Bruna 2022",
    citation: "T. Tirer and J. Bruna. Extended Unconstrained Features Model for Exploring Deep " +
      "Neural Collapse. ICML 2022.",
  },
  B: {
    short: "Zhou et al. 2022",
    citation: "J. Zhou, C. You, X. Li, K. Liu, S. Liu, Q. Qu, Z. Zhu. Are All Losses Created " +
      "Equal: A Neural Collapse Perspective. NeurIPS 2022.",
  },
  C: {
    short: "Imbalanced & multi-label UFM",
    citation: "C. Fang, H. He, Q. Long, W. J. Su. Exploring Deep Neural Networks via " +
      "Layer-Peeled Model: Minority Collapse in Imbalanced Training. PNAS 2021; P. Li, X. Li, " +
      "Y. Wang, Q. Qu. Neural Collapse in Multi-label Learning with Pick-all-label Loss. ICML 2024.",
  },
  D: {
    short: "Normalized features & GNC",
    citation: "C. Yaras, P. Wang, Z. Zhu, L. Balzano, Q. Qu. Neural Collapse with Normalized " +
      "Features: A Geometric Analysis over the Riemannian Manifold. NeurIPS 2022; J. Jiang, " +
      "J. Zhou, P. Wang, Q. Qu, D. Mixon, C. You, Z. Zhu. Generalized Neural Collapse for a " +
      "Large Number of Classes. ICML 2024.",
  },
};

/**
 * The display names of paper `key`; an unknown key gets `short = "Paper <key>"` and no
 * citation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(paperInfo("Z9").short, "Paper Z9");
 * ```
 */
export function paperInfo(key: string): PaperInfo {
  const known = Object.hasOwn(KNOWN_PAPERS, key) ? KNOWN_PAPERS[key] : undefined;
  return known ? { key, ...known } : { key, short: `Paper ${key}`, citation: null };
}

/**
 * The page file of paper `key`: `paper-<slug>.html`, the slug being the key lower-cased with
 * every run of characters outside `[a-z0-9]` replaced by `-` (empty → `other`). Distinct keys
 * can share a slug ("A" and "a"); {@link assignPageNames} resolves that.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(paperPageName("B"), "paper-b.html");
 * ```
 */
export function paperPageName(key: string): string {
  const slug = key.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `paper-${slug === "" ? "other" : slug}.html`;
}

/**
 * One distinct page file per paper key, in the given order: {@link paperPageName}, with `-2`,
 * `-3`… appended on a collision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual([...assignPageNames(["A", "a"])], [["A", "paper-a.html"], ["a", "paper-a-2.html"]]);
 * ```
 */
export function assignPageNames(keys: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const key of keys) {
    if (names.has(key)) continue;
    const base = paperPageName(key).slice(0, -".html".length);
    let name = `${base}.html`;
    for (let suffix = 2; used.has(name); suffix++) name = `${base}-${suffix}.html`;
    used.add(name);
    names.set(key, name);
  }
  return names;
}
