/**
 * The matmul ceiling under issue 19's targets: GFLOP/s of the engine's `tf.matMul` (wasm, our 128-bit
 * SIMD micro-kernel) against `torch.mm` on one thread with the BLAS PyTorch loaded, on the shapes the
 * NPI and the LeNets spend their matmul time on, in alternating rounds of one run.
 *
 * Why it matters: an NPI training step is ~4.7 GFLOP of matmuls (README, "Where the NPI's time goes").
 * At the engine's rate on the NPI shapes those alone take longer than PyTorch's whole step, so no
 * amount of dispatch removal reaches 1.0x while the kernel's rate is the gap this table shows.
 *
 *   npx tsx --conditions=@dcnpi/source bench/matmul-ceiling.ts        (pnpm bench:matmul)
 */
import { machineInfo, printTable, recordBenchResult } from "@dcnpi/bench-kit";
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initEngine } from "../src/index.js";
import { blasLabel, findTorchPython, oneThreadEnv, type TorchBlas } from "./torch-anchor.js";

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = process.env["DCNPI_BENCH_QUICK"] === "1" ? 1 : 3;
const RUNS = 5;
/** NPI step GFLOP of matmuls (README's count: 3.6 M multiply-adds per step-row, forward and backward, x 660 rows). */
const NPI_STEP_GFLOP = 4.7;

const SHAPES: { readonly what: string; readonly shape: [number, number, number] }[] = [
  { what: "NPI LSTM timestep (62 rows x 4 gates of 256)", shape: [62, 256, 1024] },
  { what: "NPI LSTM, 8 rows", shape: [8, 256, 1024] },
  { what: "NPI input projection (660 step-rows)", shape: [660, 256, 1024] },
  { what: "LeNet-300-100 fc1, batch 64", shape: [64, 784, 300] },
  { what: "square 512", shape: [512, 512, 512] },
];

function engineGflops(): number[] {
  return SHAPES.map(({ shape: [m, k, n] }) => {
    const a = tf.randomUniform([m, k], 0, 1, "float32", 1);
    const b = tf.randomUniform([k, n], 0, 1, "float32", 2);
    const reps = Math.max(5, Math.round(0.4e9 / (2 * m * k * n)));
    let best = Number.POSITIVE_INFINITY;
    const batch = () => {
      for (let i = 0; i < reps; i++) tf.matMul(a, b).dispose();
    };
    for (let w = 0; w < 3; w++) tf.matMul(a, b).dispose();
    for (let r = 0; r < RUNS; r++) {
      const start = performance.now();
      batch();
      best = Math.min(best, (performance.now() - start) / reps);
    }
    tf.dispose([a, b]);
    return (2 * m * k * n) / best / 1e6;
  });
}

function torchGflops(python: string): { gflops: number[]; blas: TorchBlas; torch: string } {
  const run = spawnSync(python, [join(here, "pytorch-matmul.py"), JSON.stringify(SHAPES.map((s) => s.shape)), String(RUNS)], {
    env: oneThreadEnv(),
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`pytorch-matmul.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as { gflops: number[]; blas: TorchBlas; torch: string };
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const engine = await initEngine();
  const python = findTorchPython();
  if (python === undefined) throw new Error("`import torch` fails: install python3-torch (apt-get install -y python3-torch)");
  console.log(`matmul ceiling: ${machineInfo().cpu}, Node ${process.version}, engine ${engine.backend}; load ${loadStart[0]!.toFixed(2)}`);
  const ours: number[][] = [];
  const theirs: ReturnType<typeof torchGflops>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    console.log(`-- round ${round + 1}/${ROUNDS}`);
    ours.push(engineGflops());
    theirs.push(torchGflops(python));
  }
  const best = (xs: readonly number[]) => Math.max(...xs);
  const rows = SHAPES.map(({ what, shape }, i) => {
    const e = best(ours.map((r) => r[i]!));
    const t = best(theirs.map((r) => r.gflops[i]!));
    return {
      shape: `${shape[0]}x${shape[1]} @ ${shape[1]}x${shape[2]}`,
      what,
      "engine GFLOP/s": e,
      "PyTorch GFLOP/s": t,
      "PyTorch / engine": t / e,
    };
  });
  const blas = theirs[0]!.blas;
  printTable(
    `GFLOP/s, engine ${engine.backend} vs torch.mm (PyTorch ${theirs[0]!.torch}, 1 thread, ${blasLabel(blas)}); best of ${ROUNDS} rounds`,
    rows,
  );
  const lstm = rows[0]!["engine GFLOP/s"];
  console.log(
    `floor: an NPI training step's ${NPI_STEP_GFLOP} GFLOP of matmuls at the engine's LSTM-shape rate take ` +
      `${((NPI_STEP_GFLOP / lstm) * 1000).toFixed(0)} ms; at PyTorch's, ${((NPI_STEP_GFLOP / rows[0]!["PyTorch GFLOP/s"]) * 1000).toFixed(0)} ms`,
  );
  const loadEnd = loadavg();
  console.log(`load average at end: ${loadEnd.map((l) => l.toFixed(2)).join(" / ")}`);
  const file = recordBenchResult("engine-matmul-ceiling", { engine: engine.backend, blas, loadStart, loadEnd, rows, ours, theirs });
  console.log(`recorded ${file}`);
}

await main();
