/**
 * `repro deep-compression` and the quick default run: opens (or resumes) the run directory, runs
 * each model's stages, writes <model>.dcnpi, report.md, report.html, metrics.jsonl and metadata.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DcnpiError } from "@dcnpi/base";
import { openRunDirectory, writeJsonAtomic } from "@dcnpi/run-kit";
import { writeReport } from "@dcnpi/report-kit";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { collectRunMetadata } from "../run-metadata.js";
import { IMAGENET_MODELS, runImagenet, type ImagenetModel } from "./imagenet-experiment.js";
import type { BeyondOutcome } from "./beyond-report.js";
import { buildLenet, compressLenet, methodPrefix, mnist, restoreDense, trainDense, type CompressStage } from "./lenet-experiment.js";
import { initSweep, kmeansStudy, lenetDistribution, tradeoffSweep, type WeightDistribution } from "./lenet-figures.js";
import type { PaperModel } from "./paper-figures.js";
import { beyondRecipe, lenetRecipe, type CompressionMethod, type LenetModel } from "./recipes.js";
import { reencodeRunFile, reencodedName, type ReencodedFile } from "./reencoded-file.js";
import { buildReportBlocks, type ModelOutcome, type RunFacts } from "./report.js";
import type { ProgressMode, RunContext, StageTiming } from "./run-context.js";

export interface DeepCompressionRun {
  readonly models: readonly PaperModel[];
  readonly full: boolean;
  readonly seed: number;
  /** The LeNets' methods, in order (default: the paper's only). AlexNet / VGG-16 always run the paper's. */
  readonly methods?: readonly CompressionMethod[];
  /** The run directory (results/<run-id>/ unless --out). */
  readonly dir: string;
  readonly command: string;
  readonly progress?: ProgressMode;
  readonly say: (line: string) => void;
  /** Whether the LeNet-300-100 figure sweeps run (Fig. 6 and Fig. 8). */
  readonly sweeps?: boolean;
}

export class SettingsMismatchError extends DcnpiError<"SETTINGS_MISMATCH"> {
  constructor(message: string, options?: ErrorOptions) {
    super("SETTINGS_MISMATCH", message, options);
  }
}

const settingsSchema = z.strictObject({
  version: z.literal(1),
  models: z.array(z.string()),
  full: z.boolean(),
  seed: z.number(),
  recipes: z.unknown(),
  methods: z.array(z.string()).optional(),
  beyondRecipes: z.unknown().optional(),
});

/** Versions of the workspace packages and TensorFlow.js the run used. */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = { "@tensorflow/tfjs-core": tf.version_core };
  const root = fileURLToPath(new URL("../../../../packages/", import.meta.url));
  for (const name of [
    "tensor",
    "engine",
    "datasets",
    "model-zoo",
    "pruning",
    "quantization",
    "huffman",
    "sparse-format",
    "deep-compression",
    "run-kit",
  ]) {
    const file = join(root, name, "package.json");
    if (existsSync(file)) versions[`@dcnpi/${name}`] = (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  const own = fileURLToPath(new URL("../../package.json", import.meta.url));
  versions["@dcnpi/repro"] = (JSON.parse(readFileSync(own, "utf8")) as { version: string }).version;
  return versions;
}

const invocationSchema = z.object({ startedAt: z.string(), wallSeconds: z.number() }).passthrough();

/** The invocations an earlier metadata.json of this run directory recorded (none if absent or unreadable). */
export function previousInvocations(file: string): z.infer<typeof invocationSchema>[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = z
      .object({
        invocations: z.array(invocationSchema).optional(),
        startedAt: z.string().optional(),
        wallSeconds: z.number().optional(),
        finished: z.boolean().optional(),
      })
      .passthrough()
      .parse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.invocations !== undefined && parsed.invocations.length > 0) return parsed.invocations;
    // A metadata.json written before invocations were kept: its own run counts as one.
    if (parsed.finished === true && parsed.startedAt !== undefined && parsed.wallSeconds !== undefined) {
      return [
        { startedAt: parsed.startedAt, wallSeconds: parsed.wallSeconds, loadAverage: (parsed as Record<string, unknown>)["loadAverage"] },
      ];
    }
    return [];
  } catch {
    return [];
  }
}

/** Samples the 1-minute load average every 15 s while the run lasts. */
function sampleLoad() {
  const samples: number[] = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), 15_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0] ?? 0);
      return {
        atStart: samples[0]!,
        mean: samples.reduce((a, b) => a + b, 0) / samples.length,
        max: Math.max(...samples),
        samples: samples.length,
      };
    },
  };
}

const isLenet = (m: PaperModel): m is LenetModel => m === "lenet-300-100" || m === "lenet-5";

export async function runDeepCompression(
  options: DeepCompressionRun,
): Promise<{ dir: string; reportPath: string; outcomes: ModelOutcome[] }> {
  const started = performance.now();
  const load = sampleLoad();
  const { initEngine } = await import("@dcnpi/engine");
  const engine = await initEngine({ log: false });
  const backend = engine.backend + (engine.wasmKernels ? ` (${engine.kernels.length} dcnpi kernels, ${engine.wasmKernels})` : "");
  const run = openRunDirectory(dirname(options.dir), basename(options.dir));
  const mode = options.full ? "full" : "quick";
  const recipes = Object.fromEntries(options.models.filter(isLenet).map((m) => [m, lenetRecipe(m, mode)]));
  const methods = options.methods ?? ["paper"];
  const beyondRecipes = Object.fromEntries(options.models.filter(isLenet).map((m) => [m, beyondRecipe(m, mode)]));
  // A run directory belongs to one set of settings: resuming with others would mix stages. The paper-only
  // settings are written exactly as before `--method` existed, so earlier run directories still resume.
  const settings = {
    version: 1 as const,
    models: [...options.models],
    full: options.full,
    seed: options.seed,
    recipes,
    ...(methods.length === 1 && methods[0] === "paper" ? {} : { methods: [...methods], beyondRecipes }),
  };
  const saved = await run.stage("settings", () => settings, settingsSchema);
  if (JSON.stringify(saved) !== JSON.stringify(JSON.parse(JSON.stringify(settings)))) {
    throw new SettingsMismatchError(
      `${run.dir} was started with other settings (models, --full, --seed or recipes); use another --run-id or --out`,
    );
  }
  const timings: StageTiming[] = [];
  const ctx: RunContext = { run, rng: Rng.fromSeed(options.seed), progressMode: options.progress, say: options.say, timings };
  const metadata = { ...collectRunMetadata(options.command, options.seed, backend, packageVersions()), models: options.models, mode };
  // Every invocation of this run directory is kept: a resumed run does not erase how long the first took.
  const earlier = previousInvocations(run.path("metadata.json"));
  writeJsonAtomic(run.path("metadata.json"), { ...metadata, finished: false, invocations: earlier });

  const outcomes: ModelOutcome[] = [];
  for (const model of options.models) {
    if (!isLenet(model)) {
      options.say(`${model}: exact layer shapes, synthetic weights, layer by layer`);
      outcomes.push({ kind: "imagenet", result: await runImagenet({ ...ctx, rng: ctx.rng.fork(model) }, model as ImagenetModel) });
      continue;
    }
    const recipe = recipes[model]!;
    const data = mnist();
    const modelCtx: RunContext = { ...ctx, rng: ctx.rng.fork(model) };
    options.say(
      `${model}: ${recipe.dense.epochs} dense epochs, ${recipe.prune.iterations} prune/retrain cycles ` +
        `(${recipe.prune.epochsPerIteration} epoch each, ${recipe.prune.epochsAfterLast} after the last), ${recipe.quantize.epochs} ` +
        `fine-tuning epoch(s) (${mode})`,
    );
    const net = buildLenet(model, modelCtx.rng.fork("init"));
    const epochs = await trainDense(modelCtx, net, recipe, data);
    if (!methods.includes("paper")) {
      net.dispose();
      outcomes.push(await runBeyond(modelCtx, model, beyondRecipes[model]!, data, recipe, null));
      continue;
    }
    const compressed = await compressLenet(modelCtx, net, recipe, data);
    net.dispose();
    const reencoded = await reencodeRunFile(modelCtx, model, "paper", data.test);
    // A second model for the figures, so sweeps never disturb the compressed one.
    const scratch = buildLenet(model, modelCtx.rng.fork("scratch"));
    const layers = model === "lenet-300-100" ? ["ip1"] : ["conv2", "ip1"];
    const distributions: WeightDistribution[] = [];
    for (const layer of layers) distributions.push(await lenetDistribution(modelCtx, recipe, layer, scratch));
    const sweeps = (options.sweeps ?? true) && model === "lenet-300-100";
    const tradeoff = sweeps ? await tradeoffSweep(modelCtx, recipe, data, scratch) : null;
    const init = sweeps ? await initSweep(modelCtx, recipe, data, scratch) : null;
    const kmeans = await kmeansStudy(modelCtx, recipe, data, scratch);
    scratch.dispose();
    outcomes.push({ kind: "lenet", model, recipe, epochs, compress: compressed, reencoded, distributions, tradeoff, init, kmeans });
    if (methods.includes("beyond"))
      outcomes.push(await runBeyond(modelCtx, model, beyondRecipes[model]!, data, recipe, { compress: compressed, reencoded }));
  }

  const wallSeconds = (performance.now() - started) / 1000;
  const loadStats = load.stop();
  const facts: RunFacts = {
    mode,
    seed: options.seed,
    command: options.command,
    backend,
    gitCommit: metadata.gitCommit,
    gitDirty: metadata.gitDirty,
    cpu: metadata.cpu,
    cores: metadata.cores,
    node: metadata.node,
    startedAt: metadata.startedAt,
    wallSeconds,
    computeSeconds: timings.filter((t) => t.parent === undefined).reduce((s, t) => s + t.seconds, 0),
    load: loadStats,
    timings,
    resumedStages: run.resumedStages.filter((s) => s !== "settings"),
    earlierInvocations: earlier,
    maxResidentMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const title = `Deep Compression reproduction: ${options.models.join(", ")} (${mode})`;
  const written = writeReport(run.dir, { title, blocks: await buildReportBlocks(outcomes, facts) });
  writeJsonAtomic(run.path("metadata.json"), {
    ...metadata,
    finished: true,
    finishedAt: new Date().toISOString(),
    wallSeconds,
    computeSeconds: facts.computeSeconds,
    loadAverage: loadStats,
    /** Peak resident memory of this process (kB → MB), for the layer-by-layer AlexNet / VGG-16 runs. */
    maxResidentMB: facts.maxResidentMB,
    stages: timings,
    resumedStages: facts.resumedStages,
    engine: { backend: engine.backend, wasmKernels: engine.wasmKernels, kernels: engine.kernels, skipped: engine.skipped },
    files: [
      ...options.models.flatMap((m) =>
        isLenet(m) ? methods.flatMap((method) => [`${methodPrefix(m, method)}.dcnpi`, reencodedName(m, method)]) : [`${m}.dcnpi`],
      ),
      "report.md",
      "report.html",
      "metrics.jsonl",
      "metadata.json",
    ],
    invocations: [
      ...earlier,
      {
        startedAt: metadata.startedAt,
        wallSeconds,
        loadAverage: loadStats,
        computed: timings.filter((t) => !t.resumed).map((t) => t.stage),
        gitCommit: metadata.gitCommit,
        gitDirty: metadata.gitDirty,
      },
    ],
  });
  return { dir: run.dir, reportPath: written.markdownPath, outcomes };
}

/**
 * The beyond method on the run's dense model (a fresh network given the last dense epoch's weights),
 * its file re-encoded with the arithmetic coder and binary header, and the paper method's twin when there is one.
 */
async function runBeyond(
  ctx: RunContext,
  model: LenetModel,
  recipe: ReturnType<typeof beyondRecipe>,
  data: ReturnType<typeof mnist>,
  denseRecipe: ReturnType<typeof lenetRecipe>,
  paper: { readonly compress: CompressStage; readonly reencoded: ReencodedFile } | null,
): Promise<BeyondOutcome> {
  const net = buildLenet(model, ctx.rng.fork("init"));
  let compress: CompressStage;
  try {
    restoreDense(ctx, net, denseRecipe);
    compress = await compressLenet(ctx, net, recipe, data, "beyond");
  } finally {
    net.dispose();
  }
  const reencoded = await reencodeRunFile(ctx, model, "beyond", data.test);
  return {
    kind: "beyond",
    model,
    recipe,
    compress,
    streams: reencoded.streams,
    reencoded,
    paper: paper === null ? null : { compress: paper.compress, streams: paper.reencoded.streams, reencoded: paper.reencoded },
  };
}

export const ALL_MODELS: readonly PaperModel[] = ["lenet-300-100", "lenet-5", ...IMAGENET_MODELS];
