import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { solvedFraction } from "@dcnpi/npi-core";
import { analyzeSensitivity, type SensitivityReport } from "@dcnpi/pruning";
import { createProgress, writeJsonAtomic } from "@dcnpi/run-kit";
import { markdownTable, renderVegaLiteSvg, writeReport } from "@dcnpi/report-kit";
import { Rng, type WeightMap } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { trainingSetOfModel } from "./defaults.js";
import { NpiAppError } from "./errors.js";
import { loadModel, parameterWeights } from "./model-store.js";
import { TraceSampler } from "./retrain.js";
import { buildDataset } from "./training-set.js";
import { validationInputs } from "./validation.js";

export interface SensitivityCommandOptions {
  readonly file: string;
  readonly sparsities: readonly number[];
  readonly out: string | undefined;
  /** Validation problems per training length. */
  readonly perLength: number;
  /** Validation lengths (default: every training length). */
  readonly lengths?: readonly number[];
  readonly progress: "bar" | "lines" | "silent";
  readonly log: (line: string) => void;
}

export interface SensitivityResult {
  readonly version: 1;
  readonly task: string;
  readonly source: string;
  readonly validationProblems: number;
  readonly report: SensitivityReport;
  /** Largest per-program teacher-forced step error at each probe ("<layer>@<sparsity>", "baseline"). */
  readonly maxStepError: Record<string, number>;
  readonly layerSizes: Record<string, number>;
}

function writeInto(model: import("@dcnpi/npi-core/tfjs").NpiModel, weights: WeightMap): void {
  const byName = new Map(model.parameters().map((p) => [p.name, p.variable]));
  for (const { name, tensor } of weights)
    tf.tidy(() => byName.get(name)!.assign(tf.tensor(tensor.data as Float32Array, [...tensor.shape])));
}

/**
 * Sensitivity analysis (Han et al. 2015 §4, Distiller's `sensitivity`): prunes one weight matrix at a
 * time by magnitude, with no retraining, and measures the fraction of validation problems (training
 * lengths) the NPI still solves and its largest per-program teacher-forced step error.
 */
export async function sensitivityCommand(options: SensitivityCommandOptions): Promise<{ result: SensitivityResult; dir: string }> {
  const loaded = await loadModel(options.file);
  const { model, task } = loaded;
  if (loaded.kind !== "dense") {
    model.dispose();
    throw new NpiAppError("INVALID_OPTION", `${options.file}: sensitivity analysis needs a dense checkpoint, not a compressed file`);
  }
  try {
    const set = trainingSetOfModel(loaded);
    if (loaded.trainingSet === undefined)
      options.log(`${options.file}: no npi-train.json; validating on the default ${loaded.taskName} training lengths`);
    const sampler = new TraceSampler(model, buildDataset(model, task, set), Rng.fromSeed(set.seed).fork("sensitivity"));
    const inputs = validationInputs(
      task,
      options.lengths === undefined ? set : { ...set, trainLengths: [...options.lengths] },
      options.perLength,
      "sensitivity",
    );
    const all = parameterWeights(model);
    const probed = all.filter(
      (w) =>
        (w.info.role === "kernel" || w.info.role === "recurrent_kernel") &&
        (w.info.layerClass === "Dense" || w.info.layerClass === "LSTM" || w.info.layerClass === "Conv2D"),
    );
    const layers = probed.names();
    const progress = createProgress({ label: "sensitivity", total: layers.length * options.sparsities.length, mode: options.progress });
    const maxStepError: Record<string, number> = {};
    let report: SensitivityReport;
    try {
      report = await analyzeSensitivity({
        weights: probed,
        layers,
        sparsities: options.sparsities,
        evaluate: (weights, point) => {
          writeInto(model, weights);
          const solved = solvedFraction(model, task, inputs);
          maxStepError[point.layer === null ? "baseline" : `${point.layer}@${point.sparsity}`] = Math.max(
            ...sampler.stepErrors().map((e) => e.stepError),
          );
          return solved;
        },
        onProbe: (done, total) => progress.update(done, `of ${total}`),
      });
    } finally {
      writeInto(model, probed);
      progress.stop();
    }
    const result: SensitivityResult = {
      version: 1,
      task: loaded.taskName,
      source: loaded.source,
      validationProblems: inputs.length,
      report,
      maxStepError,
      layerSizes: Object.fromEntries(probed.names().map((n) => [n, probed.get(n).data.length])),
    };
    const dir = options.out ?? join(loaded.source, "sensitivity");
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, "sensitivity.json"), result);
    await writeSensitivityReport(dir, result, options);
    return { result, dir };
  } finally {
    model.dispose();
  }
}

/** sensitivity.json's curves as a table (solved / max step error per weight and sparsity), a figure and report.md / report.html in `dir`. */
async function writeSensitivityReport(dir: string, result: SensitivityResult, options: SensitivityCommandOptions): Promise<void> {
  const requested = [...new Set(options.sparsities)].sort((a, b) => a - b);
  const sparsities = result.report.curves[0]?.points.map((p) => p.sparsity) ?? [];
  const table = markdownTable(
    ["weight", "size", ...sparsities.map((s) => `${(100 * s).toFixed(0)}% pruned`)],
    result.report.curves.map((c) => [
      c.layer,
      result.layerSizes[c.layer]!,
      ...c.points.map(
        (p, i) => `${(100 * p.metric).toFixed(0)}% / ${result.maxStepError[`${c.layer}@${requested[i]}`]?.toFixed(3) ?? "?"}`,
      ),
    ]),
  );
  const svg = await renderVegaLiteSvg({
    width: 520,
    height: 300,
    data: {
      values: result.report.curves.flatMap((c) => c.points.map((p) => ({ weight: c.layer, sparsity: p.sparsity, solved: p.metric }))),
    },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "sparsity", type: "quantitative", title: "fraction of the weight pruned (one-shot, no retraining)" },
      y: { field: "solved", type: "quantitative", title: "validation problems solved", scale: { domain: [0, 1] } },
      color: { field: "weight", type: "nominal" },
    },
  });
  writeReport(dir, {
    title: `NPI pruning sensitivity: ${result.task}`,
    blocks: [
      {
        kind: "markdown",
        text:
          `Model: \`${result.source}\`. Each weight is pruned alone by magnitude (no retraining); the ` +
          `cell is the fraction of ${result.validationProblems} ` +
          `validation problems at ${options.lengths === undefined ? "the training lengths" : `lengths ${options.lengths.join(", ")}`} ` +
          `solved / the largest per-program teacher-forced step error. Baseline: ${(100 * result.report.baseline).toFixed(0)}% ` +
          `/ ${result.maxStepError["baseline"]?.toFixed(3)}.`,
      },
      { kind: "markdown", text: table },
      { kind: "figure", name: "sensitivity", title: "Pruning sensitivity per weight", svg },
    ],
  });
}
