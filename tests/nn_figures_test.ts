// The network figure scripts (A6, B4, B6, C2, D3) end to end on their tiny `--quick` grids: the
// figure set is written with the expected series, and a second run reuses every saved run.
import assert from "node:assert/strict";
import { join } from "node:path";
import { minorityCollapseFinding, type RatioSummary } from "../lib/nn/minority.ts";
import { runScript } from "./run_script.ts";

/**
 * Checks what a figure's measured text says about fitting the training set — A6's "Every run
 * reached 100% training accuracy: yes|NO", B4's "Training accuracy reached 100% in k of m runs" —
 * against the final training accuracies of its runs. Throws when they disagree.
 */
function assertFitClaim(measured: string, trainAccuracies: readonly number[]): void {
  const fitted = trainAccuracies.filter((accuracy) => accuracy === 1).length;
  const every = /Every run reached 100% training accuracy: (yes|NO)\b/.exec(measured);
  const count = /reached 100% in (\d+) of (\d+) runs/.exec(measured);
  assert.ok(every !== null || count !== null, "the text says how many runs fit the training set");
  if (every !== null) {
    assert.equal(every[1] === "yes", fitted === trainAccuracies.length, every[0]);
  }
  if (count !== null) {
    assert.deepEqual([Number(count[1]), Number(count[2])], [fitted, trainAccuracies.length]);
  }
}

Deno.test("the training-fit check fails when the text claims a fit the runs did not reach", () => {
  const noneFit = [0.97, 0.99, 0.995];
  // Texts as A6 and B4 write them when every run fits — wrong for these runs.
  const claimsAll = [
    "Every run reached 100% training accuracy: yes",
    "Training accuracy reached 100% in 3 of 3 runs",
  ];
  for (const text of claimsAll) {
    assert.match(text, /100%/); // what the old assertion checked: it passes on any such text
    assert.throws(() => assertFitClaim(text, noneFit), assert.AssertionError, text);
    assertFitClaim(text, [1, 1, 1]);
  }
  // The texts for these runs pass.
  assertFitClaim("Every run reached 100% training accuracy: NO", noneFit);
  assertFitClaim("Training accuracy reached 100% in 0 of 3 runs (not: …)", noneFit);
  assert.throws(() => assertFitClaim("Test accuracy 98%", noneFit), /how many runs fit/);
});

/** Final training accuracies of a figure's runs: A6 from its meta, B4/B6 from their saved grid runs. */
async function trainAccuracies(id: string, dir: string, meta: FigureMetaJson): Promise<number[]> {
  if (id === "A6") {
    return Object.values(meta.parameters.summary ?? {}).flatMap((variant) => variant.train_acc);
  }
  // B4 and B6 save every run under runs/<id>; the grid's runs share its protocol (BatchNorm on),
  // the ablation's plain-protocol runs do not, and B6's CNN runs are not part of the grid.
  const accuracies: number[] = [];
  for await (const entry of Deno.readDir(join(dir, "runs", id))) {
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "runs", id, entry.name)));
    const config = saved.result.config;
    if (config.batchNorm === meta.parameters.protocol?.batchNorm && config.arch !== "cnn") {
      accuracies.push(saved.result.train_acc);
    }
  }
  return accuracies;
}

/** The parts of A6's and B4's meta files read here. */
interface FigureMetaJson {
  id: string;
  rowCount: number;
  measured: string;
  parameters: {
    summary?: Record<string, { train_acc: number[] }>;
    protocol?: { batchNorm?: boolean };
  };
}

async function runQuick(script: string, figuresDir: string): Promise<string> {
  const { code, stderr } = await runScript(script, ["--quick", "--workers", "1"], {
    UFMLAB_FIGURES_DIR: figuresDir,
  });
  assert.equal(code, 0, stderr);
  return stderr;
}

for (
  const [id, script, series] of [
    ["A6", "scripts/experiments/a6_mnist_depthwise.ts", [
      "NC1(H1), 64-d",
      "OF dist. of uncentered H̄2",
    ]],
    ["B4", "scripts/experiments/b4_mnist_losses.ts", ["NC1", "NC4: ‖Wμ_G + b‖"]],
    ["B6", "scripts/experiments/b6_fashion_losses.ts", ["NC1", "CNN (seed 1)", "MLP (seed mean)"]],
  ] as const
) {
  Deno.test(`${id} --quick writes its figure and reuses its saved runs`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `ufmlab-${id}-` });
    try {
      const first = await runQuick(script, dir);
      assert.match(first, /\(\d+\.\d s\)/); // runs trained now
      const meta: FigureMetaJson = JSON.parse(
        await Deno.readTextFile(join(dir, `${id}.meta.json`)),
      );
      assert.equal(meta.id, id);
      assert.ok(meta.rowCount > 0);
      assertFitClaim(meta.measured, await trainAccuracies(id, dir, meta));
      const csv = await Deno.readTextFile(join(dir, `${id}.csv`));
      for (const name of series) assert.ok(csv.includes(name), `${name} missing from ${id}.csv`);
      const second = await runQuick(script, dir);
      assert.doesNotMatch(second, /\(\d+\.\d s\)/); // nothing recomputed
      assert.match(second, /saved earlier/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("B6 --quick: the measured text is the findings of lib/nn/findings.ts on its own data", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-B6-text-" });
  try {
    await runQuick("scripts/experiments/b6_fashion_losses.ts", dir);
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "B6.meta.json")));
    const analysis = meta.parameters.gap_analysis;
    assert.equal(analysis.cellCount, 3 * 2 * 2); // LS, FL, MSE × 2 widths × 2 budgets
    const verdict = analysis.exceedsNoise ? "exceed seed noise" : "do not exceed seed noise";
    assert.match(meta.measured, new RegExp(`gaps to CE ${verdict}`));
    assert.match(meta.measured, /Trend with width: .*; with epochs: /);
    assert.match(meta.measured, /CNN vs MLP test accuracy \(width 16, 20 epochs\): CE /);
    assert.equal(meta.parameters.cnn.length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("C2 and D3 --quick: figures written from their own data, saved runs reused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-CD-" });
  try {
    for (const id of ["C2", "D3"]) {
      const script = id === "C2"
        ? "scripts/experiments/c2_mnist_minority.ts"
        : "scripts/experiments/d3_mnist_normalized.ts";
      assert.match(await runQuick(script, dir), /\(\d+\.\d s\)/);
      const second = await runQuick(script, dir);
      assert.match(second, /saved earlier/);
      assert.doesNotMatch(second, /\(\d+\.\d s\)/); // nothing recomputed
    }
    // C2: the text is minorityCollapseFinding of the summaries in its meta file.
    const c2 = JSON.parse(await Deno.readTextFile(join(dir, "C2.meta.json")));
    const summary: { by_ratio: RatioSummary[]; per_class: number[][] } =
      c2.parameters.summaries["wd 0.0005"];
    assert.ok(c2.measured.includes(minorityCollapseFinding(summary.by_ratio, 10).text));
    assert.equal(summary.per_class.length, 2); // two ratios in the quick grid
    const c2csv = await Deno.readTextFile(join(dir, "C2.csv"));
    for (const name of ["cosine", "accuracy", "majority (digits 0–4)", "reference"]) {
      assert.ok(c2csv.includes(name), `${name} missing from C2.csv`);
    }
    // D3: the claim's verdict is the comparison recorded with it.
    const d3 = JSON.parse(await Deno.readTextFile(join(dir, "D3.meta.json")));
    const learned = d3.parameters.comparisons[0];
    assert.equal(learned.key, "normalized_learned");
    const verdict = learned.verdict === "faster" ? "yes" : "NO";
    assert.match(d3.measured, new RegExp(`with a learned classifier ${verdict} `));
    assert.ok(d3.parameters.train_loss_bound > 0);
    assert.match(d3.measured, /f\*\(K = 10, τ = 5\) = 3\.420e-2 — no normalized run went below it/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
