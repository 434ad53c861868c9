import { basename, dirname, join } from "node:path";
import { markdownTable, openRunDirectory, renderVegaLiteSvg, writeReport } from "@dcnpi/run-kit";
import { z } from "zod";
import { defaultProblems, evaluateLengths, type LengthResult } from "./evaluate.js";
import { checkTask, contentKeyOf, loadModel, type LoadedModel } from "./model-store.js";
import type { TaskName } from "./tasks.js";

export interface EvalCommandOptions {
  readonly files: readonly string[];
  readonly task: TaskName;
  readonly lengths: readonly number[] | undefined;
  readonly problems: number | undefined;
  readonly seed: number;
  readonly out: string | undefined;
  readonly backend: string;
  readonly log: (line: string) => void;
}

export const DEFAULT_EVAL_LENGTHS: Record<"addition" | "sort", readonly number[]> = {
  addition: [1, 10, 100, 1000, 3000],
  sort: [2, 5, 10, 20, 30, 40, 50, 60],
};

const lengthResultSchema = z.object({
  length: z.number(),
  problems: z.number(),
  correct: z.number(),
  traceExact: z.number(),
  statuses: z.record(z.string(), z.number()),
  modelSteps: z.number(),
  wallSeconds: z.number(),
});

export interface ModelEvaluation {
  readonly label: string;
  readonly kind: "dense" | "compressed";
  readonly source: string;
  readonly storedBytes: number;
  readonly float32Bytes: number;
  readonly results: readonly LengthResult[];
}

function labelOf(loaded: LoadedModel, all: readonly LoadedModel[]): string {
  const sameKind = all.filter((m) => m.kind === loaded.kind).length;
  return sameKind > 1 ? `${loaded.kind} ${basename(loaded.source)}` : loaded.kind;
}

const kb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

/**
 * `npi eval`: every model on the same fresh problems per length (seeded), per-sequence accuracy. Each
 * (model, length) result is a resumable stage of the output run directory, keyed by the model's bytes.
 */
export async function evalCommand(options: EvalCommandOptions): Promise<string> {
  const loadedModels: LoadedModel[] = [];
  try {
    for (const file of options.files) {
      const loaded = await loadModel(file);
      loadedModels.push(loaded);
      checkTask(loaded, options.task);
    }
    const task = options.task === "addition" ? "addition" : "sort";
    const lengths = options.lengths ?? DEFAULT_EVAL_LENGTHS[task];
    const plans = lengths.map((length) => ({ length, problems: options.problems ?? defaultProblems(options.task, length) }));
    const first = loadedModels[0]!;
    const out = options.out ?? join(first.kind === "dense" ? first.source : dirname(first.source), `eval-${options.task}`);
    const run = openRunDirectory(dirname(out), basename(out));
    const evaluations: ModelEvaluation[] = [];
    for (const loaded of loadedModels) {
      const key = contentKeyOf(loaded);
      const label = labelOf(loaded, loadedModels);
      const results: LengthResult[] = [];
      for (const plan of plans) {
        const result = await run.stage(`${key}-L${plan.length}-n${plan.problems}-s${options.seed}`, () => {
          const [r] = evaluateLengths(loaded.model, loaded.task, [plan], { seed: `${options.seed}-test` });
          run.appendMetric({ event: "eval", model: label, source: loaded.source, ...r! });
          return r!;
        }, lengthResultSchema);
        options.log(`${label}: length ${plan.length}: ${result.correct}/${result.problems} correct (${result.wallSeconds.toFixed(1)} s)${run.resumedStages.includes(`${key}-L${plan.length}-n${plan.problems}-s${options.seed}`) ? " [saved]" : ""}`);
        results.push(result);
      }
      evaluations.push({ label, kind: loaded.kind, source: loaded.source, storedBytes: loaded.storedBytes, float32Bytes: loaded.float32Bytes, results });
    }
    const header = ["length", "problems", ...evaluations.map((e) => `${e.label} (${kb(e.storedBytes)})`)];
    const rows = plans.map((plan, i) => [plan.length, plan.problems, ...evaluations.map((e) => `${((100 * e.results[i]!.correct) / plan.problems).toFixed(0)}%`)]);
    const table = markdownTable(header, rows);
    const svg = await renderVegaLiteSvg({
      width: 480,
      height: 280,
      data: { values: evaluations.flatMap((e) => e.results.map((r) => ({ model: `${e.label} (${kb(e.storedBytes)})`, length: r.length, accuracy: r.correct / r.problems }))) },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "length", type: "quantitative", title: options.task === "addition" ? "digits" : "array length", scale: options.task === "addition" ? { type: "log" } : {} },
        y: { field: "accuracy", type: "quantitative", title: "per-sequence accuracy", scale: { domain: [0, 1] } },
        color: { field: "model", type: "nominal" },
        strokeDash: { field: "model", type: "nominal" },
      },
    });
    const wall = evaluations.map((e) => `${e.label}: ${e.results.reduce((s, r) => s + r.wallSeconds, 0).toFixed(0)} s`).join(", ");
    const written = writeReport(run.dir, {
      title: `NPI ${options.task}: generalisation by length`,
      blocks: [
        { kind: "markdown", text: `Per-sequence accuracy on fresh random problems (seed ${options.seed}; the same problems for every model). A problem counts when the RUN returns within twice the teacher's step count and the verifier, replaying the model's trace, finds the right answer. Backend ${options.backend}. Evaluation wall time: ${wall}.` },
        { kind: "markdown", text: table },
        { kind: "markdown", text: markdownTable(["model", "file", "stored bytes", "float32 bytes"], evaluations.map((e) => [e.label, e.source, e.storedBytes, e.float32Bytes])) },
        { kind: "figure", name: `accuracy-${options.task}`, title: "Per-sequence accuracy by length", svg },
      ],
    });
    return `${table}\n\nwrote ${written.markdownPath}, ${written.htmlPath} and ${written.figurePaths.join(", ")}\n`;
  } finally {
    for (const m of loadedModels) m.model.dispose();
  }
}
