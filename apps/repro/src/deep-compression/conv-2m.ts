/**
 * Deep Compression with retraining on a convolutional model of more than 2 M parameters, for issue
 * 15's browser benchmark: the Caffe LeNet-5 with ip1 widened to 2,500 units (`buildLenet5` with
 * `LENET_5_WIDE_IP1_UNITS`; 2,053,080 parameters; not a paper model: the paper's own ≥ 2 M models are
 * ImageNet networks we cannot train here, and a model we can retrain is what the paper's method needs).
 *
 *   cd apps/repro && npx tsx --conditions=@dcnpi/source src/deep-compression/conv-2m.ts --out <run dir> [--seed 1] [--smoke]
 *
 * Stages (resumable: a killed run redoes only the stage it was in):
 * 1. dense training on real MNIST, one stage per epoch (`conv-2m.dense-NN`: weights + Adam state,
 *    the repro's checkpoint format, so apps/web's bench reads it as it reads a LeNet-5 run);
 * 2. `compress()` with the paper's LeNet-5 plan (DC Table 4's kept fractions conv1 66%, conv2 12%,
 *    ip1 8%, ip2 19%; conv 8 bits, fc 5 bits, 5-bit indices, Huffman), iterative pruning with masked
 *    retraining (`distillationTrain`: the dense model's soft targets at T = 4 plus the labels at weight
 *    0.1, Adam at the recipe's rates with a cosine per call, no weight decay: the recipe's
 *    `prune.weightDecay` is not used), each prune cycle a stage of its own (`conv-2m.prune-N`), then
 *    centroid fine-tuning;
 * 3. `<out>/conv-2m.dcnpi` and `<out>/conv-2m.json`: dense and compressed test error on all 10,000
 *    test images (the compressed one measured on the file read back with `loadCompressed`), the
 *    file's bytes and its ratio against float32.
 */
import { basename, dirname, join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createProgress, invocationDirectory, openRunDirectory, runCli, writeFileAtomic, writeJsonAtomic } from "@dcnpi/run-kit";
import { compress, distillationTrain, type TrainFunction } from "@dcnpi/deep-compression";
import { containerFile, loadCompressed } from "@dcnpi/deep-compression/node";
import { buildLenet5, LENET_5_WIDE_IP1_UNITS, trainClassifier, type ClassifierData } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { z } from "zod";
import { exampleWindow, kernelVariableNames, loadModel, mnist, saveModel, testError } from "./lenet-experiment.js";
import { lenetRecipe, paperPlan, type LenetRecipe } from "./recipes.js";
import { learningRateSchedule, ScheduledOptimizer } from "./scheduled-optimizer.js";

const NAME = "conv-2m";

const optionsSchema = z.strictObject({
  out: z.string().min(1),
  seed: z.number().int().nonnegative(),
  denseEpochs: z.number().int().min(1).max(20),
  pruneIterations: z.number().int().min(1).max(20),
  epochsPerIteration: z.number().positive().max(10),
  epochsAfterLast: z.number().positive().max(10),
  quantizeEpochs: z.number().positive().max(10),
  trainExamples: z.number().int().min(128).max(60_000),
  testExamples: z.number().int().min(100).max(10_000),
});
type Options = z.infer<typeof optionsSchema>;

/**
 * Full setting: 20 min on the shared 2-core machine (dense 7 min, compression 13 min; load average 4-16).
 * `--smoke`: under a minute on a slice of MNIST, to check the pipeline.
 */
const FULL = { denseEpochs: 3, pruneIterations: 5, epochsPerIteration: 0.5, epochsAfterLast: 3, quantizeEpochs: 1 };
const SMOKE = { denseEpochs: 1, pruneIterations: 2, epochsPerIteration: 0.5, epochsAfterLast: 0.5, quantizeEpochs: 0.5 };

function parseArgs(argv: readonly string[]): Options {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const smoke = argv.includes("--smoke");
  const number = (name: string, fallback: number) => (flag(name) === undefined ? fallback : Number(flag(name)));
  const base = smoke ? SMOKE : FULL;
  return optionsSchema.parse({
    out: resolve(invocationDirectory(), flag("out") ?? `results/${NAME}-seed1`),
    seed: number("seed", 1),
    denseEpochs: number("dense-epochs", base.denseEpochs),
    pruneIterations: number("prune-iterations", base.pruneIterations),
    epochsPerIteration: number("epochs-per-iteration", base.epochsPerIteration),
    epochsAfterLast: number("epochs-after-last", base.epochsAfterLast),
    quantizeEpochs: number("quantize-epochs", base.quantizeEpochs),
    trainExamples: number("train-examples", smoke ? 2000 : 60_000),
    testExamples: number("test-examples", smoke ? 1000 : 10_000),
  });
}

/** The repro's LeNet-5 recipe (Adam 2e-3, cosine, Caffe's L2 5e-4, batch 128) with this run's epoch counts. */
function recipeFor(options: Options): LenetRecipe {
  const lenet5 = lenetRecipe("lenet-5", "quick");
  return {
    ...lenet5,
    dense: { ...lenet5.dense, epochs: options.denseEpochs },
    prune: {
      ...lenet5.prune,
      iterations: options.pruneIterations,
      epochsPerIteration: options.epochsPerIteration,
      epochsAfterLast: options.epochsAfterLast,
    },
    quantize: { ...lenet5.quantize, epochs: options.quantizeEpochs },
  };
}

/** The model's softmax scores on `data`, [count, 10], in batches (the distillation teacher). */
function scores(model: tfl.LayersModel, data: ClassifierData): Float32Array {
  const out = new Float32Array(data.count * 10);
  const per = 784;
  for (let start = 0; start < data.count; start += 500) {
    const n = Math.min(500, data.count - start);
    const batch = tf.tidy(
      () => model.predict(tf.tensor4d(data.images.subarray(start * per, (start + n) * per), [n, 28, 28, 1])) as tf.Tensor,
    );
    out.set(batch.dataSync() as Float32Array, start * 10);
    batch.dispose();
  }
  return out;
}

const denseSchema = z.strictObject({ epoch: z.number().int(), meanLoss: z.number(), testError: z.number(), seconds: z.number() });
const cycleSchema = z.strictObject({ cycle: z.number().int(), epochs: z.number(), seconds: z.number() });
const resultSchema = z.strictObject({
  model: z.string(),
  parameters: z.number().int(),
  float32Bytes: z.number().int(),
  fileBytes: z.number().int(),
  ratioVsFloat32: z.number(),
  paperRatio: z.number(),
  denseTestError: z.number(),
  /** After each compression stage, on the model in memory. */
  stageTestErrors: z.array(z.strictObject({ stage: z.string(), testError: z.number() })),
  /** The file read back with `loadCompressed`. */
  compressedTestError: z.number(),
  testImages: z.number().int(),
  trainImages: z.number().int(),
  layers: z.array(z.strictObject({ name: z.string(), keptFraction: z.number(), weightBits: z.number().nullable() })),
  settings: z.unknown(),
  seconds: z.record(z.string(), z.number()),
});

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const { initEngine } = await import("@dcnpi/engine");
  const engine = await initEngine({ log: false });
  const run = openRunDirectory(dirname(options.out), basename(options.out));
  const rng = Rng.fromSeed(options.seed);
  const recipe = recipeFor(options);
  const splits = mnist();
  const train = exampleWindow(splits.train, 0, options.trainExamples);
  const test = exampleWindow(splits.test, 0, options.testExamples);
  const batches = Math.ceil(train.count / recipe.dense.batchSize);
  console.log(
    `${NAME}: ${engine.backend}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}; ${train.count} train / ${test.count} test images`,
  );
  const seconds: Record<string, number> = {};

  const model = buildLenet5(rng.fork("init"), { ip1Units: LENET_5_WIDE_IP1_UNITS });
  const parameters = model.countParams();

  // 1. Dense training, one resumable stage per epoch; a resumed epoch starts from the previous one's weights and Adam state.
  const schedule = learningRateSchedule({
    kind: "cosine",
    rate: recipe.dense.learningRate,
    finalRate: recipe.dense.learningRate * recipe.dense.finalRateFraction,
    steps: recipe.dense.epochs * batches,
  });
  const decay = { ...recipe.dense.weightDecay, variables: kernelVariableNames(model) };
  const denseStage = (epoch: number) => `${NAME}.dense-${String(epoch).padStart(2, "0")}`;
  const denseProgress = createProgress({ label: `${NAME} dense`, total: recipe.dense.epochs * batches });
  let denseError = Number.NaN;
  let inMemory = 0;
  let optimizer: ScheduledOptimizer | undefined;
  const denseStarted = performance.now();
  for (let epoch = 1; epoch <= recipe.dense.epochs; epoch++) {
    if (!run.isDone(denseStage(epoch)) && inMemory !== epoch - 1) {
      const restored = loadModel(run.path("stages", denseStage(epoch - 1)), model);
      optimizer = ScheduledOptimizer.create(recipe.dense.optimizer, schedule, decay, restored.step);
      if (restored.optimizer !== undefined) await optimizer.importState(restored.optimizer);
      inMemory = epoch - 1;
    }
    const summary = await run.stage(
      denseStage(epoch),
      async ({ stageDir }) => {
        optimizer ??= ScheduledOptimizer.create(recipe.dense.optimizer, schedule, decay, 0);
        const started = performance.now();
        const result = await trainClassifier(model, train, {
          epochs: 1,
          batchSize: recipe.dense.batchSize,
          rng: rng.fork("dense").fork(`epoch-${epoch}`),
          optimizer,
          onProgress: (p) => denseProgress.update((epoch - 1) * batches + p.batch + 1, `epoch ${epoch} loss ${p.loss.toFixed(3)}`),
        });
        const error = testError(model, test);
        await saveModel(stageDir, model, optimizer);
        inMemory = epoch;
        return { epoch, meanLoss: result.epochs[0]!.meanLoss, testError: error, seconds: (performance.now() - started) / 1000 };
      },
      denseSchema,
    );
    denseProgress.update(epoch * batches, `epoch ${epoch} test error ${(100 * summary.testError).toFixed(2)}%`);
    denseError = summary.testError;
  }
  denseProgress.stop();
  optimizer?.dispose();
  if (inMemory !== recipe.dense.epochs) loadModel(run.path("stages", denseStage(recipe.dense.epochs)), model);
  seconds["dense"] = (performance.now() - denseStarted) / 1000;
  console.log(`${NAME}: dense test error ${(100 * denseError).toFixed(2)}%`);

  // 2. Compression with retraining: the dense model teaches (soft targets) alongside the labels.
  const result = await run.stage(
    `${NAME}.compress`,
    async ({ stageDir }) => {
      const started = performance.now();
      const labels = Int32Array.from(train.labels);
      const plan = paperPlan("lenet-5", recipe);
      // Steps as distillationTrain counts them: one call per prune cycle, then one for the centroids.
      const steps = (epochs: number) => Math.max(1, Math.ceil((epochs * train.count) / recipe.dense.batchSize));
      const total =
        (recipe.prune.iterations - 1) * steps(recipe.prune.epochsPerIteration) +
        steps(recipe.prune.epochsAfterLast) +
        steps(recipe.quantize.epochs);
      const progress = createProgress({ label: `${NAME} prune → quantize`, total });
      let done = 0;
      const retrain = distillationTrain({
        inputs: { count: train.count, shape: [28, 28, 1], data: train.images, labels },
        teacherScores: scores(model, train),
        batchSize: recipe.dense.batchSize,
        examplesPerEpoch: train.count,
        pruneLearningRate: recipe.prune.learningRate,
        quantizeLearningRate: recipe.quantize.learningRate,
        onStep: (step, steps, loss, context) => {
          progress.update(Math.min(done + step, total), `${context.stage} ${context.cycle}/${context.cycles} loss ${loss.toFixed(3)}`);
          if (step === steps) done += steps;
        },
      });
      // Each prune cycle is a stage: a resumed run loads its retrained weights (the next cycle's masks follow from them).
      const resumable: TrainFunction = async (target, context) => {
        if (context.stage === "quantize") return retrain(target, context);
        const stage = `${NAME}.prune-${context.cycle}`;
        const resumed = run.isDone(stage);
        await run.stage(
          stage,
          async ({ stageDir: cycleDir }) => {
            const t0 = performance.now();
            await retrain(target, context);
            await saveModel(cycleDir, target as tfl.LayersModel);
            return { cycle: context.cycle, epochs: context.epochs, seconds: (performance.now() - t0) / 1000 };
          },
          cycleSchema,
        );
        if (resumed) {
          loadModel(run.path("stages", stage), target as tfl.LayersModel);
          done += steps(context.epochs);
        }
      };
      const stageErrors: { stage: string; testError: number }[] = [];
      const output = join(stageDir, `${NAME}.dcnpi`);
      const { report } = await compress(model, plan, {
        rng: rng.fork("compress"),
        train: resumable,
        evaluate: async (target) => testError(target as tfl.LayersModel, test),
        metricName: "test error",
        output: containerFile(output),
        metadata: {
          model: `LeNet-5 with ip1 ${LENET_5_WIDE_IP1_UNITS} (not a paper model)`,
          plan: "DC LeNet-5 (Table 4 densities, conv 8 / fc 5 bits, 5-bit indices, Huffman)",
          producedBy: "@dcnpi/repro conv-2m",
        },
        onEvent: (event) => {
          if (event.kind === "metric") stageErrors.push({ stage: event.stage, testError: event.value });
        },
      });
      progress.stop();
      const loaded = await loadCompressed(output);
      const compressedError = testError(loaded, test);
      loaded.dispose();
      return {
        report: {
          fileBytes: report.totals.onDisk.fileBytes,
          paperRatio: report.totals.paper.ratio,
          layers: report.layers.map((l) => ({
            name: l.name,
            keptFraction: l.keptFraction,
            weightBits: l.weightBits,
          })),
        },
        stageErrors,
        compressedError,
        seconds: (performance.now() - started) / 1000,
      };
    },
    z.strictObject({
      report: z.strictObject({
        fileBytes: z.number().int(),
        paperRatio: z.number(),
        layers: z.array(z.strictObject({ name: z.string(), keptFraction: z.number(), weightBits: z.number().nullable() })),
      }),
      stageErrors: z.array(z.strictObject({ stage: z.string(), testError: z.number() })),
      compressedError: z.number(),
      seconds: z.number(),
    }),
  );
  seconds["compress"] = result.seconds;
  writeFileAtomic(join(options.out, `${NAME}.dcnpi`), readFileSync(run.path("stages", `${NAME}.compress`, `${NAME}.dcnpi`)));

  // 3. The summary.
  const summary = resultSchema.parse({
    model: `LeNet-5 (Caffe) with ip1 ${LENET_5_WIDE_IP1_UNITS} units`,
    parameters,
    float32Bytes: parameters * 4,
    fileBytes: result.report.fileBytes,
    ratioVsFloat32: (parameters * 4) / result.report.fileBytes,
    paperRatio: result.report.paperRatio,
    denseTestError: denseError,
    stageTestErrors: result.stageErrors,
    compressedTestError: result.compressedError,
    testImages: test.count,
    trainImages: train.count,
    layers: result.report.layers,
    settings: { ...options, out: basename(options.out), backend: engine.backend, recipe },
    seconds,
  });
  writeJsonAtomic(join(options.out, `${NAME}.json`), summary);
  model.dispose();
  console.log(
    `${NAME}: test error ${(100 * denseError).toFixed(2)}% dense → ${(100 * result.compressedError).toFixed(2)}% compressed; ` +
      `${result.report.fileBytes} B (${summary.ratioVsFloat32.toFixed(1)}x vs float32 ${parameters * 4} B) → ${join(options.out, `${NAME}.dcnpi`)}`,
  );
}

process.exitCode = await runCli(NAME, main);
