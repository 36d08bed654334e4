// `deno task train` as a researcher runs it: --json fields, --help, and one-line errors with
// exit code 2 naming the flag.
import assert from "node:assert/strict";
import { runScript, type ScriptOutput } from "./run_script.ts";

const train = (args: string[]): Promise<ScriptOutput> => runScript("scripts/train.ts", args);

Deno.test("train --json: accuracies, terminal phase and the per-evaluation metric history", async () => {
  const { code, stdout, stderr } = await train([
    "--loss",
    "mse",
    "--width",
    "32",
    "--depth",
    "2",
    "--head-relu",
    "16",
    "--bias",
    "off",
    "--n",
    "20",
    "--test-per-class",
    "10",
    "--epochs",
    "6",
    "--eval-every",
    "3",
    "--json",
  ]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  for (
    const key of ["train_acc", "test_acc", "terminal", "history", "epochs", "config", "seconds"]
  ) {
    assert.ok(key in report, `missing ${key}`);
  }
  assert.deepEqual(report.hidden, [32, 32, 16]);
  assert.equal(report.config.bias, false);
  assert.deepEqual(report.history.map((e: { epoch: number }) => e.epoch), [0, 3, 6]);
  const last = report.history.at(-1);
  assert.equal(last.layers.length, 3);
  assert.equal(report.train_acc, last.train_acc);
  for (const key of ["nc1", "nc2", "nc3", "nc4", "train_acc", "test_acc"]) assert.ok(key in last);
  assert.equal(report.epochs.length, 6);
  assert.match(stderr, /epoch +6: train/); // progress on stderr
});

Deno.test("train: --help exits 0; bad flags exit 2 with a one-line message naming the flag", async () => {
  const help = await train(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--head-relu/);
  const cases: [string[], RegExp][] = [
    [["--loss", "hinge"], /--loss/],
    [["--width", "0"], /--width/],
    [["--bias", "maybe"], /--bias/],
    [["--milestones", "5,x"], /--milestones/],
    [["--n", "900"], /--n/],
    [["--loss", "ce", "--target-scale", "15"], /--target-scale/],
    [["--lr", "-1"], /--lr/],
    [["--frobnicate"], /frobnicate/],
    [["--save-features", "/proc/ufmlab-cannot-write"], /--save-features/],
    [["--dataset", "cifar10"], /--dataset: expected one of mnist\|fashion-mnist, got 'cifar10'/],
    [["--n", "800", "--test-per-class", "100"], /exceeds the smallest mnist class \(863/],
    [
      ["--dataset", "fashion-mnist", "--n", "6500", "--test-per-class", "600"],
      /--test-per-class: n \+ test per class = 7100 exceeds the smallest fashion-mnist class/,
    ],
    [["--dataset", "fashion-mnist", "--n", "6500"], /--n: n \+ test per class = 7500 exceeds/],
    [["--channels", "16,32"], /--channels: only applies to --arch cnn \(got --arch mlp\)/],
    [["--arch", "cnn", "--channels", "8,x"], /--channels: expected an integer/],
    [["--arch", "cnn", "--channels", "8,8,8,8,8"], /--channels: 5 blocks/],
    [["--arch", "transformer"], /--arch: expected one of mlp\|cnn/],
    // Imbalanced training sets.
    [["--class-counts", "500,500,500,500,500,50,50,50,50,0"], /--class-counts: must be ≥ 1, got 0/],
    [["--class-counts", "500,500,500,500,500,50,50,50,50,-5"], /--class-counts/],
    [["--class-counts", "500,500,500,500,500,50,50,50,50,2.5"], /--class-counts: .*integer/],
    [["--class-counts", "500,50"], /--class-counts: expected one count per class/],
    [["--class-counts", "9,9,9,9,9,9,9,9,9,9,9"], /one count per class \(10 for mnist\), got 11/],
    [["--class-counts", "9,9,9,9,9,9,9,9,9,9", "--n", "9"], /--class-counts: excludes --n/],
    [
      ["--class-counts", "700,9,9,9,9,9,9,9,9,9", "--test-per-class", "200"],
      /--class-counts: the largest count 700 \+ test per class 200 exceeds the smallest mnist/,
    ],
    [
      ["--dataset", "fashion-mnist", "--class-counts", "6500,9,9,9,9,9,9,9,9,9"],
      /largest count 6500 \+ test per class 1000 exceeds the smallest fashion-mnist class/,
    ],
    [["--imbalance-ratio", "0.5", "--minority-classes", "5"], /--imbalance-ratio: must be/],
    [["--imbalance-ratio", "10", "--minority-classes", "10"], /--minority-classes: must be/],
    [["--imbalance-ratio", "10"], /--imbalance-ratio: needs --minority-classes/],
    // Normalized features and the fixed ETF classifier.
    [["--tau", "2"], /--tau: only applies with --normalize-features/],
    [["--normalize-features", "--tau", "0"], /--tau: must be a number > 0, got 0/],
    [["--normalize-features", "--tau", "-2"], /--tau: must be a number > 0, got -2/],
    [["--etf-classifier", "--width", "8"], /--etf-classifier: .*width ≥ K − 1 = 9, got 8/],
    [
      ["--arch", "cnn", "--etf-classifier", "--width", "16", "--feature-dim", "5"],
      /--etf-classifier: .* got 5/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await train(args);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, message);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});

Deno.test("train --dataset fashion-mnist --arch cnn: a CNN on Fashion-MNIST, reported as such", async () => {
  const { code, stdout, stderr } = await train([
    "--dataset",
    "fashion-mnist",
    "--arch",
    "cnn",
    "--channels",
    "4,6",
    "--width",
    "16",
    "--depth",
    "1",
    "--batch-norm",
    "on",
    "--n",
    "12",
    "--test-per-class",
    "8",
    "--epochs",
    "2",
    "--json",
  ]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.deepEqual(
    [report.config.dataset, report.config.arch, report.config.channels],
    ["fashion-mnist", "cnn", [4, 6]],
  );
  assert.deepEqual([report.train_size, report.test_size, report.hidden], [120, 80, [16]]);
  // conv 1→4 (36 + 4 + BN 8), conv 4→6 (216 + 6 + 12), FC 294→16 (+16, BN 32), FC 16→10 (+10).
  assert.equal(report.parameters, 48 + 234 + 294 * 16 + 16 + 32 + 170);
  assert.equal(report.history.at(-1).layers.length, 1);
  assert.match(stderr, /Fashion-MNIST, ce, CNN 28×28 → conv 4 → 6/);
});

Deno.test("train --save-features: deno task metrics on the saved features gives train's NC1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await train([
      "--loss",
      "ce",
      "--width",
      "24",
      "--n",
      "15",
      "--test-per-class",
      "5",
      "--epochs",
      "4",
      "--json",
      "--save-features",
      dir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const last = JSON.parse(run.stdout).history.at(-1);
    for (const layer of [1, 2]) {
      const metrics = await runScript("scripts/metrics.ts", [
        "--features",
        `${dir}/layer${layer}.npy`,
        "--labels",
        `${dir}/labels.npy`,
        "--json",
      ]);
      assert.equal(metrics.code, 0, metrics.stderr);
      const report = JSON.parse(metrics.stdout);
      const recorded = last.layers[layer - 1];
      for (const key of ["nc1", "nc1_quotient"] as const) {
        const value = report[key];
        assert.ok(
          Math.abs(value - recorded[key]) <= 1e-9 * recorded[key],
          `layer ${layer} ${key}: metrics ${value} vs train ${recorded[key]}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --imbalance-ratio --json: class counts, per-class test accuracy, minority cosine", async () => {
  const { code, stdout, stderr } = await train([
    ...["--imbalance-ratio", "5", "--minority-classes", "3", "--n", "20"],
    ...["--test-per-class", "8", "--width", "24", "--epochs", "3", "--json"],
  ]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.class_counts, [20, 20, 20, 20, 20, 20, 20, 4, 4, 4]);
  assert.deepEqual(report.minority_classes, [7, 8, 9]);
  assert.equal(report.train_size, 152);
  const last = report.history.at(-1);
  assert.equal(last.test_acc_per_class.length, 10);
  assert.ok(last.minority_cosine >= -1 && last.minority_cosine <= 1);
  assert.equal(report.train_loss_bound, null);
  assert.match(stderr, /class counts 20 × 7, 4 × 3/);
  // The CNN takes the same flags, on the other data set too.
  const cnn = await train([
    ...["--dataset", "fashion-mnist", "--arch", "cnn", "--channels", "4", "--width", "16"],
    ...["--depth", "1", "--epochs", "1"],
    ...["--class-counts", "12,12,12,12,12,12,12,12,3,3", "--test-per-class", "4", "--json"],
  ]);
  assert.equal(cnn.code, 0, cnn.stderr);
  const cnnReport = JSON.parse(cnn.stdout);
  assert.deepEqual([cnnReport.minority_classes, cnnReport.train_size], [[8, 9], 102]);
  assert.equal(cnnReport.history.at(-1).test_acc_per_class.length, 10);
});

Deno.test("train --normalize-features --tau: the training loss against its bound f*(K, τ)", async () => {
  const { code, stdout, stderr } = await train([
    ...["--normalize-features", "--tau", "4", "--n", "20", "--test-per-class", "5"],
    ...["--width", "32", "--epochs", "8", "--eval-every", "2", "--json"],
  ]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  const bound = Math.log1p(9 * Math.exp(-40 / 9));
  assert.ok(Math.abs(report.train_loss_bound - bound) < 1e-15);
  assert.equal(report.train_loss, report.history.at(-1).train_loss);
  for (const record of report.history) assert.ok(record.train_loss >= bound);
  assert.deepEqual([report.config.normalizeFeatures, report.config.tau], [true, 4]);
  const text = await train([
    ...["--normalize-features", "--etf-classifier", "--n", "10", "--test-per-class", "5"],
    ...["--width", "16", "--epochs", "2"],
  ]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /training loss .* ≥ f\*\(K = 10, τ\) = 1\.376935e\+0/);
});
