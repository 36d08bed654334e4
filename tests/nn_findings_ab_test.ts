// Finding texts of the network figures A6 (lib/nn/depthwise.ts) and B4
// (lib/nn/loss_grid_findings.ts, lib/nn/protocol_ablation.ts): each verdict follows the data,
// and the text says the opposite when the data say otherwise.
import assert from "node:assert/strict";
import { depthwiseFinding, type DepthwiseSummary } from "../lib/nn/depthwise.ts";
import { cellKey } from "../lib/nn/findings.ts";
import type { DynamicsSummary } from "../lib/nn/loss_grid_figure.ts";
import {
  gridFitText,
  type GridRun,
  lossGridFinding,
  type LossGridReading,
} from "../lib/nn/loss_grid_findings.ts";
import { type ProtocolSummary, protocolText } from "../lib/nn/protocol_ablation.ts";

/** A variant that fit, collapsed ×100 depthwise, and whose H̄2 is an orthogonal frame. */
function variant(change: Partial<DepthwiseSummary> = {}): DepthwiseSummary {
  return {
    train_acc: [1, 1],
    test_acc_mean: 0.94,
    first_epoch_at_100: [20, 30],
    nc1_h2_peak: 0.5,
    nc1_h2_final: 0.005,
    nc1_h2_drop_from_peak: 100,
    nc1_h2_drop_per_seed: [90, 110],
    nc1_h2_drop_after_100_per_seed: [4, 5],
    nc1_h1_final: 0.02,
    nc1_ratio_h1_over_h2: 4,
    of_distance_h2: 0.3,
    etf_distance_h2: 0.6,
    w_of_distance: 0.2,
    self_duality: 0.4,
    final_nc1_by_layer: [0.5, 0.1, 0.02, 0.005],
    ...change,
  };
}

Deno.test("A6 finding: fit, depthwise collapse and structure as the data say, and the opposite", () => {
  const good = depthwiseFinding({ "bias-free": variant(), "with bias": variant() });
  assert.match(good.text, /Every run reached 100% training accuracy: yes/);
  assert.match(good.text, /fell at least ×90 from its peak in every run/);
  assert.match(good.text, /Depthwise collapse .*: observed in both variants/);
  assert.match(good.text, /closer to an orthogonal frame than to a simplex ETF, as predicted/);

  // One seed of the biased variant short of 100%, NC1 rising at the last layer, H̄2 nearer an
  // ETF: every verdict flips.
  const bad = depthwiseFinding({
    "bias-free": variant({ of_distance_h2: 0.9, etf_distance_h2: 0.2 }),
    "with bias": variant({
      train_acc: [1, 0.995],
      nc1_h2_drop_per_seed: [3, 110],
      final_nc1_by_layer: [0.5, 0.1, 0.002, 0.005],
    }),
  });
  assert.deepEqual(
    [bad.allFit, bad.smallestDrop, bad.depthwise, bad.orthogonalFrame],
    [false, 3, false, false],
  );
  assert.match(bad.text, /Every run reached 100% training accuracy: NO/);
  assert.match(bad.text, /train accuracy 100\.00%\/99\.50%/);
  assert.match(bad.text, /fell at least ×3 from its peak/);
  assert.match(bad.text, /Depthwise collapse .*: NOT observed/);
  assert.match(bad.text, /unlike the prediction, bias-free H̄2 is not close to an orthogonal frame/);
  assert.doesNotMatch(bad.text, /as predicted/);
  assert.throws(() => depthwiseFinding({ "with bias": variant() }), /no 'bias-free' variant/);
});

const losses = [
  { loss: "ce", label: "CE" },
  { loss: "ls", label: "LS" },
  { loss: "fl", label: "FL" },
  { loss: "mse", label: "MSE" },
];
const widths = [64, 128, 256, 512];
const budgets = [25, 50, 100];

function dynamics(drop: number, afterFit: number): DynamicsSummary {
  return {
    train_acc: [1, 1, 1],
    test_acc_mean: 0.95,
    first_epoch_at_100: [10, 12, 14],
    nc1_peak: 1,
    nc1_final: 1 / drop,
    nc1_drop_from_peak: drop,
    nc1_drop_per_seed: [drop, drop, drop],
    nc1_drop_after_100_per_seed: [afterFit, afterFit, afterFit],
    nc2_final: 0.2,
    nc3_final: 0.3,
    nc4_final: 4.74,
  };
}

/**
 * A B4-like reading with gap(w, e) pp to CE for every other loss, seed noise `noise` pp, NC1 falls
 * `drops[label]`, CE's test accuracy `ceLast` at the longest budget of the widest network (0.95
 * elsewhere) and runs that fit unless `unfit` says otherwise.
 */
function reading(options: {
  gap: (w: number, e: number) => number;
  noise: number;
  drops?: Record<string, number>;
  ceLast?: number;
  unfit?: number;
}): LossGridReading {
  const cells = (value: (w: number, e: number) => number) =>
    Object.fromEntries(widths.flatMap((w) => budgets.map((e) => [cellKey(w, e), value(w, e)])));
  const runs: GridRun[] = losses.flatMap(({ loss }) =>
    widths.flatMap((width) =>
      budgets.flatMap((epochs) =>
        [1, 2, 3].map((seed) => ({
          train_acc: 1,
          config: { loss, width, epochs, seed },
          first_epoch_at_100: 10,
        }))
      )
    )
  );
  for (let i = 0; i < (options.unfit ?? 0); i++) runs[i].train_acc = 0.99;
  const last = (w: number, e: number) => w === 512 && e === 100;
  return {
    losses,
    widths,
    budgets,
    seeds: 3,
    runs,
    dynamics: Object.fromEntries(
      losses.map(({ label }) => [label, dynamics(options.drops?.[label] ?? 100, 20)]),
    ),
    testAccuracy: Object.fromEntries(losses.map(({ loss, label }) => [
      label,
      cells((w, e) =>
        loss === "ce"
          ? (last(w, e) ? options.ceLast ?? 0.96 : 0.95)
          : 0.95 - options.gap(w, e) / 100
      ),
    ])),
    gaps: Object.fromEntries(losses.slice(1).map(({ label }) => [label, cells(options.gap)])),
    noise: options.noise,
    mseTargetScale: 15,
  };
}

const context = { trainPerClass: 200, classes: 10, firstDecay: 42, ablationSeed: 1 };

Deno.test("B4 finding: the gap trend follows the gaps against seed noise", () => {
  const narrowShortLarge = (w: number, e: number) => w < 256 && e <= 50 ? 1.5 : 0.1;
  const shrinks = lossGridFinding(reading({ gap: narrowShortLarge, noise: 0.1 }), {
    ...context,
    ablationText: "plain: CE ×3.4",
  });
  assert.equal(shrinks.trend, "shrinks");
  assert.equal(shrinks.narrowShort, 1.5);
  assert.ok(Math.abs(shrinks.wideLong - 0.1) < 1e-12);
  assert.match(shrinks.text, /the gaps to CE shrink from 1\.50 pp \(narrow, short\) to 0\.10 pp/);
  assert.match(shrinks.text, /as paper B reports/);
  assert.match(shrinks.text, /Panel d, the same network with seed 1, .* — plain: CE ×3\.4\./);
  assert.match(shrinks.text, /\(s\/√K = 4\.74 predicted\)/);

  // The same gaps, reversed: they grow, beyond twice the noise of a gap.
  const grows = lossGridFinding(
    reading({ gap: (w, e) => narrowShortLarge(512 - w + 64, 125 - e), noise: 0.1 }),
    { ...context, ablationText: "" },
  );
  assert.equal(grows.trend, "grows");
  assert.match(grows.text, /the gaps to CE grow from .* unlike paper B's claim/);
  assert.doesNotMatch(grows.text, /as paper B reports/);

  // Growing gaps that seed noise swamps: within noise, not a trend.
  const noisy = lossGridFinding(
    reading({ gap: (w, e) => narrowShortLarge(512 - w + 64, 125 - e), noise: 2 }),
    { ...context, ablationText: "" },
  );
  assert.equal(noisy.trend, "within noise");
  assert.match(noisy.text, /both within two standard deviations .* cannot be resolved on MNIST/);
});

Deno.test("B4 finding: collapse, fit and the cost of the longest budget follow the data", () => {
  const flat = () => 0.2;
  const all = lossGridFinding(reading({ gap: flat, noise: 0.1, ceLast: 0.96 }), {
    ...context,
    ablationText: "",
  });
  assert.deepEqual(all.collapsed, ["CE", "LS", "FL", "MSE"]);
  assert.match(all.text, /fell at least 10× from its peak for CE, LS, FL, MSE \(width 512/);
  assert.match(all.text, /^Training accuracy reached 100% in 144 of 144 runs\. /);
  assert.equal(all.longRunCost, false);

  const some = lossGridFinding(
    reading({ gap: (w) => w / 100, noise: 0.1, drops: { CE: 3, FL: 4 }, ceLast: 0.9, unfit: 2 }),
    { ...context, ablationText: "" },
  );
  assert.deepEqual(some.collapsed, ["LS", "MSE"]);
  assert.match(some.text, /for LS, MSE but not for CE, FL/);
  assert.equal(some.fitted, 142);
  assert.match(
    some.text,
    /^Training accuracy reached 100% in 142 of 144 runs \(not: ce w64 E25 s1/,
  );
  assert.equal(some.trend, "grows");
  assert.equal(some.longRunCost, true);
  assert.match(
    some.text,
    /training longer costs CE accuracy: 95\.00% at 50 epochs, 90\.00% at 100/,
  );
});

Deno.test("B4 fit text: every unfit run named in grid order, at most eight", () => {
  const runs = Array.from({ length: 10 }, (_, seed) => ({
    train_acc: seed < 9 ? 0.5 : 1,
    config: { loss: "ce", width: 16, epochs: 10, seed },
  }));
  const text = gridFitText(runs);
  assert.match(text, /^Training accuracy reached 100% in 1 of 10 runs \(not: ce w16 E10 s0 /);
  assert.equal(text.match(/\(50\.00%\)/g)?.length, 8);
  assert.match(text, /s7 \(50\.00%\), …\)$/);
  assert.equal(gridFitText(runs.slice(9)), "Training accuracy reached 100% in 1 of 1 runs");
});

Deno.test("B4 panel d text: each protocol's NC1 fall, plain first, one decimal below 10", () => {
  const run = (drop: number | null): ProtocolSummary => ({
    nc1_drop_from_peak: drop,
    nc1_drop_after_100: null,
    nc1_final: 0.01,
    train_acc: 1,
    test_acc: 0.97,
  });
  assert.equal(
    protocolText({
      CE: { collapse: run(250), plain: run(3.44) },
      MSE: { collapse: run(9.96), plain: run(null) },
    }),
    "plain: no BatchNorm, lr 0.05, wd 5e-4: CE ×3.4, MSE ×-; " +
      "B4: BatchNorm, lr 0.1, wd 5e-3: CE ×250, MSE ×10.0",
  );
});
