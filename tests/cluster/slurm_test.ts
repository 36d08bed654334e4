// The grid on a real scheduler (issue 18): a one-node Slurm cluster started here — Debian's
// `slurm-wlm` and `munge` (installed with apt-get when missing: CI runs as root), `munged`,
// `slurmctld` and `slurmd` in a temporary directory with their own ports — runs A6's smoke-test
// grid (`--quick`, 4 cells) submitted through `reproduce --submit slurm`, and the figure it
// assembles must equal the same grid run locally on Workers, bit for bit (CSV and every saved
// run). A cell is then resubmitted alone (`sbatch --array=<i>`) and must come back identical.
// Every daemon is stopped by the process id this test started it with, also on failure.
//
// Run: `npx deno task test:slurm` (as root, or with Slurm and munge installed). Skipped, with the
// reason, only where Slurm is missing and apt-get cannot install it (not root / no apt-get).
import assert from "node:assert/strict";
import { join } from "node:path";
import { findExecutable } from "../../lib/cluster/slurm.ts";
import { runScript } from "../run_script.ts";

/** The daemons live in sbin, which a non-login PATH may lack. */
const searchPath = `${Deno.env.get("PATH") ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`;
const programs = ["sbatch", "scontrol", "sinfo", "scancel", "slurmctld", "slurmd", "munged"];
const figure = "A6";
const gridFlag = "--quick";

function missingPrograms(): string[] {
  return programs.filter((name) => findExecutable(name, searchPath) === null);
}

/** Why the test cannot run here, or null. Installing happens inside the test. */
function skipReason(): string | null {
  // The one-node cluster runs its daemons as root (SlurmUser=root), and apt-get needs root too.
  if (Deno.uid() !== 0) return "needs root (apt-get, and slurmd with SlurmUser=root)";
  if (missingPrograms().length > 0 && findExecutable("apt-get", searchPath) === null) {
    return `Slurm is not installed (${
      missingPrograms().join(", ")
    } missing) and there is no apt-get`;
  }
  return null;
}

const skip = skipReason();
if (skip !== null) console.error(`SKIPPED the single-node Slurm test: ${skip}`);

const started = performance.now();
const log = (message: string) =>
  console.error(`[slurm ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`);

/** Runs a command to completion with a time limit; returns exit code and output. */
async function exec(
  program: string,
  args: string[],
  options: { env?: Record<string, string>; seconds?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = findExecutable(program, searchPath) ?? program;
  const child = new Deno.Command(path, {
    args,
    env: { PATH: searchPath, ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), (options.seconds ?? 60) * 1000);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `everyMs` until it returns a value, or fails after `seconds`. */
async function waitFor<T>(
  what: string,
  seconds: number,
  check: () => Promise<T | null>,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function installSlurm(): Promise<void> {
  const missing = missingPrograms();
  if (missing.length === 0) return;
  log(`installing slurm-wlm and munge with apt-get (${missing.join(", ")} missing)`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    exec("apt-get", [
      ...["-o", "DPkg::Lock::Timeout=120", "install", "-y", "slurm-wlm", "munge"],
    ], { env, seconds: 600 });
  let result = await install();
  if (result.code !== 0) {
    await exec("apt-get", ["-o", "DPkg::Lock::Timeout=120", "update"], { env, seconds: 300 });
    result = await install();
  }
  assert.deepEqual(missingPrograms(), [], `apt-get install failed:\n${result.stderr}`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A daemon this test started (kept in the foreground, so its pid is ours to stop). */
interface Daemon {
  name: string;
  child: Deno.ChildProcess;
}

function startDaemon(name: string, program: string, args: string[], env = {}): Daemon {
  const child = new Deno.Command(findExecutable(program, searchPath)!, {
    args,
    env: { PATH: searchPath, ...env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  log(`started ${name} (pid ${child.pid})`);
  return { name, child };
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  try {
    daemon.child.kill("SIGTERM");
  } catch {
    // already exited
  }
  const exited = await Promise.race([
    daemon.child.status.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
  ]);
  if (!exited) {
    daemon.child.kill("SIGKILL");
    await daemon.child.status;
  }
  log(`stopped ${daemon.name} (pid ${daemon.child.pid})`);
}

function slurmConf(dir: string, host: string, ports: [number, number]): string {
  return [
    "ClusterName=ufmlabtest",
    `SlurmctldHost=${host}(127.0.0.1)`,
    "SlurmUser=root",
    "SlurmdUser=root",
    `SlurmctldPort=${ports[0]}`,
    `SlurmdPort=${ports[1]}`,
    "AuthType=auth/munge",
    `AuthInfo=socket=${dir}/run/munge.socket`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/run/slurmctld.pid`,
    `SlurmdPidFile=${dir}/run/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "MpiDefault=none",
    "SwitchType=switch/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "ReturnToService=2",
    "MinJobAge=600", // finished jobs stay visible to scontrol (no accounting database here)
    "SlurmdParameters=config_overrides", // a CI machine with other CPU counts still comes up
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n");
}

/** `scontrol show job` fields of every record of a job (one per array task). */
async function jobStates(id: string, env: Record<string, string>): Promise<string[]> {
  const { stdout } = await exec("scontrol", ["show", "job", "-o", id], { env, seconds: 30 });
  return stdout.trim().split("\n").filter((line) => line !== "").map((line) => {
    const state = /JobState=(\S+)/.exec(line)?.[1] ?? "?";
    const reason = /Reason=(\S+)/.exec(line)?.[1] ?? "";
    return reason === "None" || reason === "" ? state : `${state}(${reason})`;
  });
}

/** Whether a job state is final (COMPLETED, FAILED, CANCELLED, TIMEOUT, …). */
function finished(state: string): boolean {
  return !/^(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SUSPENDED)/.test(state);
}

/** A saved run without its wall-clock fields, the only ones two runs may differ in. */
function withoutTimes(text: string): unknown {
  const saved = JSON.parse(text);
  delete saved.result.seconds;
  delete saved.result.epoch_seconds;
  return saved;
}

async function readLogs(dir: string): Promise<string> {
  const parts: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      parts.push(`--- ${entry.name}\n${await Deno.readTextFile(join(dir, entry.name))}`);
    }
  } catch {
    // no logs yet
  }
  return parts.join("\n");
}

Deno.test({
  name: "single-node Slurm: the grid's cells as an array job assemble the local figure exactly",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await installSlurm();
    const version = await exec("slurmd", ["-V"]);
    log(`${version.stdout.trim()}`);
    const dir = await Deno.makeTempDir({ prefix: "ufmlab-slurm-" });
    await Deno.chmod(dir, 0o755); // munged wants every directory above its socket searchable
    for (const sub of ["munge", "run", "state", "spool", "log", "local", "cluster"]) {
      await Deno.mkdir(join(dir, sub));
    }
    await Deno.chmod(join(dir, "munge"), 0o700);
    await Deno.writeFile(
      join(dir, "munge", "munge.key"),
      crypto.getRandomValues(new Uint8Array(128)),
      { mode: 0o600 },
    );
    const host = (await exec("hostname", ["-s"])).stdout.trim() || Deno.hostname().split(".")[0];
    const conf = join(dir, "slurm.conf");
    await Deno.writeTextFile(conf, slurmConf(dir, host, [freePort(), freePort()]));
    const env = { SLURM_CONF: conf };
    const daemons: Daemon[] = [];
    let passed = false;
    // Killed from outside (CI's timeout, Ctrl-C): no finally block runs, so stop the daemons here.
    const onSignal = () => {
      for (const daemon of daemons) {
        try {
          daemon.child.kill("SIGKILL");
        } catch {
          // already exited
        }
      }
      Deno.exit(1);
    };
    const signals = ["SIGTERM", "SIGINT"] as const;
    for (const signal of signals) Deno.addSignalListener(signal, onSignal);
    try {
      daemons.push(startDaemon("munged", "munged", [
        "--foreground",
        `--socket=${dir}/run/munge.socket`,
        `--key-file=${dir}/munge/munge.key`,
        `--pid-file=${dir}/run/munged.pid`,
        `--log-file=${dir}/log/munged.log`,
        `--seed-file=${dir}/munge/munged.seed`,
      ]));
      await waitFor("munged's socket", 20, async () => {
        try {
          return (await Deno.stat(`${dir}/run/munge.socket`)) ? true : null;
        } catch {
          return null;
        }
      });
      daemons.push(startDaemon("slurmctld", "slurmctld", ["-D", "-f", conf], env));
      await waitFor("slurmctld to answer", 30, async () => {
        const ping = await exec("scontrol", ["ping"], { env, seconds: 10 });
        return /is UP/.test(ping.stdout) ? true : null;
      });
      daemons.push(startDaemon("slurmd", "slurmd", ["-D", "-f", conf, "-N", host], env));
      await waitFor(`node ${host} to be idle`, 60, async () => {
        const sinfo = await exec("sinfo", ["-h", "-N", "-o", "%T"], { env, seconds: 10 });
        return sinfo.stdout.trim() === "idle" ? true : null;
      });
      log(`node ${host} idle (CPUs=2)`);

      // The same grid locally, on Workers: the reference.
      const localStart = performance.now();
      const local = await runScript("scripts/reproduce.ts", ["--only", figure, gridFlag], {
        UFMLAB_FIGURES_DIR: join(dir, "local"),
      }, { allowRun: true });
      assert.equal(local.code, 0, local.stderr);
      log(`local grid and figure: ${((performance.now() - localStart) / 1000).toFixed(1)} s`);

      // Through Slurm: an array job of the cells and the assembling job after it.
      const clusterStart = performance.now();
      const submit = await runScript(
        "scripts/reproduce.ts",
        [
          ...["--only", figure, gridFlag, "--submit", "slurm", "--max-parallel", "2"],
          ...["--time", "10", "--cpus-per-task", "1"],
        ],
        { ...env, UFMLAB_FIGURES_DIR: join(dir, "cluster") },
        { allowRun: true },
      );
      assert.equal(submit.code, 0, submit.stderr);
      log(submit.stdout.trim().split("\n")[0]);
      const slurmDir = join(dir, "cluster", "runs", figure, "slurm");
      const submitted = JSON.parse(await Deno.readTextFile(join(slurmDir, "submitted.json")));
      assert.deepEqual(submitted.indices, [0, 1, 2, 3]);
      const final = await waitFor("the assembling job", 300, async () => {
        const [state] = await jobStates(submitted.assembleJob, env);
        return state !== undefined && finished(state) ? state : null;
      }, 1000).catch(async (error) => {
        throw new Error(`${error.message}\n${await readLogs(join(slurmDir, "logs"))}`);
      });
      const tasks = await jobStates(submitted.arrayJob, env);
      assert.equal(
        final,
        "COMPLETED",
        `assembling job ${final}; array tasks ${tasks.join(" ")}\n` +
          (await readLogs(join(slurmDir, "logs"))),
      );
      assert.deepEqual(tasks, ["COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"]);
      log(
        `cluster: array job ${submitted.arrayJob} (4 tasks, at most 2 at once) and assembling ` +
          `job ${submitted.assembleJob} COMPLETED in ` +
          `${((performance.now() - clusterStart) / 1000).toFixed(1)} s`,
      );

      // One log per task, and the assembling job trained nothing.
      const logs = [...Deno.readDirSync(join(slurmDir, "logs"))].map((e) => e.name).sort();
      assert.deepEqual(logs, [
        `assemble.${submitted.assembleJob}.log`,
        ...[0, 1, 2, 3].map((i) => `cell-${i}.${submitted.arrayJob}.log`),
      ]);
      for (const i of [0, 1, 2, 3]) {
        const text = await Deno.readTextFile(join(slurmDir, "logs", logs[i + 1]));
        assert.match(text, new RegExp(`${figure} cell ${i} of 4 \\(key [0-9a-f]{16}\\): computed`));
      }
      const meta = (where: string) =>
        JSON.parse(Deno.readTextFileSync(join(dir, where, `${figure}.meta.json`)));
      assert.equal(meta("cluster").parameters.runs_loaded_from_disk, 4);
      assert.equal(meta("local").parameters.runs_loaded_from_disk, 0);

      // The figure's numbers: bit for bit.
      const csv = (where: string) => Deno.readFileSync(join(dir, where, `${figure}.csv`));
      assert.deepEqual(csv("cluster"), csv("local"), `${figure}.csv differs`);
      assert.equal(meta("cluster").measured, meta("local").measured);
      const runFiles = (where: string) =>
        [...Deno.readDirSync(join(dir, where, "runs", figure))]
          .filter((e) => e.isFile && e.name.endsWith(".json")).map((e) => e.name).sort();
      assert.deepEqual(runFiles("cluster"), runFiles("local"));
      const savedRun = (where: string, name: string) =>
        withoutTimes(Deno.readTextFileSync(join(dir, where, "runs", figure, name)));
      for (const name of runFiles("local")) {
        assert.deepEqual(savedRun("cluster", name), savedRun("local", name), name);
      }
      log(
        `${figure}.csv identical (${csv("local").length} bytes); ${runFiles("local").length} ` +
          "saved runs identical (wall-clock fields aside)",
      );

      // A failed task resubmitted alone: cell 1's file is gone, `sbatch --array=1` redoes it.
      const cell1 = /\[1\]=([0-9a-f]{16})/.exec(
        await Deno.readTextFile(join(slurmDir, "cells.sbatch")),
      )![1];
      const name1 = runFiles("cluster").find((name) => name.endsWith(`-${cell1}.json`))!;
      await Deno.remove(join(dir, "cluster", "runs", figure, name1));
      const again = await exec("sbatch", [
        ...["--parsable", "--array=1", join(slurmDir, "cells.sbatch")],
      ], { env, seconds: 60 });
      assert.equal(again.code, 0, again.stderr);
      const job = again.stdout.trim().split(";")[0];
      const [resubmitted] = await waitFor(`resubmitted job ${job}`, 180, async () => {
        const states = await jobStates(job, env);
        return states.length > 0 && states.every(finished) ? states : null;
      }, 1000);
      assert.equal(resubmitted, "COMPLETED", await readLogs(join(slurmDir, "logs")));
      assert.deepEqual(savedRun("cluster", name1), savedRun("local", name1));
      log(`cell 1 resubmitted alone (sbatch --array=1): recomputed identically`);
      passed = true;
    } finally {
      await exec("scancel", ["--full", "--user=root"], { env, seconds: 30 }).catch(() => {});
      for (const daemon of daemons.reverse()) await stopDaemon(daemon);
      for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
      if (passed) await Deno.remove(dir, { recursive: true });
      else log(`kept ${dir} (slurm.conf, daemon logs in log/, task logs under cluster/runs)`);
    }
  },
});
