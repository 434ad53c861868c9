/**
 * `dcnpi compress --data ...`: compression measured on the user's own inputs. The inputs are split
 * (seeded) into a search part and a held-out part; layers and graph models alike (graph models are
 * measured as stock tfjs-converter runs them, and never retrained). With a budget, the plan is chosen by the
 * sensitivity scan + search of `searchPlan` (@dcnpi/deep-compression) on the search part and checked
 * on the held-out part. Layers models are then retrained by distillation from the original on the
 * search part (no labels needed). The final file is measured on the held-out part; a file outside the
 * budget is not written unless forced. Plan and file are written only when everything succeeded.
 */
import { writeFileAtomic, writeJsonAtomic } from "@dcnpi/base/node";
import {
  budgetSlack,
  compress,
  CompressionError,
  distillationTrain,
  formatReport,
  formatTop1,
  layersInputShape,
  layersModelPredictor,
  measureTop1,
  predictAll,
  readTargetWeights,
  searchPlan,
  top1Classes,
  wilsonInterval,
  writeTargetWeights,
  type AccuracyBudget,
  type CompressionPlan,
  type CompressionTarget,
  type ContainerOptions,
  type GraphModelSpec,
  type PredictBatch,
  type DataSplit,
  type EarlyStop,
  type EvaluateOptions,
  type FeedbackFactor,
  type ExampleBatch,
  type PipelineEvent,
  type PlanSearchResult,
  type Top1,
} from "@dcnpi/deep-compression";
import { loadLayersModelFiles, loadModelTarget, type ModelTarget } from "@dcnpi/deep-compression/node";
import { ExampleDataError, type ExampleSet, type Preprocessing } from "@dcnpi/example-data";
import { readExampleData } from "@dcnpi/example-data/node";
import type { Progress } from "@dcnpi/run-kit";
import { Rng, type WeightMap } from "@dcnpi/tensor";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { formatChoiceTable } from "./choice-table.js";
import { GraphPrefixCache } from "./graph-prefix-cache.js";
import { LayersPrefixCache } from "./layers-prefix-cache.js";
import { graphFromTarget, graphInputShape, graphModelPredictor } from "./graph-predictor.js";
import { graphFeedback, layersFeedback } from "./input-covariance.js";
import { splitExamples } from "./holdout-split.js";

export interface DataRun {
  readonly modelJson: string;
  readonly output: string;
  readonly savePlan: string;
  /** The plan given with --plan (the search's base plan with a budget), or the default. */
  readonly plan: CompressionPlan;
  readonly seed: number;
  readonly data: string;
  readonly labels: string | undefined;
  readonly dataLimit: number | undefined;
  readonly preprocessing: Preprocessing;
  readonly budget: AccuracyBudget | undefined;
  readonly holdoutFraction: number;
  /** `--holdout-group`: examples whose file names give the same group go to the same part. */
  readonly holdoutGroup?: RegExp | undefined;
  /** `--holdout-groups`: for arrays, a text file with each example's group (one line each); its lines are the names grouped. */
  readonly holdoutGroups?: string | undefined;
  readonly force: boolean;
  /** Bit widths the search may choose (default: the search's own list). */
  readonly searchBits: readonly number[] | undefined;
  /** Share of the bytes whose weights the scan measures (default: all). */
  readonly scanShare?: number | undefined;
  /** Head room of the search on its own inputs, in top-1 points (default: the search's, one standard error). */
  readonly margin?: number | undefined;
  /** Distillation temperature. */
  readonly temperature: number;
  /** Distil on mixed inputs labelled by a copy of the original model (function matching). */
  readonly mixup: boolean;
  /** `--one-shot`: layers models are not retrained either (the checked one-shot plan is the file). */
  readonly oneShot?: boolean;
  /** `--feedback`: Dense and 1x1 conv kernels' codes by error feedback from the search split's inputs (GPTQ). */
  readonly feedback?: boolean;
  /** `--coder`, `--header`, `--metadata` (issue 17) for the file written; absent: the paper-faithful container. */
  readonly container?: ContainerOptions;
}

export interface DataRunIo {
  readonly out: (text: string) => void;
  readonly log: (line: string) => void;
  readonly progress: (label: string, total: number) => Progress;
  readonly onEvent: (event: PipelineEvent) => void;
}

function budgetFlag(budget: AccuracyBudget): string {
  return budget.kind === "min-agreement" ? `--min-agreement ${budget.percent}` : `--max-drop ${budget.points}`;
}

/** Labels must name classes the model has: more class folders than outputs is an error naming --data. */
function checkLabels(examples: ExampleSet, classes: number, run: DataRun): void {
  if (examples.classNames !== undefined && examples.classNames.length > classes) {
    throw new ExampleDataError(
      "LABEL_MISMATCH",
      `${run.data}: ${examples.classNames.length} class folders, but the model has ${classes} outputs (class folders give labels 0..n-1 in sorted order)`,
    );
  }
  const labels = examples.labels;
  if (labels === undefined) return;
  const bad = labels.findIndex((l) => l >= classes);
  if (bad >= 0)
    throw new ExampleDataError(
      "LABEL_MISMATCH",
      `${run.labels ?? run.data}: label ${labels[bad]} of example ${bad} is not one of the model's ${classes} classes`,
    );
}

/** What `--data` measures: the model as it is now, for a layers model or a graph model. */
interface Measured {
  readonly target: CompressionTarget;
  readonly graphModel: GraphModelSpec | undefined;
  readonly inputShape: (number | null)[];
  /**
   * A predictor over the target's current weights; `dispose` frees what it built. `onlyChanged`: the one
   * weight that differs from the original (a scan candidate), so the model runs from the cut below it.
   */
  predictor(shape: readonly number[], onlyChanged?: string): Promise<{ predict: PredictBatch; dispose(): void }>;
  /** Frees what measurements keep between calls. */
  release(): void;
}

async function measured(loaded: ModelTarget, source: string): Promise<Measured> {
  const spec = loaded.graphModel;
  if (spec === undefined) {
    const model = loaded.target as LayersModel;
    const prefixes = new LayersPrefixCache();
    return {
      target: model,
      graphModel: undefined,
      inputShape: layersInputShape(model),
      predictor: async (shape, onlyChanged) => {
        if (onlyChanged === undefined) prefixes.dispose();
        const predict = onlyChanged === undefined ? layersModelPredictor(model, shape) : prefixes.predictor(model, shape, onlyChanged);
        return { predict, dispose: () => {} };
      },
      release: () => prefixes.dispose(),
    };
  }
  const probe = await graphFromTarget(loaded.target, spec);
  const inputShape = graphInputShape(probe, source);
  probe.dispose();
  const prefixes = new GraphPrefixCache(spec);
  return {
    target: loaded.target,
    graphModel: spec,
    inputShape,
    // Rebuilt for every measurement: a graph model's weights cannot be changed in place.
    predictor: async (shape, onlyChanged) => {
      const graph = await graphFromTarget(loaded.target, spec);
      if (onlyChanged === undefined) prefixes.dispose();
      const predict = onlyChanged === undefined ? graphModelPredictor(graph, shape) : prefixes.predictor(graph, shape, onlyChanged);
      return { predict, dispose: () => graph.dispose() };
    },
    release: () => prefixes.dispose(),
  };
}

const WHOLE_NAME = /^[\s\S]*$/;

export async function compressWithData(run: DataRun, io: DataRunIo): Promise<void> {
  const loaded = await loadModelTarget(run.modelJson);
  try {
    const subject = await measured(loaded, run.modelJson);
    const target = subject.target;
    const examples = readExampleData(run.data, {
      inputShape: subject.inputShape,
      preprocessing: run.preprocessing,
      labels: run.labels,
      groups: run.holdoutGroups,
      limit: run.dataLimit,
      seed: run.seed,
    });
    if (run.budget?.kind === "max-drop" && examples.labels === undefined)
      throw new CompressionError(
        "INVALID_ARGUMENT",
        `--max-drop needs labels: ${run.data} has none (class folders or --labels); use --min-agreement`,
      );
    const scoresOf = async (examples: ExampleSet) => {
      const { predict, dispose } = await subject.predictor(examples.shape);
      try {
        return await predictAll(predict, examples);
      } finally {
        dispose();
      }
    };
    // A groups file names each example by its group: the whole line is the group unless a regex is given too.
    const splits = splitExamples(examples, {
      ...run,
      holdoutGroup: run.holdoutGroup ?? (run.holdoutGroups === undefined ? undefined : WHOLE_NAME),
    });
    const teacher = { search: await scoresOf(splits.search), holdout: await scoresOf(splits.holdout) };
    checkLabels(examples, teacher.search.classes, run);
    const reference = {
      search: top1Classes(teacher.search.scores, splits.search.count),
      holdout: top1Classes(teacher.holdout.scores, splits.holdout.count),
    };
    const measureUntil = async (split: DataSplit, stop?: EarlyStop, onlyChanged?: string): Promise<Top1> => {
      const { predict, dispose } = await subject.predictor(splits[split].shape, onlyChanged);
      try {
        return await measureTop1(predict, splits[split], reference[split], stop === undefined ? {} : { stop });
      } finally {
        dispose();
      }
    };
    const measure = (split: DataSplit) => measureUntil(split);
    const baseline = { search: await measure("search"), holdout: await measure("holdout") };
    io.log(
      `data: ${examples.count} inputs of [${examples.shape.join(",")}] from ${run.data}` +
        `${examples.labels === undefined ? ", no labels" : ", labelled"}; ${splits.search.count} for search/retraining, ${splits.holdout.count} held out` +
        (splits.groups === undefined ? "" : ` (${splits.groups.held} of ${splits.groups.total} groups held out, each kept whole)`),
    );

    const original = readTargetWeights(target);
    const feedback = run.feedback === true ? await feedbackOf(subject, original, splits.search, io) : undefined;
    let plan = run.plan;
    let searched: PlanSearchResult | undefined;
    if (run.budget !== undefined) {
      const budget = run.budget;
      const measureStopping = (split: DataSplit, options: EvaluateOptions) =>
        measureUntil(
          split,
          options.stopBelow === undefined ? undefined : { budget, baseline: baseline[split], below: options.stopBelow },
          options.onlyChanged,
        );
      try {
        searched = await choosePlan(run, budget, { target, original, measure: measureStopping, baseline, feedback }, io);
      } finally {
        subject.release();
      }
      plan = searched.plan;
    }

    const compressOnce = async (retrain: boolean, teacherModel?: LayersModel) => {
      writeTargetWeights(target, original);
      const bar: { current?: Progress } = {};
      const train = retrain
        ? distillationTrain({
            inputs: splits.search as ExampleBatch,
            teacherScores: teacher.search.scores,
            temperature: run.temperature,
            ...(teacherModel === undefined ? {} : { mixup: { teacher: layersModelPredictor(teacherModel, examples.shape) } }),
            onStep: (step, steps, loss, context) => {
              if (step === 1)
                bar.current = io.progress(
                  `distil ${context.stage}${context.cycles > 1 ? ` ${context.cycle}/${context.cycles}` : ""}`,
                  steps,
                );
              bar.current?.update(step, `loss ${loss.toFixed(4)}`);
              if (step === steps) bar.current?.stop();
            },
          })
        : undefined;
      const result = await compress(target, plan, {
        rng: Rng.fromSeed(run.seed),
        ...(train === undefined ? {} : { train }),
        ...(subject.graphModel === undefined ? {} : { graphModel: subject.graphModel }),
        ...(feedback === undefined ? {} : { feedback }),
        onEvent: io.onEvent,
        ...(run.container?.coder === undefined ? {} : { coder: run.container.coder }),
        ...(run.container?.header === undefined ? {} : { header: run.container.header }),
        ...(run.container?.metadata === undefined ? {} : { metadataForm: run.container.metadata }),
      });
      return { ...result, final: await measure("holdout") };
    };
    // Graph models cannot be retrained: their file is the checked one-shot plan (and a layers model's with --one-shot).
    const retrain = subject.graphModel === undefined && run.oneShot !== true;
    if (!retrain)
      io.log(
        subject.graphModel === undefined
          ? "--one-shot: not retrained; the plan is checked as it is"
          : "graph model: one-shot (graph models are not retrained; the search's plan is checked as it is)",
      );
    // Function matching needs the original on any input while the model itself is being compressed: a second copy.
    const teacherModel = run.mixup && retrain ? (await loadLayersModelFiles(run.modelJson)).model : undefined;
    let result: Awaited<ReturnType<typeof compressOnce>>;
    try {
      result = await compressOnce(retrain, teacherModel);
    } finally {
      teacherModel?.dispose();
    }
    if (retrain && run.budget !== undefined && searched !== undefined && budgetSlack(run.budget, result.final, baseline.holdout) < 0) {
      io.log(
        `after distillation, held-out: ${formatTop1(run.budget, result.final, baseline.holdout)}, outside ${budgetFlag(run.budget)}; ` +
          "backing off to the checked one-shot plan",
      );
      result = await compressOnce(false);
    }
    const within = run.budget === undefined || budgetSlack(run.budget, result.final, baseline.holdout) >= 0;
    const interval = wilsonInterval(result.final.agreement, result.final.count);
    const metricLine =
      `held-out: ${formatTop1(run.budget ?? { kind: "min-agreement", percent: 0 }, result.final, baseline.holdout)}` +
      ` (95% interval of the agreement: ${(100 * interval.low).toFixed(1)}-${(100 * interval.high).toFixed(1)}%)`;
    if (!within && !run.force) {
      throw new CompressionError(
        "BUDGET_UNREACHABLE",
        `${budgetFlag(run.budget!)}: the compressed model gives ${metricLine.slice(10)}; nothing written (--force writes it anyway)`,
      );
    }
    io.out(`${formatReport(result.report)}\n`);
    if (searched !== undefined) io.out(`${formatChoiceTable(searched, result.report)}\n`);
    io.out(`${metricLine}${within ? "" : " (outside the budget: written because of --force)"}\n`);
    writeJsonAtomic(run.savePlan, plan);
    writeFileAtomic(run.output, result.bytes!);
    io.out(`wrote ${run.output}\nwrote ${run.savePlan} (reuse with --plan)\n`);
  } finally {
    loaded.dispose();
  }
}

/** `--feedback`: each eligible kernel's error feedback factor, from the original model's inputs to it on the search split. */
async function feedbackOf(
  subject: Measured,
  original: WeightMap,
  examples: ExampleSet,
  io: DataRunIo,
): Promise<ReadonlyMap<string, FeedbackFactor>> {
  let factors: Map<string, FeedbackFactor>;
  if (subject.graphModel === undefined) factors = await layersFeedback(subject.target as LayersModel, examples, io.progress, io.log);
  else {
    const graph = await graphFromTarget(subject.target, subject.graphModel);
    try {
      factors = await graphFeedback(graph, subject.graphModel, original, examples, io.progress, io.log);
    } finally {
      graph.dispose();
    }
  }
  io.log(
    factors.size === 0
      ? "--feedback: no Dense or 1x1 conv kernel in this model; every code is the nearest centroid"
      : `--feedback: ${factors.size} Dense / 1x1 conv kernel${factors.size === 1 ? "" : "s"} coded by error feedback from ${examples.count} inputs`,
  );
  return factors;
}

async function choosePlan(
  run: DataRun,
  budget: AccuracyBudget,
  state: {
    target: CompressionTarget;
    original: WeightMap;
    /** The target's current weights on a split, saving work as `options` allow (searchPlan's `evaluate`). */
    measure: (split: DataSplit, options: EvaluateOptions) => Promise<Top1>;
    baseline: { search: Top1; holdout: Top1 };
    feedback: ReadonlyMap<string, FeedbackFactor> | undefined;
  },
  io: DataRunIo,
): Promise<PlanSearchResult> {
  const bars = new Map<string, Progress>();
  try {
    const result = await searchPlan({
      weights: state.original,
      basePlan: run.plan,
      budget,
      baseline: state.baseline,
      ...(run.searchBits === undefined ? {} : { weightBits: run.searchBits }),
      ...(run.scanShare === undefined ? {} : { scanShare: run.scanShare }),
      ...(run.margin === undefined ? {} : { margin: run.margin }),
      ...(state.feedback === undefined ? {} : { feedback: state.feedback }),
      evaluate: async (weights, split, options) => {
        writeTargetWeights(state.target, weights);
        return state.measure(split, options ?? {});
      },
      onProgress: (p) => {
        let bar = bars.get(p.phase);
        if (bar === undefined) {
          for (const other of bars.values()) other.stop();
          bar = io.progress(p.phase === "scan" ? "sensitivity scan" : p.phase, p.total);
          bars.set(p.phase, bar);
        }
        // Each back-off of the held-out check adds one to its total.
        bar.setTotal(p.total);
        bar.update(p.done, p.detail);
      },
    });
    for (const bar of bars.values()) bar.stop();
    io.log(
      `plan: per-layer loss threshold ${result.threshold < 0 ? "none (the safest plan)" : `${result.threshold.toFixed(2)} points`}` +
        `${Number.isFinite(result.errorCap) ? `, weight error ≤ ${result.errorCap.toExponential(1)}` : ""}` +
        `, search margin ${result.margin.toFixed(2)} points, ${result.evaluations} evaluations ` +
        `(${result.stoppedEarly} stopped early, their outcome decided), ` +
        `${result.backoffs} back-off${result.backoffs === 1 ? "" : "s"}; ` +
        `one-shot: search ${formatTop1(budget, result.search, state.baseline.search)}, held-out ${formatTop1(budget, result.holdout, state.baseline.holdout)}`,
    );
    return result;
  } finally {
    for (const bar of bars.values()) bar.stop();
    writeTargetWeights(state.target, state.original);
  }
}
