/**
 * NPI training and RUN speed: npi-core's model on the default engine against the same NPI written in
 * PyTorch (bench/pytorch-npi.py), on the addition and sorting training sets of the full reproduction
 * recipe (npi-envs' teachers), with the same initial weights and the same sub-batches.
 *
 * Our side is the real thing: `NpiTrainer.trainStep()` with the measured trainer options (4 sub-batches
 * of one program and one length, max(8, 160 / length) invocations each, Adam, clip 1) except that the
 * curriculum is off (uniform programs), so the batches are a pure function of the seed. This script
 * draws the same batches with the trainer's own rule and Rng forks (and checks they match what the
 * trainer reports), writes them with the model's initial weights to a JSON file, and the PyTorch script
 * trains on exactly those. The first step's loss must agree (same weights, same batch): that is the check
 * that the two NPIs are the same network. A RUN step is `model.step()` for 1 and 250 frames (250 is
 * `evaluateProblems`' batch), from states of a previous step.
 *
 *   npx tsx --conditions=@dcnpi/source bench/npi-speed.ts        (pnpm bench:npi)
 *   DCNPI_BENCH_QUICK=1 ...                                     fewer runs, for a smoke test
 *
 * Threads: the training step is timed again with npi-core's `GradientWorkers` (the step's sub-batches
 * shared with worker threads, each loading bench/npi-replica.ts), `DCNPI_BENCH_THREADS` (default "2";
 * "" for none). Its ratio against one thread is wall time in the same round; the result is checked
 * against the one-thread loss of the same first step.
 *
 * npi-core is loaded through a path resolved from npi-envs (`loadNpi` in npi-api.ts says why).
 */
import { machineInfo, printTable, recordBenchResult, time } from "@dcnpi/bench-kit";
import { Rng, cumulativeSums, indexAtFraction } from "@dcnpi/tensor";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initEngine } from "../src/index.js";
import { blasLabel, findTorchPython, oneThreadEnv, type TorchBlas } from "./torch-anchor.js";
import { loadNpi, type NpiApi, type NpiDatasetLike, type NpiModelLike, type NpiSampleLike, type NpiSequenceBatch } from "./npi-api.js";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env["DCNPI_BENCH_QUICK"] === "1";
const ROUNDS = quick ? 1 : 2;
const PLAN = quick ? { warmup: 1, runs: 2, steps: 2 } : { warmup: 2, runs: 4, steps: 3 };
const RUN_PLAN = quick ? { warmup: 2, runs: 3, steps: 5 } : { warmup: 3, runs: 5, steps: 10 };
const RUN_FRAMES = [1, 250] as const;
const SEED = 1;
const THREADS = (process.env["DCNPI_BENCH_THREADS"] ?? "2")
  .split(",")
  .filter((t) => t.trim() !== "")
  .map(Number);

const b64 = (data: Float32Array | Int32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");

interface TaskSetup {
  readonly name: string;
  readonly model: NpiModelLike;
  readonly dataset: NpiDatasetLike;
}

/** The full recipe's training set (apps/repro FULL_RECIPES): lengths and traces per length, seeded like npi-trainer. */
function setupTask(npi: NpiApi, name: "addition" | "sorting"): TaskSetup {
  const task = name === "addition" ? npi.additionTask : npi.sortingTask;
  const lengths = name === "addition" ? Array.from({ length: 20 }, (_, i) => i + 1) : Array.from({ length: 19 }, (_, i) => i + 2);
  const perLength = name === "addition" ? 32 : 64;
  const rng = Rng.fromSeed(SEED).fork(`${task.name}-training-set`);
  const inputs = lengths.flatMap((length) => Array.from({ length: perLength }, () => task.randomInput(rng, length)));
  const model = npi.createNpiModel({ tasks: [task], seed: SEED });
  const dataset = new npi.InvocationDataset(model).addTeacherTraces(task, inputs, name === "addition" ? ["RSHIFT"] : []);
  return { name, model, dataset };
}

type Batch = NpiSequenceBatch;

/** The sub-batches of the trainer's first `count` steps with the curriculum off (NpiTrainer.trainStep's rule). */
function drawBatches(npi: NpiApi, setup: TaskSetup, count: number): { programs: number[]; batches: Batch[] }[] {
  const options = npi.MEASURED_TRAINER_OPTIONS;
  const rng = Rng.fromSeed(SEED).fork("npi-trainer").fork("batches");
  const programs = setup.dataset.programs().map((program) => {
    const byLength = new Map<number, NpiSampleLike[]>();
    for (const sample of setup.dataset.samplesOf(program)) {
      const list = byLength.get(sample.length) ?? [];
      list.push(sample);
      byLength.set(sample.length, list);
    }
    const buckets = [...byLength.keys()]
      .sort((a, b) => a - b)
      .map((length) => {
        const samples = byLength.get(length)!;
        const cumulative = cumulativeSums(samples.map((s) => s.count));
        return { samples, cumulative, total: cumulative[cumulative.length - 1]! };
      });
    return { program, buckets, cumulative: cumulativeSums(buckets.map((b) => b.total)) };
  });
  const uniform = new Float64Array(programs.length).fill(1 / programs.length);
  return Array.from({ length: count }, () => {
    const drawn: number[] = [];
    const batches = Array.from({ length: options.programsPerStep }, () => {
      const entry = programs[npi.drawIndex(uniform, rng.float())]!;
      drawn.push(entry.program);
      const bucket = entry.buckets[indexAtFraction(entry.cumulative, rng.float())]!;
      const size = Math.max(options.batchSize, Math.floor(options.stepsPerBatch / bucket.samples[0]!.length));
      const samples = Array.from({ length: size }, () => bucket.samples[indexAtFraction(bucket.cumulative, rng.float())]!);
      return npi.buildSequenceBatch(samples, setup.dataset);
    });
    return { programs: drawn, batches };
  });
}

function newTrainer(npi: NpiApi, setup: TaskSetup, stepLoss?: unknown) {
  return new npi.NpiTrainer(setup.model, setup.dataset, {
    ...npi.MEASURED_TRAINER_OPTIONS,
    curriculum: false,
    seed: SEED,
    ...(stepLoss === undefined ? {} : { stepLoss }),
  });
}

interface RunRequest {
  readonly environment: string;
  readonly observation: Float32Array;
  readonly program: number;
  readonly args: [number, number, number];
  readonly state: unknown;
}

/** `frames` RUN requests from the first step's sub-batches (real observations, programs and arguments). */
function runRequests(steps: { batches: Batch[] }[], frames: number): RunRequest[] {
  const out: RunRequest[] = [];
  for (const batch of steps[0]!.batches) {
    const group = batch.groups[0]!;
    const width = group.observations.length / (batch.steps * group.count);
    for (let r = 0; r < batch.steps * batch.size && out.length < frames; r++) {
      const b = r % batch.size;
      out.push({
        environment: group.environment,
        observation: group.observations.slice(r * width, (r + 1) * width),
        program: batch.programs[b]!,
        args: [batch.args[b * 3]!, batch.args[b * 3 + 1]!, batch.args[b * 3 + 2]!],
        state: undefined,
      });
    }
  }
  while (out.length < frames) out.push(out[out.length % Math.max(1, out.length)]!);
  return out;
}

function exportTask(npi: NpiApi, setup: TaskSetup, steps: { batches: Batch[] }[], requests: RunRequest[], firstLoss: number) {
  const config = setup.model.config;
  const weights: Record<string, { shape: number[]; data: string }> = {};
  for (const { name, tensor } of setup.model.weights())
    weights[name] = { shape: [...tensor.shape], data: b64(tensor.data as Float32Array) };
  const encoder = Object.keys(weights).filter((n) => n.startsWith("encoder/") && n.endsWith("/kernel"));
  const lr = npi.MEASURED_TRAINER_OPTIONS.learningRate.initial;
  return {
    task: setup.name,
    config,
    encoderLayers: encoder,
    programs: setup.model.programNames().length,
    trainer: { learningRate: lr, clipNorm: npi.MEASURED_TRAINER_OPTIONS.gradientClipNorm },
    firstLoss,
    weights,
    steps: steps.map((s) =>
      s.batches.map((batch) => ({
        steps: batch.steps,
        size: batch.size,
        observations: b64(batch.groups[0]!.observations),
        programs: b64(batch.programs),
        args: b64(batch.args),
        ends: b64(batch.ends),
        calls: b64(batch.calls),
        callArgs: b64(batch.callArgs),
        argumentMask: b64(batch.argumentMask),
        stepMask: b64(batch.stepMask),
      })),
    ),
    run: {
      observations: b64(Float32Array.from(requests.flatMap((r) => [...r.observation]))),
      programs: b64(Int32Array.from(requests.map((r) => r.program))),
      args: b64(Int32Array.from(requests.flatMap((r) => r.args))),
    },
  };
}

interface SideTiming {
  readonly trainMs: number[];
  readonly trainCpuMs: number;
  readonly runMs: Record<string, number[]>;
}

async function timeOurs(
  npi: NpiApi,
  setup: TaskSetup,
  requests: RunRequest[],
  threads = 1,
): Promise<SideTiming & { firstLoss: number; drawn: string[][] }> {
  // A fresh model per round (same seed): the same weights and the same batches as the PyTorch side.
  const fresh = {
    ...setup,
    model: npi.createNpiModel({ tasks: [setup.name === "addition" ? npi.additionTask : npi.sortingTask], seed: SEED }),
  };
  const workers =
    threads > 1
      ? await npi.GradientWorkers.start({
          model: fresh.model,
          threads,
          replica: { module: new URL("./npi-replica.ts", import.meta.url), data: { task: setup.name, seed: SEED } },
        })
      : undefined;
  const trainer = newTrainer(npi, fresh, workers?.stepLoss);
  const drawn: string[][] = [];
  let firstLoss = Number.NaN;
  const step = () => {
    const m = trainer.trainStep();
    if (m.step === 0) firstLoss = m.loss;
    drawn.push([...m.programs]);
  };
  for (let w = 0; w < PLAN.warmup; w++) step();
  const cpu = process.cpuUsage();
  const train = await time(
    () => {
      for (let s = 0; s < PLAN.steps; s++) step();
    },
    { runs: PLAN.runs, warmup: 0 },
  );
  const used = process.cpuUsage(cpu);
  const runMs: Record<string, number[]> = {};
  await workers?.close();
  // RUN steps do not use the workers: timed on the one-thread pass only.
  for (const frames of threads > 1 ? [] : RUN_FRAMES) {
    const first = fresh.model.step(requests.slice(0, frames));
    const withState = requests.slice(0, frames).map((r, i) => ({ ...r, state: first[i]!.state }));
    const t = await time(
      () => {
        for (let s = 0; s < RUN_PLAN.steps; s++) fresh.model.step(withState);
      },
      { runs: RUN_PLAN.runs, warmup: RUN_PLAN.warmup },
    );
    runMs[String(frames)] = t.runsMs.map((ms) => ms / RUN_PLAN.steps);
  }
  trainer.dispose();
  fresh.model.dispose();
  return {
    trainMs: train.runsMs.map((ms) => ms / PLAN.steps),
    trainCpuMs: (used.user + used.system) / 1000 / (PLAN.runs * PLAN.steps),
    runMs,
    firstLoss,
    drawn,
  };
}

interface TorchSide extends SideTiming {
  readonly torch: string;
  readonly blas: TorchBlas;
  readonly firstLoss: number;
}

function timeTorch(python: string, file: string): TorchSide {
  const run = spawnSync(
    python,
    [
      join(here, "pytorch-npi.py"),
      file,
      ...[PLAN.warmup, PLAN.runs, PLAN.steps, RUN_PLAN.warmup, RUN_PLAN.runs, RUN_PLAN.steps].map(String),
    ],
    { env: oneThreadEnv(), encoding: "utf8", maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`pytorch-npi.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as TorchSide;
}

const min = (xs: readonly number[]) => Math.min(...xs);

async function main(): Promise<void> {
  const loadStart = loadavg();
  const engine = await initEngine();
  console.log(`NPI speed: ${machineInfo().cpu}, ${machineInfo().cores} cores, Node ${process.version}, engine ${engine.backend}`);
  console.log(`load average at start (1/5/15 min): ${loadStart.map((l) => l.toFixed(2)).join(" / ")}`);
  const python = findTorchPython();
  if (python === undefined) throw new Error("`import torch` fails: install python3-torch (apt-get install -y python3-torch)");
  const npi = await loadNpi();
  const dir = mkdtempSync(join(tmpdir(), "dcnpi-npi-bench-"));
  const rows: Record<string, string | number>[] = [];
  const recorded: Record<string, unknown> = {};
  let blas: TorchBlas | undefined;
  try {
    for (const name of ["addition", "sorting"] as const) {
      const setup = setupTask(npi, name);
      const total = PLAN.warmup + PLAN.runs * PLAN.steps;
      const steps = drawBatches(npi, setup, total);
      const requests = runRequests(steps, Math.max(...RUN_FRAMES));
      const ours: Awaited<ReturnType<typeof timeOurs>>[] = [];
      const torch: TorchSide[] = [];
      const parallel: Record<number, Awaited<ReturnType<typeof timeOurs>>[]> = {};
      let file = "";
      for (let round = 0; round < ROUNDS; round++) {
        console.log(`-- ${name}, round ${round + 1}/${ROUNDS}: engine --`);
        const o = await timeOurs(npi, setup, requests);
        const expected = steps.map((s) => s.programs.map((p) => setup.model.programName(p)).join(","));
        const got = o.drawn.map((d) => d.join(","));
        if (expected.join(";") !== got.join(";"))
          throw new Error(`${name}: the trainer drew other batches than the bench's copy of its rule`);
        ours.push(o);
        for (const threads of THREADS) {
          console.log(`-- ${name}, round ${round + 1}/${ROUNDS}: engine, ${threads} threads --`);
          const p = await timeOurs(npi, setup, requests, threads);
          if (p.drawn.map((d) => d.join(",")).join(";") !== got.join(";"))
            throw new Error(`${name}: ${threads} threads drew other batches than one`);
          const gap = Math.abs(p.firstLoss - o.firstLoss) / Math.abs(o.firstLoss);
          if (!(gap < 1e-5)) throw new Error(`${name}: ${threads} threads gave first-step loss ${p.firstLoss}, one thread ${o.firstLoss}`);
          (parallel[threads] ??= []).push(p);
        }
        if (file === "") {
          file = join(dir, `${name}.json`);
          writeFileSync(file, JSON.stringify(exportTask(npi, setup, steps, requests, o.firstLoss)));
        }
        console.log(`-- ${name}, round ${round + 1}/${ROUNDS}: PyTorch --`);
        torch.push(timeTorch(python, file));
      }
      blas = torch[0]!.blas;
      const lossGap = Math.abs(torch[0]!.firstLoss - ours[0]!.firstLoss) / Math.abs(ours[0]!.firstLoss);
      const oursTrain = min(ours.flatMap((o) => o.trainMs));
      const torchTrain = min(torch.flatMap((t) => t.trainMs));
      const sequences = steps.reduce((a, s) => a + s.batches.reduce((b, x) => b + x.size, 0), 0) / steps.length;
      const stepRows = steps.reduce((a, s) => a + s.batches.reduce((b, x) => b + x.size * x.steps, 0), 0) / steps.length;
      rows.push({
        task: name,
        what: `training step (${sequences.toFixed(0)} seqs, ${stepRows.toFixed(0)} step-rows)`,
        "engine ms": oursTrain,
        "PyTorch ms": torchTrain,
        "engine / PyTorch": oursTrain / torchTrain,
        "engine cpu ms": Math.min(...ours.map((o) => o.trainCpuMs)),
        "PyTorch cpu ms": Math.min(...torch.map((t) => t.trainCpuMs)),
        "cpu ratio": Math.min(...ours.map((o) => o.trainCpuMs)) / Math.min(...torch.map((t) => t.trainCpuMs)),
        "x faster than 1 thread": 1,
      });
      for (const threads of THREADS) {
        const p = min(parallel[threads]!.flatMap((x) => x.trainMs));
        rows.push({
          task: name,
          what: `training step, ${threads} threads`,
          "engine ms": p,
          "PyTorch ms": torchTrain,
          "engine / PyTorch": p / torchTrain,
          "x faster than 1 thread": oursTrain / p,
        });
      }
      for (const frames of RUN_FRAMES) {
        const o = min(ours.flatMap((x) => x.runMs[String(frames)]!));
        const t = min(torch.flatMap((x) => x.runMs[String(frames)]!));
        rows.push({
          task: name,
          what: `RUN step, ${frames} frame${frames > 1 ? "s" : ""}`,
          "engine ms": o,
          "PyTorch ms": t,
          "engine / PyTorch": o / t,
        });
      }
      console.log(
        `${name}: first-step loss engine ${ours[0]!.firstLoss.toFixed(6)}, PyTorch ${torch[0]!.firstLoss.toFixed(6)} ` +
          `(relative gap ${lossGap.toExponential(2)}: ${lossGap < 1e-4 ? "same network" : "NOT THE SAME NETWORK"})`,
      );
      recorded[name] = { ours, parallel, torch: torch.map(({ blas: _b, ...rest }) => rest), lossGap, plan: PLAN, runPlan: RUN_PLAN };
      setup.model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const loadEnd = loadavg();
  printTable(`NPI ms per step, engine ${engine.backend} vs PyTorch (1 thread, ${blasLabel(blas)}); min over ${ROUNDS} rounds`, rows);
  console.log(`load average at end (1/5/15 min): ${loadEnd.map((l) => l.toFixed(2)).join(" / ")}`);
  const file = recordBenchResult("engine-npi-speed", {
    engine: { backend: engine.backend, wasmKernels: engine.wasmKernels },
    blas: blas ?? null,
    loadAverageStart: loadStart,
    loadAverageEnd: loadEnd,
    rows,
    ...recorded,
  });
  console.log(`recorded ${file}`);
}

await main();
