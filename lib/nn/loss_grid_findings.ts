/**
 * Figure B4's reading of paper B's loss grid on MNIST (docs/experiments.md#b4): which runs fit
 * their training set, how far NC1 falls per loss, the test-accuracy gaps to CE at the grid's
 * corners against seed noise, and where MNIST differs from the papers' CIFAR results. B6 reads
 * its grid with findings.ts's `gapFindingText` instead; both share the statistics of findings.ts.
 *
 * Conventions (gaps and noise in percentage points, as findings.ts):
 * - "narrow, short" cells are those with width below the middle width and budget at most the
 *   second budget, "wide, long" those with width at least the middle width and budget at least
 *   the second budget; their mean gaps are compared;
 * - the gaps **shrink** if the wide-long mean is below the narrow-short one; otherwise they are
 *   **within noise** if both are below 2σ_gap (two standard deviations of a difference of two
 *   seed means), else they **grow**;
 * - a loss **collapses** when the seed-mean NC1 curve at the widest network and longest budget
 *   falls at least 10× from its peak.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gapTrend } from "./loss_grid_findings.ts";
 * assert.equal(gapTrend({ narrowShort: 0.8, wideLong: 0.2, gapNoise: 0.3 }), "shrinks");
 * assert.equal(gapTrend({ narrowShort: 0.2, wideLong: 0.3, gapNoise: 0.3 }), "within noise");
 * assert.equal(gapTrend({ narrowShort: 0.2, wideLong: 0.9, gapNoise: 0.3 }), "grows");
 * ```
 * @module
 */
import {
  cellKey,
  type FitRun,
  gapNoiseOf,
  gapsToReference,
  meanGap,
  seedNoise,
} from "./findings.ts";
import {
  type DynamicsSummary,
  dynamicsSummary,
  gridCells,
  type LossGrid,
  type LossLabel,
  meanTestAcc,
} from "./loss_grid_figure.ts";

/** A run of the grid as the reading needs it. */
export interface GridRun extends FitRun {
  /** First evaluated epoch at 100% training accuracy (null: never). */
  first_epoch_at_100: number | null;
}

/** What {@link readLossGrid} reads off a grid (plain data, so the text can be tested alone). */
export interface LossGridReading {
  /** Losses, the reference (CE) first. */
  losses: readonly LossLabel[];
  /** Widths, ascending. */
  widths: readonly number[];
  /** Epoch budgets, ascending (at least two). */
  budgets: readonly number[];
  /** Seeds per cell. */
  seeds: number;
  /** Every run of the grid, in grid order (loss, width, budget, seed). */
  runs: readonly GridRun[];
  /** Dynamics at the widest network and longest budget, by legend label. */
  dynamics: Record<string, DynamicsSummary>;
  /** Mean test accuracy (fraction) by legend label, then {@link cellKey}. */
  testAccuracy: Record<string, Record<string, number>>;
  /** Gap |Acc_ref − Acc_X| (pp) by legend label of X ≠ reference, then cell. */
  gaps: Record<string, Record<string, number>>;
  /** Seed noise σ of one test accuracy (pp, findings.ts `seedNoise`). */
  noise: number;
  /** MSE target scale s (NC4 of MSE with a bias → s/√K), or null without MSE. */
  mseTargetScale: number | null;
}

/** Reads a finished grid: runs, dynamics at its corner, accuracies, gaps and seed noise. */
export function readLossGrid(grid: LossGrid): LossGridReading {
  const widest = grid.widths.at(-1)!, longest = grid.budgets.at(-1)!;
  const cells = gridCells(grid);
  const labelOf = new Map(grid.losses.map((l) => [l.loss, l.label]));
  const gapsByLoss = gapsToReference(cells, grid.losses[0].loss);
  const byLabel = <T>(entries: [string, T][]) =>
    Object.fromEntries(entries.map(([loss, value]) => [labelOf.get(loss)!, value]));
  const cellsOf = (loss: string) =>
    grid.widths.flatMap((w) =>
      grid.budgets.map((e) => [cellKey(w, e), meanTestAcc(grid, loss, w, e)])
    );
  const mse = grid.losses.find((l) => l.loss === "mse");
  return {
    losses: grid.losses,
    widths: grid.widths,
    budgets: grid.budgets,
    seeds: grid.seeds.length,
    runs: grid.losses.flatMap(({ loss }) =>
      grid.widths.flatMap((w) =>
        grid.budgets.flatMap((e) =>
          grid.runsOf(loss, w, e).map((r) => ({
            train_acc: r.train_acc,
            config: r.config,
            first_epoch_at_100: r.terminal.first_epoch_at_100,
          }))
        )
      )
    ),
    dynamics: byLabel(
      grid.losses.map(({ loss }) => [loss, dynamicsSummary(grid.runsOf(loss, widest, longest))]),
    ),
    testAccuracy: byLabel(grid.losses.map(({ loss }) => [loss, Object.fromEntries(cellsOf(loss))])),
    gaps: byLabel(Object.entries(gapsByLoss)),
    noise: seedNoise(cells),
    mseTargetScale: mse === undefined
      ? null
      : grid.runsOf(mse.loss, widest, longest)[0].config.targetScale,
  };
}

/** The reading of the gaps to the reference: see the module notes. */
export type GapTrendVerdict = "shrinks" | "within noise" | "grows";

/** Mean gaps (pp) of the narrow-short and wide-long cells against σ_gap: the verdict. */
export function gapTrend(
  gaps: { narrowShort: number; wideLong: number; gapNoise: number },
): GapTrendVerdict {
  if (gaps.wideLong < gaps.narrowShort) return "shrinks";
  return Math.max(gaps.wideLong, gaps.narrowShort) < 2 * gaps.gapNoise ? "within noise" : "grows";
}

/** What figure B4's text needs besides the grid. */
export interface LossGridContext {
  /** Training images per class. */
  trainPerClass: number;
  /** Number of classes K. */
  classes: number;
  /** Epoch of the first lr decay of the longest budget. */
  firstDecay: number;
  /** Seed of the protocol comparison (panel d). */
  ablationSeed: number;
  /** The comparison's NC1 falls in words (protocol_ablation.ts `protocolText`). */
  ablationText: string;
}

/** {@link lossGridFinding}'s text and the verdicts and numbers behind it. */
export interface LossGridFinding {
  /** The measured text. */
  text: string;
  /** Runs at 100% training accuracy, of `runs`. */
  fitted: number;
  /** Mean gap (pp) of the narrow-short cells. */
  narrowShort: number;
  /** Mean gap (pp) of the wide-long cells. */
  wideLong: number;
  /** σ_gap: standard deviation of a gap under seed noise (pp). */
  gapNoise: number;
  /** How the gaps change from narrow-short to wide-long. */
  trend: GapTrendVerdict;
  /** Labels of the losses whose NC1 fell at least 10× from its peak. */
  collapsed: string[];
  /** Labels of the losses whose NC1 fell at least 10× after 100% training accuracy. */
  collapsedAfterFit: string[];
  /** The reference's test accuracy at the widest network fell from the second-longest budget. */
  longRunCost: boolean;
}

/**
 * How many runs fit their training set, as B4 has always said it: "Training accuracy reached
 * 100% in k of m runs" and, if not all did, the first `show` runs that did not, in grid order
 * (B6 names the lowest instead: findings.ts `trainingFitText`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridFitText } from "./loss_grid_findings.ts";
 * const config = { loss: "fl", width: 64, epochs: 50, seed: 2 };
 * assert.equal(
 *   gridFitText([{ train_acc: 1, config }, { train_acc: 0.9985, config }]),
 *   "Training accuracy reached 100% in 1 of 2 runs (not: fl w64 E50 s2 (99.85%))",
 * );
 * ```
 */
export function gridFitText(runs: readonly FitRun[], show = 8): string {
  const notFitted = runs.filter((r) => r.train_acc < 1).map(({ config: c, train_acc }) =>
    `${c.loss} w${c.width} E${c.epochs} s${c.seed} (${(100 * train_acc).toFixed(2)}%)`
  );
  const fitted = runs.length - notFitted.length;
  return `Training accuracy reached 100% in ${fitted} of ${runs.length} runs` +
    (notFitted.length === 0
      ? ""
      : ` (not: ${notFitted.slice(0, show).join(", ")}${notFitted.length > show ? ", …" : ""})`);
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const pp = (value: number) => value.toFixed(2);

/** Each loss's NC1 fall, final NC2–NC4 and test accuracy at the grid's corner. */
function dynamicsText(reading: LossGridReading, classes: number): string {
  return reading.losses.map(({ loss, label }) => {
    const d = reading.dynamics[label];
    const afterFit = d.nc1_drop_after_100_per_seed.map((x) => x === null ? "-" : x.toFixed(1));
    // MSE with a bias: b* = (s/K)1 − Wμ_G, so ‖Wμ_G + b‖ → s/√K (docs/metrics.md#nc4-bias).
    const predicted = loss === "mse" && reading.mseTargetScale !== null
      ? ` (s/√K = ${(reading.mseTargetScale / Math.sqrt(classes)).toFixed(2)} predicted)`
      : "";
    return `${label}: NC1 ${d.nc1_peak.toExponential(1)} → ${d.nc1_final.toExponential(1)} ` +
      `(×${d.nc1_drop_from_peak.toFixed(0)} from the peak; after 100% training accuracy ×${
        afterFit.join("/")
      }), NC2 ${d.nc2_final.toFixed(2)}, NC3 ${d.nc3_final.toFixed(2)}, NC4 ${
        d.nc4_final.toFixed(2)
      }${predicted}, test ${(100 * d.test_acc_mean).toFixed(2)}%`;
  }).join("; ");
}

/**
 * B4's measured text from a {@link readLossGrid} reading: training fit, dynamics per loss, the
 * gaps to the reference at the grid's corners and their mean over the narrow-short and wide-long
 * cells against seed noise, the protocol comparison, and where MNIST differs from CIFAR (early
 * fit, the NC1 fall after it, the gap trend, the final ranking).
 */
export function lossGridFinding(
  reading: LossGridReading,
  context: LossGridContext,
): LossGridFinding {
  const { losses, widths, budgets } = reading;
  const widest = widths.at(-1)!, longest = budgets.at(-1)!;
  const reference = losses[0].label;
  const noise = reading.noise;
  const gapNoise = gapNoiseOf(noise, reading.seeds);
  const corner = (label: string, w: number, e: number) => reading.gaps[label][cellKey(w, e)];
  const gapText = Object.keys(reading.gaps).map((label) => {
    const values = Object.values(reading.gaps[label]);
    return `${label}: ${pp(corner(label, widths[0], budgets[0]))} pp at ` +
      `w${widths[0]}/E${budgets[0]} vs ${pp(corner(label, widest, longest))} pp at ` +
      `w${widest}/E${longest} (mean ${pp(mean(values))}, max ${pp(Math.max(...values))})`;
  }).join("; ");
  const half = widths[Math.floor(widths.length / 2)];
  const meanGapBy = (pick: (w: number, e: number) => boolean) =>
    meanGap(reading.gaps, widths, budgets, pick);
  const wideLong = meanGapBy((w, e) => w >= half && e >= budgets[1]);
  const narrowShort = meanGapBy((w, e) => w < half && e <= budgets[1]);
  const trend = gapTrend({ narrowShort, wideLong, gapNoise });

  const sorted = (epochs: (number | null)[]) =>
    epochs.filter((e): e is number => e !== null).sort((a, b) => a - b);
  const firstEpochs = sorted(reading.runs.map((r) => r.first_epoch_at_100));
  const cornerFirst = sorted(
    reading.runs.filter((r) => r.config.width === widest && r.config.epochs === longest)
      .map((r) => r.first_epoch_at_100),
  );
  const afterFitDrop = (label: string) => {
    const drops = reading.dynamics[label].nc1_drop_after_100_per_seed
      .filter((d): d is number => d !== null);
    return drops.length === 0 ? null : mean(drops);
  };
  const labels = losses.map((l) => l.label);
  const collapsed = labels.filter((l) => reading.dynamics[l].nc1_drop_from_peak >= 10);
  const notCollapsed = labels.filter((l) => !collapsed.includes(l));
  const collapsedAfterFit = labels.filter((l) => (afterFitDrop(l) ?? 0) >= 10);
  const accuracy = (label: string, e: number) => reading.testAccuracy[label][cellKey(widest, e)];
  const ranking = [...labels].sort((a, b) => accuracy(b, longest) - accuracy(a, longest))
    .map((l) => `${l} ${(100 * accuracy(l, longest)).toFixed(2)}%`).join(" > ");
  const previous = budgets.at(-2)!;
  const longRunCost = accuracy(reference, longest) < accuracy(reference, previous);
  const costText = longRunCost
    ? `; training longer costs ${reference} accuracy: ${
      (100 * accuracy(reference, previous)).toFixed(2)
    }% at ${previous} epochs, ${(100 * accuracy(reference, longest)).toFixed(2)}% at ${longest}`
    : "";
  const trendText = trend === "shrinks"
    ? `the gaps to ${reference} shrink from ${pp(narrowShort)} pp (narrow, short) to ${
      pp(wideLong)
    } pp (wide, long), as paper B reports`
    : trend === "within noise"
    ? `the gaps to ${reference} are ${pp(narrowShort)} pp (narrow, short) and ${
      pp(wideLong)
    } pp (wide, long), both within two standard deviations (${
      pp(2 * gapNoise)
    } pp) of the difference of two ${reading.seeds}-seed means: the four losses are nearly ` +
      `equal everywhere, so paper B's trend (gaps shrinking with width and epochs) cannot be ` +
      `resolved on MNIST`
    : `the gaps to ${reference} grow from ${pp(narrowShort)} pp (narrow, short) to ${
      pp(wideLong)
    } pp (wide, long), unlike paper B's claim` + costText;
  const median = firstEpochs[Math.floor(firstEpochs.length / 2)];
  const differences = `NC1 of the penultimate features fell at least 10× from its peak for ` +
    `${collapsed.join(", ") || "no loss"}` +
    (notCollapsed.length > 0 ? ` but not for ${notCollapsed.join(", ")}` : "") +
    ` (width ${widest}, ${longest} epochs, mean over seeds). Panel d, the same network with seed ` +
    `${context.ablationSeed}, NC1 fall from its peak — ${context.ablationText}. Where MNIST ` +
    `differs from the papers' CIFAR results: the ${context.trainPerClass * context.classes} ` +
    `training digits are fitted early (100% training accuracy first at epoch ${
      firstEpochs[0] ?? "-"
    }–${firstEpochs.at(-1) ?? "-"}, median ${median ?? "-"}; at width ${widest} and ${longest} ` +
    `epochs ${cornerFirst[0] ?? "-"}–${cornerFirst.at(-1) ?? "-"}, with the first lr decay at ` +
    `epoch ${context.firstDecay}); after 100% training accuracy NC1 falls a further ${
      labels.map((l) => `${l} ×${afterFitDrop(l)?.toFixed(1) ?? "-"}`).join(", ")
    } (mean over seeds; ≥ 10× for ${collapsedAfterFit.join(", ") || "no loss"}). Test ` +
    `accuracy: ${trendText} (width ${widest}, ${longest} epochs: ${ranking}).`;
  const text = `${gridFitText(reading.runs)}. Dynamics at width ${widest}, ${longest} ` +
    `epochs: ${dynamicsText(reading, context.classes)}. Test-accuracy gaps to ${reference}: ` +
    `${gapText}; mean gap ${pp(narrowShort)} pp over widths < ${half} and budgets ≤ ` +
    `${budgets[1]} vs ${pp(wideLong)} pp over widths ≥ ${half} and budgets ≥ ${budgets[1]}; ` +
    `the seed-to-seed standard deviation of a test accuracy is ${pp(noise)} pp on average, so ` +
    `gaps below that are noise. ${differences}`;
  return {
    text,
    fitted: reading.runs.filter((r) => r.train_acc === 1).length,
    narrowShort,
    wideLong,
    gapNoise,
    trend,
    collapsed,
    collapsedAfterFit,
    longRunCost,
  };
}
