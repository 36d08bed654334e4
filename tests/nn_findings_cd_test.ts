// The measured texts of figures C2 (minority collapse) and D3 (collapse speed of normalized
// features) are read off the data: each verdict changes when the data say otherwise.
import assert from "node:assert/strict";
import {
  claimText,
  collapseSpeedFinding,
  compareWithReference,
  historyRows,
  logStatistics,
  lossBoundText,
  type VariantHistory,
} from "../lib/nn/collapse_speed.ts";
import {
  COLLAPSED_COSINE,
  groupAccuracy,
  minorityCollapseFinding,
  type MinorityRun,
  minorityRun,
  summarizeByRatio,
} from "../lib/nn/minority.ts";

/** Runs at each ratio with the given cosines per seed and accuracies. */
function runsOf(
  points: { ratio: number; cosines: (number | null)[]; minorityAcc: number }[],
): MinorityRun[] {
  return points.flatMap(({ ratio, cosines, minorityAcc }) =>
    cosines.map((minorityCosine, i) => ({
      ratio,
      seed: i + 1,
      minorityCosine,
      majorityAcc: 0.97,
      minorityAcc,
      trainAcc: 1,
    }))
  );
}

Deno.test("C2 statistics: seed means and deviations per ratio, undefined cosines left out", () => {
  const summaries = summarizeByRatio(runsOf([
    { ratio: 10, cosines: [0.2, 0.4, null], minorityAcc: 0.5 },
    { ratio: 1, cosines: [-0.1, -0.1, -0.1], minorityAcc: 0.95 },
  ]));
  assert.deepEqual(summaries.map((s) => s.ratio), [1, 10]);
  assert.ok(Math.abs(summaries[1].cosineMean - 0.3) < 1e-15);
  assert.ok(Math.abs(summaries[1].cosineStd - Math.sqrt(0.02)) < 1e-15);
  assert.ok(summaries[0].cosineStd < 1e-15); // three equal values
  assert.equal(summaries[1].seeds, 3);
  assert.deepEqual(groupAccuracy([1, 1, 0, 0.5], [2, 3]), { majority: 1, minority: 0.25 });
  assert.throws(() => minorityRun(1, 1, { train_acc: 1 }, [9]), /no per-class test accuracy/);
});

Deno.test("C2 finding: collapse, a rise short of collapse, and no resolvable rise", () => {
  const baseline = { ratio: 1, cosines: [-0.11, -0.1, -0.12], minorityAcc: 0.96 };
  const collapsed = minorityCollapseFinding(
    summarizeByRatio(
      runsOf([baseline, { ratio: 100, cosines: [0.95, 0.97, 0.96], minorityAcc: 0.1 }]),
    ),
    10,
  );
  assert.equal(collapsed.cosine, "collapses");
  assert.match(collapsed.text, /collapse towards each other \(cosine ≥ 0\.9 at R = 100\)/);
  assert.match(
    collapsed.text,
    /Minority-class test accuracy 96\.0% at R = 1 → 10\.0% at R = 100 \(−86\.0 pp\)/,
  );
  assert.ok(Math.abs(collapsed.minorityAccChange + 86) < 1e-9);
  assert.match(collapsed.text, /simplex-ETF value -0\.111/);

  const risen = minorityCollapseFinding(
    summarizeByRatio(
      runsOf([baseline, { ratio: 100, cosines: [0.4, 0.42, 0.41], minorityAcc: 0.3 }]),
    ),
    10,
  );
  assert.equal(risen.cosine, "rises");
  assert.match(risen.text, /move towards each other .* but do not collapse \(below 0\.9/);
  assert.ok(0.41 < COLLAPSED_COSINE);

  // The same rise of the means, but with seeds scattered over ±0.5: not resolved.
  const noisy = minorityCollapseFinding(
    summarizeByRatio(runsOf([
      { ratio: 1, cosines: [-0.6, 0.4, -0.1], minorityAcc: 0.96 },
      { ratio: 100, cosines: [-0.2, 0.8, 0.3], minorityAcc: 0.9 },
    ])),
    10,
  );
  assert.equal(noisy.cosine, "no resolvable rise");
  assert.match(noisy.text, /do NOT collapse: the cosine changes by 0\.400, within the/);
  // One seed per ratio: a fixed resolution of 0.05.
  const single = (cosine: number) =>
    minorityCollapseFinding(
      summarizeByRatio(runsOf([
        { ratio: 1, cosines: [0], minorityAcc: 1 },
        { ratio: 5, cosines: [cosine], minorityAcc: 1 },
      ])),
      10,
    ).cosine;
  assert.deepEqual([single(0.04), single(0.06)], ["no resolvable rise", "rises"]);
  assert.throws(() => minorityCollapseFinding(summarizeByRatio(runsOf([baseline])), 10), /two/);
});

const epochs = [0, 10, 20, 30, 40];
const history = (key: string, seeds: number[][]): VariantHistory => ({
  key,
  label: key,
  epochs,
  nc1: seeds,
});
const plain = history("plain", [[2, 0.6, 0.4, 0.35, 0.35], [2.2, 0.62, 0.42, 0.36, 0.34]]);

Deno.test("D3 finding: faster, slower, mixed, no difference; when the reference's NC1 is reached", () => {
  const faster = history("fast", [[2, 0.05, 0.01, 0.005, 0.005], [2.1, 0.06, 0.012, 0.006, 0.005]]);
  const slower = history("slow", [[2, 1.5, 1.2, 1, 0.9], [2.1, 1.4, 1.1, 1.05, 0.95]]);
  const crossing = history("cross", [[2, 0.1, 0.3, 0.9, 0.9], [2.1, 0.11, 0.31, 0.95, 0.92]]);
  const same = history("same", [[2.1, 0.61, 0.41, 0.35, 0.35], [2, 0.6, 0.4, 0.35, 0.34]]);
  const finding = collapseSpeedFinding([plain, faster, slower, crossing, same], "plain");
  assert.deepEqual(
    finding.comparisons.map((c) => c.verdict),
    ["faster", "slower", "mixed", "no resolvable difference"],
  );
  const [fast, slow] = finding.comparisons;
  assert.deepEqual([fast.below, fast.above, fast.evaluations, fast.reachEpoch], [4, 0, 4, 10]);
  assert.equal(slow.reachEpoch, null);
  assert.equal(finding.reference.reachEpoch, 40); // geometric means 0.355 at 30, 0.345 at 40
  assert.match(finding.text, /Fast: collapses faster — resolvably below the reference at 4/);
  assert.match(finding.text, /Slow: collapses slower .* never reaches the reference's final NC1/);
  assert.match(finding.text, /×2\.[0-9] above the reference's/);
  // Geometric means: log10 statistics over the seeds.
  const stats = logStatistics({
    key: "x",
    label: "x",
    epochs: [0, 5],
    nc1: [[10, 1], [1000, null]],
  });
  assert.deepEqual([stats[0].mean, stats[1].count], [2, 1]);
  assert.throws(
    () => compareWithReference({ ...faster, epochs: [0, 1, 2, 3, 4] }, plain),
    /differ in epochs/,
  );
});

Deno.test("D3 texts: the claim per setting and the loss bound", () => {
  const normalized = history("n", [[2, 0.05, 0.01, 0.005, 0.005], [
    2.1,
    0.06,
    0.012,
    0.006,
    0.005,
  ]]);
  const comparison = compareWithReference(normalized, plain);
  const reversed = compareWithReference(plain, normalized);
  const text = claimText("Normalized features collapse faster", [
    { setting: "learned", comparison },
    { setting: "ETF", comparison: reversed },
  ]);
  assert.match(text, /learned yes \(below at 4 of 4 evaluations, above at 0\); ETF NO \(slower;/);
  const below = lossBoundText(
    [{ label: "norm", normalized: true, finalLosses: [0.03] }],
    0.0342,
    10,
    5,
  );
  assert.match(below, /BELOW it: norm/);
  const fine = lossBoundText(
    [{ label: "plain", normalized: false, finalLosses: [0.001] }],
    0.0342,
    10,
    5,
  );
  assert.match(fine, /no normalized run went below it/);
  const short = { key: "h", label: "h", epochs: [0, 5], nc1: [[1, 0], [100, 0]] };
  const rows = historyRows(short, {}, [7, 8]);
  assert.deepEqual(rows.filter((r) => r.kind === "nc1").map((r) => r.value), [10, null]);
  assert.deepEqual(rows.filter((r) => r.kind === "nc1_seed").map((r) => r.seed), [7, 7, 8, 8]);
});
