/**
 * How fast networks collapse (figure D3; Yaras et al., NeurIPS 2022: "normalized features
 * collapse faster"): NC1 histories of several network variants over seeds, compared with a
 * reference variant evaluation by evaluation, and the finding text read off them.
 *
 * Conventions (NC1 on a log scale, as it is plotted):
 * - at each evaluated epoch a variant's NC1 is summarized by the mean m and the sample standard
 *   deviation s (n − 1) of log10 NC1 over its seeds (so the plotted mean is the geometric mean);
 * - a variant is **resolvably below** the reference at an epoch if m_v < m_ref − r with
 *   r = 2·(s_v²/S_v + s_ref²/S_ref)^{1/2} (S: seeds; 0.1 decades when a variant has one seed),
 *   above symmetrically; epoch 0 (the initialization) is left out;
 * - it **collapses faster** if it is below at more than half of the evaluations and above at
 *   none, **slower** in the mirror case, "no resolvable difference" if neither below nor above
 *   anywhere, else "mixed";
 * - it **reaches** the reference's final NC1 at the first evaluated epoch whose geometric mean is
 *   at most that value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collapseSpeedFinding, type VariantHistory } from "./collapse_speed.ts";
 * const epochs = [0, 10, 20, 30];
 * const plain: VariantHistory = { key: "plain", label: "plain", epochs,
 *   nc1: [[1, 0.5, 0.3, 0.3], [1.1, 0.6, 0.35, 0.32]] };
 * const normalized: VariantHistory = { key: "norm", label: "normalized", epochs,
 *   nc1: [[1, 0.05, 0.01, 0.005], [1.2, 0.06, 0.012, 0.006]] };
 * const finding = collapseSpeedFinding([plain, normalized], "plain");
 * assert.equal(finding.comparisons[0].verdict, "faster");
 * assert.equal(finding.comparisons[0].reachEpoch, 10);
 * assert.match(finding.text, /Normalized: .*collapses faster/);
 * ```
 * @module
 */
import type { FigureRow } from "../plot/csv.ts";

/** NC1 of one variant at its evaluated epochs, per seed. */
export interface VariantHistory {
  /** Machine key. */
  key: string;
  /** Display label. */
  label: string;
  /** Evaluated epochs (the same for every seed and variant). */
  epochs: readonly number[];
  /** nc1[seed][evaluation]; null where NC1 was undefined. */
  nc1: readonly (readonly (number | null)[])[];
}

/** Seed statistics of log10 NC1 at one evaluation. */
export interface LogStatistics {
  /** Evaluated epoch. */
  epoch: number;
  /** Mean of log10 NC1 over the seeds with a value (NaN if none). */
  mean: number;
  /** Sample standard deviation (n − 1) of log10 NC1 (0 for one value). */
  std: number;
  /** Number of seeds with a value. */
  count: number;
}

/** A variant against the reference. */
export interface SpeedComparison {
  /** The variant's key and label. */
  key: string;
  /** See `key`. */
  label: string;
  /** Evaluations compared (epoch > 0, values in both). */
  evaluations: number;
  /** Evaluations where the variant is resolvably below / above the reference. */
  below: number;
  /** See `below`. */
  above: number;
  /** The reading (module notes). */
  verdict: "faster" | "slower" | "no resolvable difference" | "mixed";
  /** First epoch at which the variant's NC1 ≤ the reference's final NC1 (null: never). */
  reachEpoch: number | null;
  /** Geometric-mean NC1 at the last evaluation. */
  finalNc1: number;
}

/** What {@link collapseSpeedFinding} read off the histories. */
export interface SpeedFinding {
  /** The reference's final NC1 (geometric mean over seeds) and when it first got there. */
  reference: { key: string; label: string; finalNc1: number; reachEpoch: number | null };
  /** Every other variant against the reference, in the order given. */
  comparisons: SpeedComparison[];
  /** The measured text. */
  text: string;
}

/**
 * log10 statistics of a history at every evaluation (see {@link LogStatistics}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const stats = logStatistics({ key: "a", label: "a", epochs: [0], nc1: [[10], [1000]] });
 * assert.deepEqual(stats[0], { epoch: 0, mean: 2, std: Math.SQRT2, count: 2 });
 * ```
 */
export function logStatistics(history: VariantHistory): LogStatistics[] {
  return history.epochs.map((epoch, i) => {
    const logs = history.nc1.flatMap((seed) => {
      const value = seed[i];
      return value !== null && value > 0 && Number.isFinite(value) ? [Math.log10(value)] : [];
    });
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const std = logs.length < 2
      ? 0
      : Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / (logs.length - 1));
    return { epoch, mean, std, count: logs.length };
  });
}

/** First epoch whose geometric-mean NC1 is at most `target`, or null. */
function reachEpoch(stats: readonly LogStatistics[], target: number): number | null {
  return stats.find((s) => s.count > 0 && 10 ** s.mean <= target)?.epoch ?? null;
}

/** Compares `variant` with `reference` (module notes); both must share their epochs. */
export function compareWithReference(
  variant: VariantHistory,
  reference: VariantHistory,
): SpeedComparison {
  if (variant.epochs.join() !== reference.epochs.join()) {
    throw new RangeError(`collapse speed: ${variant.key} and ${reference.key} differ in epochs`);
  }
  const own = logStatistics(variant), ref = logStatistics(reference);
  let below = 0, above = 0, evaluations = 0;
  own.forEach((v, i) => {
    const r = ref[i];
    if (v.epoch === 0 || v.count === 0 || r.count === 0) return;
    evaluations++;
    const resolution = v.count > 1 && r.count > 1
      ? 2 * Math.sqrt(v.std ** 2 / v.count + r.std ** 2 / r.count)
      : 0.1;
    if (v.mean < r.mean - resolution) below++;
    else if (v.mean > r.mean + resolution) above++;
  });
  const verdict: SpeedComparison["verdict"] = below === 0 && above === 0
    ? "no resolvable difference"
    : below > evaluations / 2 && above === 0
    ? "faster"
    : above > evaluations / 2 && below === 0
    ? "slower"
    : "mixed";
  const target = 10 ** ref[ref.length - 1].mean;
  return {
    key: variant.key,
    label: variant.label,
    evaluations,
    below,
    above,
    verdict,
    reachEpoch: reachEpoch(own, target),
    finalNc1: 10 ** own[own.length - 1].mean,
  };
}

/**
 * Every variant against the one keyed `referenceKey`, and the text: the reference's NC1, then per
 * variant its verdict, how many evaluations it is below / above, when it reaches the reference's
 * final NC1 and its own final NC1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const epochs = [0, 5, 10];
 * const a = { key: "a", label: "A", epochs, nc1: [[1, 0.5, 0.4], [1, 0.52, 0.41]] };
 * const b = { key: "b", label: "B", epochs, nc1: [[1, 0.9, 0.8], [1, 0.95, 0.82]] };
 * const finding = collapseSpeedFinding([a, b], "a");
 * assert.equal(finding.comparisons[0].verdict, "slower");
 * assert.match(finding.text, /B: .*collapses slower .* never reaches/);
 * ```
 */
export function collapseSpeedFinding(
  histories: readonly VariantHistory[],
  referenceKey: string,
): SpeedFinding {
  const reference = histories.find((h) => h.key === referenceKey);
  if (reference === undefined) throw new RangeError(`collapse speed: no variant ${referenceKey}`);
  const refStats = logStatistics(reference);
  const refFinal = 10 ** refStats[refStats.length - 1].mean;
  const comparisons = histories.filter((h) => h !== reference)
    .map((h) => compareWithReference(h, reference));
  const sci = (x: number) => x.toExponential(1);
  const seeds = reference.nc1.length;
  const refReach = reachEpoch(refStats, refFinal);
  const parts = comparisons.map((c) => {
    const verdict = c.verdict === "faster"
      ? "collapses faster"
      : c.verdict === "slower"
      ? "collapses slower"
      : c.verdict === "mixed"
      ? "neither consistently faster nor slower"
      : "no resolvable difference";
    const reach = c.reachEpoch === null
      ? "never reaches the reference's final NC1"
      : `reaches the reference's final NC1 at epoch ${c.reachEpoch} (the reference: ${refReach})`;
    const ratio = refFinal / c.finalNc1;
    const relative = ratio >= 1
      ? `×${ratio.toPrecision(2)} below the reference's`
      : `×${(1 / ratio).toPrecision(2)} above the reference's`;
    const label = c.label.charAt(0).toUpperCase() + c.label.slice(1);
    return `${label}: ${verdict} — resolvably below the reference at ${c.below} and above it ` +
      `at ${c.above} of ${c.evaluations} evaluations; ${reach}; final NC1 ${sci(c.finalNc1)} ` +
      `(${relative})`;
  });
  const text = `NC1 of the penultimate features (geometric mean over ${seeds} seeds; ` +
    `differences resolved against seed noise at each evaluation). Reference ` +
    `${reference.label}: NC1 ${sci(10 ** refStats[0].mean)} at epoch ${refStats[0].epoch} → ` +
    `${sci(refFinal)} at epoch ${refStats[refStats.length - 1].epoch}. ${parts.join(". ")}.`;
  return {
    reference: {
      key: reference.key,
      label: reference.label,
      finalNc1: refFinal,
      reachEpoch: refReach,
    },
    comparisons,
    text,
  };
}

/**
 * One sentence on a claim that "X collapses faster than Y" checked in several settings: "yes"
 * where the comparison's verdict is "faster", "NO" (with the verdict) elsewhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const faster = { key: "n", label: "n", evaluations: 10, below: 9, above: 0,
 *   verdict: "faster" as const, reachEpoch: 4, finalNc1: 1e-3 };
 * assert.equal(
 *   claimText("Normalized features collapse faster", [
 *     { setting: "learned classifier", comparison: faster },
 *     { setting: "fixed ETF classifier", comparison: { ...faster, verdict: "mixed" } },
 *   ]),
 *   "Normalized features collapse faster: learned classifier yes (below at 9 of 10 " +
 *     "evaluations, above at 0); fixed ETF classifier NO (mixed; below at 9 of 10, above at 0).",
 * );
 * ```
 */
export function claimText(
  claim: string,
  checks: readonly { setting: string; comparison: SpeedComparison }[],
): string {
  const parts = checks.map(({ setting, comparison: c }) =>
    c.verdict === "faster"
      ? `${setting} yes (below at ${c.below} of ${c.evaluations} evaluations, above at ${c.above})`
      : `${setting} NO (${c.verdict}; below at ${c.below} of ${c.evaluations}, above at ${c.above})`
  );
  return `${claim}: ${parts.join("; ")}.`;
}

/**
 * The final training losses of variants (lowest over seeds) against the lower bound f*(K, τ) of
 * the normalized ones, with a warning if a normalized variant went below it (which the spherical
 * UFM forbids: a bug, or f32 rounding at the bound).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const text = lossBoundText([
 *   { label: "plain", normalized: false, finalLosses: [1e-3, 2e-3] },
 *   { label: "normalized", normalized: true, finalLosses: [0.05, 0.06] },
 * ], 0.0342, 10, 5);
 * assert.match(text, /plain 1\.00e-3; normalized 5\.00e-2; .* f\*\(K = 10, τ = 5\) = 3\.420e-2/);
 * assert.match(text, /no normalized run went below it/);
 * ```
 */
export function lossBoundText(
  variants: readonly { label: string; normalized: boolean; finalLosses: readonly number[] }[],
  bound: number,
  classes: number,
  tau: number,
): string {
  const lowest = variants.map((v) => ({ ...v, lowest: Math.min(...v.finalLosses) }));
  const below = lowest.filter((v) => v.normalized && v.lowest < bound);
  return `Final training loss, lowest seed: ${
    lowest.map((v) => `${v.label} ${v.lowest.toExponential(2)}`).join("; ")
  }; the normalized networks' lower bound f*(K = ${classes}, τ = ${tau}) = ` +
    `${bound.toExponential(3)} — ${
      below.length === 0
        ? "no normalized run went below it"
        : `BELOW it: ${below.map((v) => v.label).join(", ")}`
    }.`;
}

/**
 * The {@link VariantHistory} of runs (one per seed, the same evaluation epochs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const runs = [1, 2].map((s) => ({ evals: [{ epoch: 0, nc1: s }, { epoch: 5, nc1: null }] }));
 * assert.deepEqual(variantHistory("a", "A", runs).nc1, [[1, null], [2, null]]);
 * ```
 */
export function variantHistory(
  key: string,
  label: string,
  runs: readonly { evals: readonly { epoch: number; nc1: number | null }[] }[],
): VariantHistory {
  return {
    key,
    label,
    epochs: runs[0].evals.map((e) => e.epoch),
    nc1: runs.map((run) => run.evals.map((e) => e.nc1)),
  };
}

/**
 * Tidy figure rows of a history: `kind: "nc1"` with the geometric mean over seeds per epoch and
 * `kind: "nc1_seed"` with each seed's value (`seeds[i]` names seed i), every row extended by
 * `cell`; null where a value is missing or not positive (a gap on a log axis).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const history = { key: "a", label: "A", epochs: [0], nc1: [[10], [1000]] };
 * const rows = historyRows(history, { variant: "a" }, [1, 2]);
 * assert.deepEqual(rows[0], { kind: "nc1", variant: "a", epoch: 0, seed: null, value: 100 });
 * assert.equal(rows.length, 3);
 * ```
 */
export function historyRows(
  history: VariantHistory,
  cell: FigureRow,
  seeds: readonly number[],
): FigureRow[] {
  const positive = (value: number | null) => (value !== null && value > 0 ? value : null);
  const rows: FigureRow[] = logStatistics(history).map((s) => ({
    kind: "nc1",
    ...cell,
    epoch: s.epoch,
    seed: null,
    value: s.count > 0 ? positive(10 ** s.mean) : null,
  }));
  history.nc1.forEach((values, i) =>
    values.forEach((value, e) =>
      rows.push({
        kind: "nc1_seed",
        ...cell,
        epoch: history.epochs[e],
        seed: seeds[i],
        value: positive(value),
      })
    )
  );
  return rows;
}
