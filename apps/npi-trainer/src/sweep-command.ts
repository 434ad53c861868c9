/**
 * Accuracy vs size across compression settings (the figure issue 8 asks for): for each task, the
 * dense model; the pruned model (the plan's pruning with masked retraining, float32 survivors); the
 * pruned model quantized at each bit width with centroid fine-tuning, stored with fixed-width codes
 * and with Huffman coding. One pruning run serves every bit width: its result is saved as a
 * checkpoint, and each width re-quantizes it (pruning "again" by threshold 0 keeps the same mask).
 * Every point is a resumable stage of the run directory.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decideWeight, type CompressionPlan, type CompressionRule } from "@dcnpi/deep-compression";
import { writeCheckpoint } from "@dcnpi/npi-core/tfjs";
import { markdownTable, openRunDirectory, renderVegaLiteSvg, writeReport, type RunDirectory } from "@dcnpi/run-kit";
import { encodeLayer, encodeRelativeIndex, readContainer, serializeContainer, toDenseCodes, type DenseTensorInput, type EncodedLayer } from "@dcnpi/sparse-format";
import { Rng } from "@dcnpi/tensor";
import { z } from "zod";
import { compressNpi } from "./compress-npi.js";
import { NpiAppError } from "./errors.js";
import { evaluateLengths, type LengthResult } from "./evaluate.js";
import { TRAIN_INFO_FILE, contentKeyOf, loadDenseModel, loadModel, type LoadedModel } from "./model-store.js";
import type { TaskName } from "./tasks.js";

export interface SweepCommandOptions {
  readonly checkpoints: readonly string[];
  readonly plan: CompressionPlan;
  readonly bits: readonly number[];
  readonly lengths: readonly number[] | undefined;
  readonly problems: number | undefined;
  readonly seed: number;
  readonly out: string | undefined;
  readonly backend: string;
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

export const DEFAULT_SWEEP_LENGTHS: Record<"addition" | "sort", readonly number[]> = {
  addition: [1, 5, 10, 20, 100, 1000],
  sort: [2, 5, 10, 20, 40, 60],
};

const lengthResultSchema = z.object({ length: z.number(), problems: z.number(), correct: z.number(), traceExact: z.number(), statuses: z.record(z.string(), z.number()), modelSteps: z.number(), wallSeconds: z.number() });
const pointSchema = z.object({
  task: z.string(),
  setting: z.string(),
  kind: z.enum(["dense", "pruned", "quantized", "huffman"]),
  bits: z.number().nullable(),
  bytes: z.number(),
  /** How `bytes` was obtained: a file's true size, or computed (pruned float32 survivors + relative indices). */
  bytesFrom: z.enum(["file", "computed"]),
  float32Bytes: z.number(),
  results: z.array(lengthResultSchema),
  wallSeconds: z.number(),
});
export type SweepPoint = z.infer<typeof pointSchema>;

/** The plan with every compressed rule at `bits` and pruning replaced by "keep the non-zeros" (the mask of a pruned model), without retraining. */
export function requantizePlan(plan: CompressionPlan, bits: number, huffman: boolean): CompressionPlan {
  return {
    ...plan,
    rules: plan.rules.map((rule): CompressionRule => (rule.store !== "compressed" ? rule : { ...rule, weightBits: bits, huffman, ...(rule.prune === undefined ? {} : { prune: { threshold: 1e-30 } }) })),
    retrain: { ...plan.retrain, pruneIterations: 1, epochsPerPruneIteration: 0, epochsAfterLastPrune: 0 },
  };
}

/** The same container without Huffman coding (fixed-width code and index streams): its size in bytes. */
async function fixedWidthBytes(file: string): Promise<number> {
  const contents = await readContainer(file);
  const layers: EncodedLayer[] = contents.layers.map((layer) =>
    encodeLayer({ name: layer.name, shape: layer.shape, codes: toDenseCodes(layer), codebook: layer.codebook, weightBits: layer.weightBits, ...(layer.indexBits === null ? {} : { indexBits: layer.indexBits }), info: layer.info, huffman: { weights: false, indices: false } }),
  );
  const denseTensors: DenseTensorInput[] = contents.denseTensors.map((d) => ({ name: d.name, shape: d.shape, data: d.data, ...(d.info === undefined ? {} : { info: d.info }) }));
  return serializeContainer({ layers, denseTensors, metadata: contents.metadata }).length;
}

/** Pruned float32 survivors with relative indices (the plan's index bits, fillers included) + dense entries as float32. */
function prunedBytes(loaded: LoadedModel, plan: CompressionPlan): number {
  let bits = 0;
  for (const p of loaded.model.parameters()) {
    const decision = decideWeight(plan, { name: p.name, info: p.info });
    const values = p.variable.dataSync() as Float32Array;
    if (decision.store !== "compressed" || decision.prune === undefined) {
      bits += 32 * values.length;
      continue;
    }
    const entries = encodeRelativeIndex(Uint8Array.from(values, (v) => (v === 0 ? 0 : 1)), decision.indexBits);
    bits += (entries.nonzeroCount + entries.fillerCount) * (32 + decision.indexBits);
  }
  return Math.ceil(bits / 8);
}

const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

async function sweepTask(checkpoint: string, run: RunDirectory, options: SweepCommandOptions): Promise<SweepPoint[]> {
  const dense = await loadModel(checkpoint);
  if (dense.kind !== "dense") {
    dense.model.dispose();
    throw new NpiAppError("INVALID_OPTION", `${checkpoint}: sweep takes a training checkpoint, not a compressed file`);
  }
  const task = dense.taskName as TaskName;
  const key = `${task}-${contentKeyOf(dense)}`;
  const lengths = options.lengths ?? DEFAULT_SWEEP_LENGTHS[task === "addition" ? "addition" : "sort"];
  const plans = lengths.map((length) => ({ length, problems: options.problems ?? (length > 100 || (task === "sort" && length > 20) ? 10 : 20) }));
  const evaluate = (loaded: LoadedModel): LengthResult[] => evaluateLengths(loaded.model, loaded.task, plans, { seed: `${options.seed}-sweep`, onLength: (r) => options.log(`  ${task} length ${r.length}: ${r.correct}/${r.problems} (${r.wallSeconds.toFixed(0)} s)`) });
  const points: SweepPoint[] = [];
  const stage = async (name: string, compute: () => Promise<SweepPoint>) => {
    options.log(`${task}: ${name}...`);
    points.push(await run.stage(`${key}-${name}-s${options.seed}`, compute, pointSchema));
  };
  try {
    await stage("dense", async () => {
      const started = performance.now();
      const results = evaluate(dense);
      return { task, setting: "dense float32", kind: "dense", bits: null, bytes: dense.float32Bytes, bytesFrom: "file", float32Bytes: dense.float32Bytes, results, wallSeconds: (performance.now() - started) / 1000 };
    });
  } finally {
    dense.model.dispose();
  }
  // Pruning with masked retraining (the plan's own bit width is quantized on the way; that point is reused below).
  const prunedDir = run.path("models", `${key}-pruned`);
  const planBits = [...new Set(options.plan.rules.filter((r) => r.store === "compressed").map((r) => r.weightBits!))];
  await run.stage(`${key}-prune-s${options.seed}`, async () => {
    const loaded = await loadModel(checkpoint);
    try {
      let saved = false;
      const cycles = options.plan.retrain.pruneIterations;
      await compressNpi(loaded, {
        plan: options.plan,
        seed: options.seed,
        output: run.path("models", `${key}-plan.dcnpi`),
        onMetric: (stage, solved, err) => options.log(`  ${stage}: ${(100 * solved).toFixed(1)}% validation solved, max teacher-forced error ${err.toFixed(4)}`),
        afterStage: (stageName) => {
          if (saved || stageName !== (cycles > 1 ? `pruned ${cycles}/${cycles}` : "pruned")) return;
          // The pruned float32 model, as a checkpoint every command can read.
          writeCheckpoint(prunedDir, {
            step: loaded.step,
            model: loaded.model.describe(),
            weights: loaded.model.weights(),
            optimizer: [],
            trainer: { sequencesSeen: 0, rng: Rng.fromSeed(0).saveState(), curriculum: { programs: [], probabilities: [] }, fingerprint: "npi sweep: pruned model" },
          });
          const info = join(loaded.source, TRAIN_INFO_FILE);
          if (existsSync(info)) copyFileSync(info, join(prunedDir, TRAIN_INFO_FILE));
          saved = true;
        },
      });
      if (!saved) throw new NpiAppError("INVALID_OPTION", "sweep: the plan prunes nothing");
      return { prunedDir };
    } finally {
      loaded.model.dispose();
    }
  }, z.object({ prunedDir: z.string() }));
  await stage("pruned", async () => {
    const started = performance.now();
    const pruned = loadDenseModel(prunedDir);
    try {
      const results = evaluate(pruned);
      return { task, setting: "pruned (float32 + relative indices)", kind: "pruned", bits: 32, bytes: prunedBytes(pruned, options.plan), bytesFrom: "computed", float32Bytes: pruned.float32Bytes, results, wallSeconds: (performance.now() - started) / 1000 };
    } finally {
      pruned.model.dispose();
    }
  });
  for (const bits of options.bits) {
    const file = run.path("models", `${key}-q${bits}.dcnpi`);
    let quantized: SweepPoint | undefined;
    await stage(`q${bits}`, async () => {
      const started = performance.now();
      const loaded = loadDenseModel(prunedDir);
      try {
        await compressNpi(loaded, { plan: requantizePlan(options.plan, bits, true), seed: options.seed, output: file, onMetric: (stage, solved) => options.log(`  ${bits} bits, ${stage}: ${(100 * solved).toFixed(1)}% validation solved`) });
      } finally {
        loaded.model.dispose();
      }
      const compressed = await loadModel(file);
      try {
        const results = evaluate(compressed);
        return { task, setting: `pruned + ${bits}-bit shared weights`, kind: "quantized", bits, bytes: await fixedWidthBytes(file), bytesFrom: "file", float32Bytes: compressed.float32Bytes, results, wallSeconds: (performance.now() - started) / 1000 };
      } finally {
        compressed.model.dispose();
      }
    });
    quantized = points[points.length - 1]!;
    // Huffman coding changes no weight: the same accuracies, the Huffman-coded file's size.
    points.push({ ...quantized, setting: `pruned + ${bits}-bit + Huffman`, kind: "huffman", bytes: readFileSync(file).length, wallSeconds: 0 });
  }
  options.log(`${task}: plan bit width(s) ${planBits.join(", ")}`);
  return points;
}

/** `npi sweep`: runs the sweep for each checkpoint and writes one report with both tasks. */
export async function sweepCommand(options: SweepCommandOptions): Promise<string> {
  const out = options.out ?? join(dirname(options.checkpoints[0]!), "sweep");
  const run = openRunDirectory(dirname(out), basename(out));
  const points: SweepPoint[] = [];
  for (const checkpoint of options.checkpoints) points.push(...(await sweepTask(checkpoint, run, options)));
  const pooled = (p: SweepPoint) => p.results.reduce((s, r) => s + r.correct, 0) / p.results.reduce((s, r) => s + r.problems, 0);
  const tables = [...new Set(points.map((p) => p.task))].map((task) => {
    const mine = points.filter((p) => p.task === task);
    const lengths = mine[0]!.results.map((r) => r.length);
    return `### ${task}\n\n${markdownTable(
      ["setting", "bytes", "vs float32", ...lengths.map((l) => `L=${l}`), "all"],
      mine.map((p) => [p.setting, `${p.bytes}${p.bytesFrom === "computed" ? " (computed)" : ""}`, `${(p.float32Bytes / p.bytes).toFixed(1)}x`, ...p.results.map((r) => `${((100 * r.correct) / r.problems).toFixed(0)}%`), `${(100 * pooled(p)).toFixed(1)}%`]),
    )}`;
  });
  const svg = await renderVegaLiteSvg({
    width: 520,
    height: 300,
    data: { values: points.map((p) => ({ task: p.task, setting: p.kind === "quantized" || p.kind === "huffman" ? `${p.kind === "huffman" ? "+ Huffman" : "fixed width"}` : p.kind, bits: p.bits, kB: p.bytes / 1e3, accuracy: pooled(p), label: p.bits !== null && p.kind !== "pruned" ? `${p.bits}b` : "" })) },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x: { field: "kB", type: "quantitative", scale: { type: "log" }, title: "model size (kB, log scale)" }, y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, title: "problems solved (all test lengths)" }, color: { field: "task", type: "nominal" }, shape: { field: "setting", type: "nominal" }, detail: { field: "setting", type: "nominal" } } },
      { mark: { type: "text", dy: -9, fontSize: 9 }, encoding: { x: { field: "kB", type: "quantitative" }, y: { field: "accuracy", type: "quantitative" }, text: { field: "label", type: "nominal" }, color: { field: "task", type: "nominal" } } },
    ],
  });
  const written = writeReport(run.dir, {
    title: "NPI: accuracy vs size across compression settings",
    blocks: [
      {
        kind: "markdown",
        text: `Per-sequence accuracy on fresh problems (seed ${options.seed}) at each test length, for the dense model, the pruned model (float32 survivors; size computed as 32-bit values + relative indices) and the pruned model quantized at ${options.bits.join(", ")} bits with centroid fine-tuning, stored with fixed-width streams and with Huffman coding (true file sizes). Backend ${options.backend}.`,
      },
      ...tables.map((text) => ({ kind: "markdown" as const, text })),
      { kind: "figure", name: "accuracy-vs-size", title: "Accuracy vs size", svg },
    ],
  });
  return `${tables.join("\n\n")}\n\nwrote ${written.markdownPath} and ${written.htmlPath}\n`;
}
