/**
 * Accuracy vs size across compression settings (the figure issue 8 asks for): for each task, the
 * dense model; the pruned model (the plan's pruning with masked retraining, float32 survivors); the
 * pruned model quantized at each bit width with centroid fine-tuning, stored with fixed-width codes
 * and with Huffman coding. One pruning run serves every bit width: its result is saved as a
 * checkpoint, and each width re-quantizes it (pruning "again" by threshold 0 keeps the same mask).
 * Every point is a resumable stage of the run directory.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decideWeight, reencodeContainer, type CompressionPlan, type CompressionRule } from "@dcnpi/deep-compression";
import { openRunDirectory, type RunDirectory } from "@dcnpi/run-kit";
import { markdownTable, renderVegaLiteSvg, writeReport } from "@dcnpi/report-kit";
import { encodeRelativeIndex, serializeContainer } from "@dcnpi/sparse-format";
import { readContainer } from "@dcnpi/sparse-format/node";
import { z } from "zod";
import { compressNpi } from "./compress-npi.js";
import { NpiAppError } from "./errors.js";
import { evaluateLengths, type LengthResult } from "./evaluate.js";
import { contentKeyOf, loadDenseModel, loadModel, type LoadedModel } from "./model-store.js";
import { taskEntry, type TaskName } from "./tasks.js";

export interface SweepCommandOptions {
  readonly checkpoints: readonly string[];
  /** Pruned models (`npi compress --save-pruned` with the same plan), one per checkpoint: the pruning run is skipped. */
  readonly pruned?: readonly string[] | undefined;
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

const lengthResultSchema = z.object({
  length: z.number(),
  problems: z.number(),
  correct: z.number(),
  traceExact: z.number(),
  statuses: z.record(z.string(), z.number()),
  modelSteps: z.number(),
  wallSeconds: z.number(),
});
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

/**
 * The plan with every pruned rule at `bits` and its pruning replaced by "keep the non-zeros" (the mask
 * of a pruned model), without pruning retraining. Rules that quantize without pruning (biases, program
 * keys and embeddings: a few thousand values) keep the plan's bits: the sweep varies the width of the
 * weight matrices, which are >99% of the parameters, as the paper's bit-width figures do.
 */
export function requantizePlan(plan: CompressionPlan, bits: number, huffman: boolean): CompressionPlan {
  return {
    ...plan,
    rules: plan.rules.map((rule): CompressionRule =>
      rule.store !== "compressed" || rule.prune === undefined ? rule : { ...rule, weightBits: bits, huffman, prune: { threshold: 1e-30 } },
    ),
    retrain: { ...plan.retrain, pruneIterations: 1, epochsPerPruneIteration: 0, epochsAfterLastPrune: 0 },
  };
}

/** The same container without Huffman coding (fixed-width code and index streams): its size in bytes. */
async function fixedWidthBytes(file: string): Promise<number> {
  return serializeContainer(reencodeContainer(await readContainer(file), "never")).length;
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
    const entries = encodeRelativeIndex(
      Uint8Array.from(values, (v) => (v === 0 ? 0 : 1)),
      decision.indexBits,
    );
    bits += (entries.nonzeroCount + entries.fillerCount) * (32 + decision.indexBits);
  }
  return Math.ceil(bits / 8);
}

const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

/** One checkpoint's sweep: its task, where the stages go, and how a model is evaluated. */
interface TaskSweep {
  readonly task: TaskName;
  readonly run: RunDirectory;
  readonly options: SweepCommandOptions;
  readonly evaluate: (loaded: LoadedModel) => LengthResult[];
}

async function sweepTask(
  checkpoint: string,
  pruned: string | undefined,
  run: RunDirectory,
  options: SweepCommandOptions,
): Promise<SweepPoint[]> {
  const { dense, task } = await loadSweptCheckpoint(checkpoint);
  // Stage keys change with the model's bytes (and the given pruned model's), so no result is reused for another model.
  const denseKey = `${task}-${contentKeyOf(dense)}`;
  const sweep: TaskSweep = { task, run, options, evaluate: sweepEvaluator(task, options) };
  const points: SweepPoint[] = [];
  try {
    points.push(await sweepStage(sweep, denseKey, "dense", () => densePoint(sweep, dense)));
  } finally {
    dense.model.dispose();
  }
  // Pruning with masked retraining (the plan's own bit width is quantized on the way), or the pruned
  // model `npi compress --save-pruned` already made: pruning is the expensive part (most retraining steps).
  const prunedDir = pruned ?? run.path("models", `${denseKey}-pruned`);
  const planBits = [...new Set(options.plan.rules.filter((r) => r.store === "compressed").map((r) => r.weightBits!))];
  let key = denseKey;
  if (pruned !== undefined) key = await givenPrunedKey(sweep, checkpoint, pruned, denseKey);
  else await pruneWithPlan(sweep, checkpoint, denseKey, prunedDir);
  points.push(await sweepStage(sweep, key, "pruned", () => prunedPoint(sweep, prunedDir)));
  mkdirSync(run.path("models"), { recursive: true });
  for (const bits of options.bits) points.push(...(await quantizedPoints(sweep, key, prunedDir, bits)));
  options.log(`${task}: plan bit width(s) ${planBits.join(", ")}`);
  return points;
}

/** A training checkpoint of addition or sort (the sweep's tasks), or an error naming what it is instead. */
async function loadSweptCheckpoint(checkpoint: string): Promise<{ dense: LoadedModel; task: TaskName }> {
  const dense = await loadModel(checkpoint);
  if (dense.kind !== "dense") {
    dense.model.dispose();
    throw new NpiAppError("INVALID_OPTION", `${checkpoint}: sweep takes a training checkpoint, not a compressed file`);
  }
  const task = dense.taskName;
  const entry = taskEntry(task);
  if (entry.sweep === undefined) {
    dense.model.dispose();
    throw new NpiAppError("WRONG_TASK", `${checkpoint}: ${entry.sweepRefusal ?? `sweep does not cover ${task}`}`);
  }
  return { dense, task };
}

/** Evaluates a model on the sweep's test lengths (the same problems for every setting). */
function sweepEvaluator(task: TaskName, options: SweepCommandOptions): (loaded: LoadedModel) => LengthResult[] {
  const sweep = taskEntry(task).sweep!;
  const lengths = options.lengths ?? sweep.lengths;
  const plans = lengths.map((length) => ({ length, problems: options.problems ?? sweep.problemsAt(length) }));
  return (loaded) =>
    evaluateLengths(loaded.model, loaded.task, plans, {
      seed: `${options.seed}-sweep`,
      onLength: (r) => options.log(`  ${task} length ${r.length}: ${r.correct}/${r.problems} (${r.wallSeconds.toFixed(0)} s)`),
    });
}

/** A resumable stage of the run directory that yields one point. */
async function sweepStage(sweep: TaskSweep, key: string, name: string, compute: () => Promise<SweepPoint>): Promise<SweepPoint> {
  sweep.options.log(`${sweep.task}: ${name}...`);
  return sweep.run.stage(`${key}-${name}-s${sweep.options.seed}`, compute, pointSchema);
}

async function densePoint({ task, evaluate }: TaskSweep, dense: LoadedModel): Promise<SweepPoint> {
  const started = performance.now();
  const results = evaluate(dense);
  return {
    task,
    setting: "dense float32",
    kind: "dense",
    bits: null,
    bytes: dense.float32Bytes,
    bytesFrom: "file",
    float32Bytes: dense.float32Bytes,
    results,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** Checks the given pruned model (`--pruned`) and returns the stage key that includes its bytes. */
async function givenPrunedKey({ task }: TaskSweep, checkpoint: string, pruned: string, key: string): Promise<string> {
  const given = await loadModel(pruned);
  try {
    if (given.kind !== "dense") throw new NpiAppError("INVALID_OPTION", `--pruned ${pruned}: not a checkpoint directory`);
    if (given.taskName !== task)
      throw new NpiAppError("WRONG_TASK", `--pruned ${pruned} holds a ${given.taskName} model, but ${checkpoint} is ${task}`);
    let zeros = 0;
    let total = 0;
    for (const p of given.model.parameters()) {
      const values = p.variable.dataSync() as Float32Array;
      total += values.length;
      for (const v of values) if (v === 0) zeros++;
    }
    // A trained dense model has a few exact zeros too (biases of ReLU units that never fired keep their
    // zero start), so the test is a share: any plan that prunes leaves far more than 1% of the weights zero.
    if (zeros < 0.01 * total)
      throw new NpiAppError("INVALID_OPTION", `--pruned ${pruned}: ${zeros} of ${total} weights are zero (not a pruned model)`);
    return `${key}-p${contentKeyOf(given)}`;
  } finally {
    given.model.dispose();
  }
}

/** Prunes with the plan (masked retraining) and saves the pruned model to `prunedDir`; a resumable stage. */
async function pruneWithPlan({ run, options }: TaskSweep, checkpoint: string, key: string, prunedDir: string): Promise<void> {
  await run.stage(
    `${key}-prune-s${options.seed}`,
    async () => {
      const loaded = await loadModel(checkpoint);
      try {
        await compressNpi(loaded, {
          plan: options.plan,
          seed: options.seed,
          output: run.path("models", `${key}-plan.dcnpi`),
          savePrunedTo: prunedDir,
          onMetric: (stage, solved, err) =>
            options.log(`  ${stage}: ${(100 * solved).toFixed(1)}% validation solved, max teacher-forced error ${err.toFixed(4)}`),
        });
        if (!existsSync(join(prunedDir, "checkpoint.json"))) throw new NpiAppError("INVALID_OPTION", "sweep: the plan prunes nothing");
        return { prunedDir };
      } finally {
        loaded.model.dispose();
      }
    },
    z.object({ prunedDir: z.string() }),
  );
}

async function prunedPoint({ task, options, evaluate }: TaskSweep, prunedDir: string): Promise<SweepPoint> {
  const started = performance.now();
  const pruned = loadDenseModel(prunedDir);
  try {
    const results = evaluate(pruned);
    return {
      task,
      setting: "pruned (float32 + relative indices)",
      kind: "pruned",
      bits: 32,
      bytes: prunedBytes(pruned, options.plan),
      bytesFrom: "computed",
      float32Bytes: pruned.float32Bytes,
      results,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    pruned.model.dispose();
  }
}

/** The pruned model quantized at `bits` (fixed-width streams), then the same file with Huffman coding. */
async function quantizedPoints(sweep: TaskSweep, key: string, prunedDir: string, bits: number): Promise<SweepPoint[]> {
  const { task, run, options, evaluate } = sweep;
  const file = run.path("models", `${key}-q${bits}.dcnpi`);
  const quantized = await sweepStage(sweep, key, `q${bits}`, async () => {
    const started = performance.now();
    const loaded = loadDenseModel(prunedDir);
    try {
      await compressNpi(loaded, {
        plan: requantizePlan(options.plan, bits, true),
        seed: options.seed,
        output: file,
        onMetric: (stage, solved) => options.log(`  ${bits} bits, ${stage}: ${(100 * solved).toFixed(1)}% validation solved`),
      });
    } finally {
      loaded.model.dispose();
    }
    const compressed = await loadModel(file);
    try {
      const results = evaluate(compressed);
      return {
        task,
        setting: `pruned + ${bits}-bit shared weights`,
        kind: "quantized",
        bits,
        bytes: await fixedWidthBytes(file),
        bytesFrom: "file",
        float32Bytes: compressed.float32Bytes,
        results,
        wallSeconds: (performance.now() - started) / 1000,
      };
    } finally {
      compressed.model.dispose();
    }
  });
  return [
    quantized,
    // Huffman coding changes no weight: the same accuracies, the Huffman-coded file's size.
    {
      ...quantized,
      setting: `pruned + ${bits}-bit + Huffman`,
      kind: "huffman",
      bytes: readFileSync(file).length,
      wallSeconds: 0,
    },
  ];
}

/** `npi sweep`: runs the sweep for each checkpoint and writes one report with both tasks. */
export async function sweepCommand(options: SweepCommandOptions): Promise<string> {
  const out = options.out ?? join(dirname(options.checkpoints[0]!), "sweep");
  const run = openRunDirectory(dirname(out), basename(out));
  const points: SweepPoint[] = [];
  for (const [i, checkpoint] of options.checkpoints.entries())
    points.push(...(await sweepTask(checkpoint, options.pruned?.[i], run, options)));
  const pooled = (p: SweepPoint) => p.results.reduce((s, r) => s + r.correct, 0) / p.results.reduce((s, r) => s + r.problems, 0);
  const tables = [...new Set(points.map((p) => p.task))].map((task) => {
    const mine = points.filter((p) => p.task === task);
    const lengths = mine[0]!.results.map((r) => r.length);
    return `### ${task}\n\n${markdownTable(
      ["setting", "bytes", "vs float32", ...lengths.map((l) => `L=${l}`), "all"],
      mine.map((p) => [
        p.setting,
        `${p.bytes}${p.bytesFrom === "computed" ? " (computed)" : ""}`,
        `${(p.float32Bytes / p.bytes).toFixed(1)}x`,
        ...p.results.map((r) => `${((100 * r.correct) / r.problems).toFixed(0)}%`),
        `${(100 * pooled(p)).toFixed(1)}%`,
      ]),
    )}`;
  });
  const svg = await renderVegaLiteSvg({
    width: 520,
    height: 300,
    data: {
      values: points.map((p) => ({
        task: p.task,
        setting: p.kind === "quantized" || p.kind === "huffman" ? `${p.kind === "huffman" ? "+ Huffman" : "fixed width"}` : p.kind,
        bits: p.bits,
        kB: p.bytes / 1e3,
        accuracy: pooled(p),
        label: p.bits !== null && p.kind !== "pruned" ? `${p.bits}b` : "",
      })),
    },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "kB", type: "quantitative", scale: { type: "log" }, title: "model size (kB, log scale)" },
          y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, title: "problems solved (all test lengths)" },
          color: { field: "task", type: "nominal" },
          shape: { field: "setting", type: "nominal" },
          detail: { field: "setting", type: "nominal" },
        },
      },
      {
        mark: { type: "text", dy: -9, fontSize: 9 },
        encoding: {
          x: { field: "kB", type: "quantitative" },
          y: { field: "accuracy", type: "quantitative" },
          text: { field: "label", type: "nominal" },
          color: { field: "task", type: "nominal" },
        },
      },
    ],
  });
  const written = writeReport(run.dir, {
    title: "NPI: accuracy vs size across compression settings",
    blocks: [
      {
        kind: "markdown",
        text:
          `Per-sequence accuracy on fresh problems (seed ${options.seed}) at each test length, for the ` +
          `dense model, the pruned model (float32 survivors; size computed as 32-bit values + relative ` +
          `indices) and the pruned model quantized at ${options.bits.join(", ")} bits with centroid fine-tuning, ` +
          `stored with fixed-width streams and with Huffman coding (true file sizes). Backend ${options.backend}.`,
      },
      ...tables.map((text) => ({ kind: "markdown" as const, text })),
      { kind: "figure", name: "accuracy-vs-size", title: "Accuracy vs size", svg },
    ],
  });
  return `${tables.join("\n\n")}\n\nwrote ${written.markdownPath} and ${written.htmlPath}\n`;
}
