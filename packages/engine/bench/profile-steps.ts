/**
 * Training steps to profile: the NPI (addition, the full recipe's training set, measured trainer
 * options with the curriculum off) or LeNet-300-100 (batch 64, SGD + momentum, real MNIST) on the
 * default engine. Run it under V8's sampling profiler and summarise the profile:
 *
 *   node --import tsx --conditions=@dcnpi/source --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-steps.ts npi 20
 *   npx tsx bench/summarize-cpuprofile.ts /tmp/prof/*.cpuprofile --window <the printed window>
 *
 * (`lenet` instead of `npi` for LeNet-300-100.) Warm-up steps run first; the profile covers them too,
 * so use enough steps that they are a small part.
 */
import { loadMnist } from "@dcnpi/datasets";
import { buildLenet300100 } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { initEngine } from "../src/index.js";
import type { NpiApi } from "./npi-api.js";

const which = process.argv[2] ?? "npi";
const steps = Number(process.argv[3] ?? "20");
await initEngine();

/** Wall and process CPU ms per step (CPU time is what other jobs on a shared machine disturb least). */
function report(what: string, start: number, cpu: NodeJS.CpuUsage, window: bigint): void {
  const used = process.cpuUsage(cpu);
  // V8's profile clock is CLOCK_MONOTONIC in microseconds, like process.hrtime: for summarize --window.
  console.log(`profile window ${window / 1000n}-${process.hrtime.bigint() / 1000n}`);
  const wall = (performance.now() - start) / steps;
  console.log(
    `${what}: ${steps} steps, ${wall.toFixed(1)} ms/step wall, ${((used.user + used.system) / 1000 / steps).toFixed(1)} ms/step CPU`,
  );
}

async function npiSteps(): Promise<void> {
  const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "npi-envs", "package.json"));
  const load = async (s: string) => (await import(pathToFileURL(require.resolve(s)).href)) as Record<string, unknown>;
  const npi = {
    ...(await load("@dcnpi/npi-core")),
    ...(await load("@dcnpi/npi-core/tfjs")),
    ...(await load("@dcnpi/npi-envs")),
  } as unknown as NpiApi;
  const rng = Rng.fromSeed(1).fork(`${npi.additionTask.name}-training-set`);
  const inputs = Array.from({ length: 20 }, (_, i) => i + 1).flatMap((length) =>
    Array.from({ length: 32 }, () => npi.additionTask.randomInput(rng, length)),
  );
  const model = npi.createNpiModel({ tasks: [npi.additionTask], seed: 1 });
  const dataset = new npi.InvocationDataset(model).addTeacherTraces(npi.additionTask, inputs, ["RSHIFT"]);
  const trainer = new npi.NpiTrainer(model, dataset, { ...npi.MEASURED_TRAINER_OPTIONS, curriculum: false, seed: 1 });
  trainer.trainStep(); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  const window = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) trainer.trainStep();
  report("npi (addition)", start, cpu, window);
}

async function lenetSteps(): Promise<void> {
  const train = loadMnist({ split: "train" });
  const net = buildLenet300100(Rng.fromSeed("engine-bench/weights"));
  net.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: "categoricalCrossentropy" });
  const x = tf.tensor2d(train.images.slice(0, 64 * 784), [64, 784]);
  const y = new Float32Array(64 * 10);
  for (let r = 0; r < 64; r++) y[r * 10 + train.labels[r]!] = 1;
  const labels = tf.tensor2d(y, [64, 10]);
  await net.trainOnBatch(x, labels); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  const window = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) await net.trainOnBatch(x, labels);
  report("lenet-300-100", start, cpu, window);
}

if (which === "npi") await npiSteps();
else await lenetSteps();
