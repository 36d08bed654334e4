// Grid statistics and finding texts (lib/nn/findings.ts): gaps, seed noise and trends on
// synthetic grids whose truth is known, and the text changing when the data say otherwise.
import assert from "node:assert/strict";
import {
  analyzeGaps,
  gapFindingText,
  gapNoiseOf,
  gapsToReference,
  type GridCell,
  meanGap,
  sampleStd,
  seedNoise,
  trainingFitText,
} from "../lib/nn/findings.ts";
import { Rng } from "../lib/rng.ts";

const widths = [64, 128, 256];
const budgets = [50, 100, 200];
const losses = ["ce", "ls", "fl", "mse"];

/** A grid with seed noise `sigma` (fractions) and a true gap `gap(loss, w, e)` below CE. */
function grid(sigma: number, gap: (loss: string, w: number, e: number) => number): GridCell[] {
  const rng = new Rng(42);
  const normal = new Float64Array(1);
  const cells: GridCell[] = [];
  for (const loss of losses) {
    for (const width of widths) {
      for (const epochs of budgets) {
        const accuracies = [1, 2, 3].map(() => {
          rng.fillNormal(normal);
          return 0.85 - (loss === "ce" ? 0 : gap(loss, width, epochs)) + sigma * normal[0];
        });
        cells.push({ loss, width, epochs, accuracies });
      }
    }
  }
  return cells;
}

Deno.test("statistics: sample std, seed noise, gaps and their means by hand", () => {
  assert.equal(sampleStd([1]), 0);
  assert.ok(Math.abs(sampleStd([1, 2, 3]) - 1) < 1e-15);
  const cells: GridCell[] = [
    { loss: "ce", width: 1, epochs: 10, accuracies: [0.5, 0.52] },
    { loss: "mse", width: 1, epochs: 10, accuracies: [0.55, 0.55] },
    { loss: "ce", width: 2, epochs: 10, accuracies: [0.6, 0.6] },
    { loss: "mse", width: 2, epochs: 10, accuracies: [0.58, 0.6] },
  ];
  // SDs in pp: √2, 0, 0, √2 → mean √2/2.
  assert.ok(Math.abs(seedNoise(cells) - Math.SQRT2 / 2) < 1e-12);
  assert.ok(Math.abs(gapNoiseOf(2, 8) - 1) < 1e-15);
  const gaps = gapsToReference(cells, "ce");
  assert.ok(Math.abs(gaps.mse["w1/E10"] - 4) < 1e-9); // |51 − 55|
  assert.ok(Math.abs(gaps.mse["w2/E10"] - 1) < 1e-9); // |60 − 59|
  assert.ok(Math.abs(meanGap(gaps, [1, 2], [10], () => true) - 2.5) < 1e-9);
  assert.ok(Math.abs(meanGap(gaps, [1, 2], [10], (w) => w === 2) - 1) < 1e-9);
  assert.throws(() => gapsToReference(cells.slice(1), "ce"), /no ce cell/);
});

Deno.test("findings: pure seed noise is read as noise, with no trend", () => {
  const analysis = analyzeGaps(grid(0.004, () => 0), "ce");
  assert.ok(Math.abs(analysis.noise - 0.4) < 0.15, `σ ${analysis.noise}`);
  assert.equal(analysis.exceedsNoise, false);
  assert.ok(analysis.byLoss.every((l) => !l.exceedsNoise));
  assert.equal(analysis.width.verdict, "no resolvable trend");
  assert.equal(analysis.epochs.verdict, "no resolvable trend");
  assert.equal(analysis.cellCount, 27);
  const text = gapFindingText(analysis, (l) => l.toUpperCase());
  assert.match(text, /^The test-accuracy gaps to CE do not exceed seed noise/);
  assert.match(text, /with width: .* no trend resolvable against seed noise/);
  assert.match(text, /with epochs: .* no trend resolvable/);
});

Deno.test("findings: gaps that shrink with width, grow with epochs, for one loss only", () => {
  // MSE is 2 pp behind CE at width 64 and 0.2 pp at 256, plus 0.6 pp more per doubling of E.
  const gap = (loss: string, w: number, e: number) =>
    loss === "mse" ? (w === 64 ? 0.02 : w === 128 ? 0.01 : 0.002) + 0.006 * Math.log2(e / 50) : 0;
  const analysis = analyzeGaps(grid(0.002, gap), "ce");
  assert.equal(analysis.exceedsNoise, true);
  assert.deepEqual(analysis.byLoss.map((l) => [l.loss, l.exceedsNoise]), [
    ["ls", false],
    ["fl", false],
    ["mse", true],
  ]);
  assert.equal(analysis.width.verdict, "shrinks");
  assert.equal(analysis.epochs.verdict, "grows");
  const text = gapFindingText(analysis);
  assert.match(text, /^The test-accuracy gaps to ce exceed seed noise/);
  assert.match(text, /mse mean [\d.]+ pp, max [\d.]+ pp \(above noise; Acc − Acc_ce −[\d.]+ pp/);
  assert.match(text, /ls mean [\d.]+ pp, max [\d.]+ pp \(within noise; Acc − Acc_ce [+−]0\.\d+ pp/);
  const mse = analysis.byLoss.find((l) => l.loss === "mse")!;
  assert.ok(mse.meanDifference < -1 && mse.meanDifference > -3, `${mse.meanDifference}`); // behind CE
  assert.match(text, /with width: [\d.]+ pp at width 64 → [\d.]+ pp at width 256, they shrink/);
  assert.match(text, /with epochs: [\d.]+ pp at 50 epochs → [\d.]+ pp at 200 epochs, they grow/);
  // The same gaps drowned in 10× the seed noise: the text says so instead.
  const noisy = gapFindingText(analyzeGaps(grid(0.02, gap), "ce"));
  assert.notEqual(noisy, text);
  assert.match(noisy, /with width: .* no trend resolvable/);
  assert.throws(() => analyzeGaps([{ loss: "ce", width: 1, epochs: 1, accuracies: [1] }], "ce"));
});

Deno.test("trainingFitText: all fitted, or the lowest runs named", () => {
  const config = (seed: number) => ({ loss: "ce", width: 64, epochs: 50, seed });
  assert.equal(
    trainingFitText([1, 2, 3].map((seed) => ({ train_acc: 1, config: config(seed) }))),
    "Training accuracy reached 100% in 3 of 3 runs",
  );
  assert.equal(
    trainingFitText([
      { train_acc: 0.999, config: config(1) },
      { train_acc: 1, config: config(2) },
      { train_acc: 0.99, config: config(3) },
    ], 1),
    "Training accuracy reached 100% in 1 of 3 runs (lowest: ce w64 E50 seed 3 99.00%)",
  );
});
