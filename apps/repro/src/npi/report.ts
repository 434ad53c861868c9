import { markdownTable, renderVegaLiteSvg, writeReport, type ReportBlock, type VegaLiteSpec } from "@dcnpi/report-kit";
import type { LengthEvaluation, LengthResult } from "@dcnpi/npi-core";
import { DEFAULT_MODEL_CONFIG, type TrainingRecipe } from "@dcnpi/npi-core/tfjs";
import type { NpiRecipes } from "./recipes.js";
import type { SpotCheck } from "./run-npi.js";
import type { TrainSummary } from "./train.js";
import { carReportBlocks } from "./car-report.js";
import type { CarResults } from "./run-car.js";
import type { Table1Results } from "./run-multitask.js";
import { PAPER_TABLE1, table1ReportBlocks } from "./table1-report.js";

/** What the report shows of an evaluation (any saved form reads as this; the stored version does not matter here). */
type ReportedEvaluation = Pick<LengthEvaluation, "lengths" | "wallSeconds">;

export interface NpiResults {
  readonly quick: boolean;
  readonly seed: number;
  readonly backend: string;
  readonly addition?: {
    readonly recipe: NpiRecipes["addition"];
    readonly training: TrainSummary;
    readonly evaluation: ReportedEvaluation;
    readonly spotChecks: readonly SpotCheck[];
  };
  readonly sorting?: { readonly recipe: NpiRecipes["sorting"]; readonly training: TrainSummary; readonly evaluation: ReportedEvaluation };
  readonly sampleComplexity?: {
    readonly length: number;
    readonly rows: readonly { readonly traces: number; readonly training: TrainSummary; readonly result: LengthResult }[];
  };
  readonly car?: CarResults;
  readonly table1?: Table1Results;
}

const percent = (k: number, n: number) => (n === 0 ? "–" : `${((100 * k) / n).toFixed(k === n ? 0 : 1)}%`);
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

function statusText(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .filter(([s, n]) => s !== "returned" && n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
}

function trainingTable(rows: readonly { readonly name: string; readonly training: TrainSummary }[]): string {
  return markdownTable(
    [
      "task",
      "steps",
      "stopped",
      "wall time",
      "CPU time",
      "teacher traces",
      "training sequences (unique)",
      "final teacher-forced step error (max over programs)",
    ],
    rows.map(({ name, training: t }) => [
      name,
      t.steps,
      t.stoppedEarly ? "validation perfect" : "step cap",
      minutes(t.wallSeconds),
      minutes(t.cpuSeconds),
      t.dataset.traces,
      `${t.dataset.invocations} (${t.dataset.uniqueInvocations})`,
      Math.max(...t.finalErrors.map((e) => e.stepError)).toFixed(4),
    ]),
  );
}

async function lossFigure(rows: readonly { readonly name: string; readonly training: TrainSummary }[]): Promise<ReportBlock> {
  const values = rows.flatMap(({ name, training }) =>
    training.lossCurve.map((p) => ({ task: name, step: p.step, loss: Math.max(p.loss, 1e-5) })),
  );
  const spec: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 520,
    height: 260,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "training step" },
      y: { field: "loss", type: "quantitative", scale: { type: "log" }, title: "training loss (mean per step, 10-step windows)" },
      color: { field: "task", type: "nominal" },
    },
  };
  return {
    kind: "figure",
    name: "training-loss",
    title: "Training loss",
    svg: await renderVegaLiteSvg(spec),
    caption: "End + program + argument negative log-likelihood per step, averaged over 10 training steps.",
  };
}

export async function writeNpiReport(dir: string, results: NpiResults, metadata: Record<string, unknown>): Promise<void> {
  const blocks: ReportBlock[] = [];
  const md = (text: string) => blocks.push({ kind: "markdown", text });
  md(introText(results, metadata));
  md(`## Summary\n\n${markdownTable(["experiment", "paper", "ours", "training wall time"], summaryRows(results))}`);
  if (results.addition) blocks.push(...(await additionBlocks(results.addition)));
  if (results.sorting) blocks.push(...(await sortingBlocks(results.sorting)));
  if (results.sampleComplexity) blocks.push(...(await sampleComplexityBlocks(results.sampleComplexity)));
  if (results.car) blocks.push(...(await carReportBlocks(results.car)));
  if (results.table1) blocks.push(...table1ReportBlocks(results.table1));
  const trainings = trainingsOf(results);
  if (trainings.length > 0) blocks.push(...(await trainingBlocks(trainings)));
  const recipe = results.addition?.recipe ?? results.sorting?.recipe;
  if (recipe !== undefined) md(oursSection(recipe));
  writeReport(dir, {
    title: results.car || results.table1 ? "Neural Programmer-Interpreters" : "Neural Programmer-Interpreters: addition and sorting",
    blocks,
  });
}

function introText(results: NpiResults, metadata: Record<string, unknown>): string {
  return [
    results.quick ? "**Quick mode**: a smoke test with a tiny model and short runs; the numbers below are not the reproduction." : "",
    `Seed ${results.seed}, backend \`${results.backend}\`, ${String(metadata["cores"] ?? "?")} ` +
      `cores (${String(metadata["cpu"] ?? "")}), load average ${Number(metadata["loadAverageAtStart"] ?? 0).toFixed(1)} ` +
      `at the start and ${Number(metadata["loadAverageAtEnd"] ?? 0).toFixed(1)} at the end (the machine ` +
      `was shared with other jobs). Commit \`${String(metadata["gitCommit"] ?? "?").slice(0, 12)}\`` +
      `${metadata["gitDirty"] ? " (with uncommitted changes)" : ""}. ` +
      `Total wall time ${minutes(Number(metadata["wallSeconds"] ?? 0))}.`,
    "Per-sequence accuracy: a problem counts as correct when the model's RUN returns on its own, " +
      "within twice the teacher's step count, and the verifier, replaying the model's trace on a fresh " +
      "environment, finds the right answer. *Trace exact* additionally requires every action to be " +
      "the teacher's.",
  ]
    .filter((s) => s.length > 0)
    .join("\n\n");
}

type SummaryRow = (string | number)[];

function summaryRows(results: NpiResults): SummaryRow[] {
  return [
    ...(results.addition ? [additionSummaryRow(results.addition)] : []),
    ...(results.sorting ? [sortingSummaryRow(results.sorting)] : []),
    ...(results.sampleComplexity ? [sampleComplexitySummaryRow(results.sampleComplexity)] : []),
    ...(results.car ? [carSummaryRow(results.car)] : []),
    ...(results.table1 ? table1SummaryRows(results.table1) : []),
  ];
}

function additionSummaryRow(addition: NonNullable<NpiResults["addition"]>): SummaryRow {
  const all = addition.evaluation.lengths;
  const correct = all.reduce((a, r) => a + r.correct, 0);
  const problems = all.reduce((a, r) => a + r.problems, 0);
  return [
    "addition, trained on 1–20 digits (32 per length)",
    "100% at every length up to 3,000 digits",
    `${percent(correct, problems)} of ${problems} problems at ${all.length} lengths up to ${Math.max(...all.map((r) => r.length))} digits`,
    minutes(addition.training.wallSeconds),
  ];
}

function sortingSummaryRow(sorting: NonNullable<NpiResults["sorting"]>): SummaryRow {
  let perfectUpTo = 0;
  for (const r of sorting.evaluation.lengths) {
    if (r.correct !== r.problems) break;
    perfectUpTo = r.length;
  }
  return [
    "sorting, trained on length 2–20 (64 per length)",
    "works up to length 60",
    `${perfectUpTo > 0 ? `100% at every tested length up to ${perfectUpTo}; ` : ""}${sorting.evaluation.lengths
      .map((r) => `${r.length}: ${percent(r.correct, r.problems)}`)
      .filter((_, i, a) => i >= a.length - 6)
      .join(", ")}`,
    minutes(sorting.training.wallSeconds),
  ];
}

function sampleComplexitySummaryRow(sampleComplexity: NonNullable<NpiResults["sampleComplexity"]>): SummaryRow {
  return [
    `sample complexity (length ${sampleComplexity.length})`,
    "learns from 2 traces, nearly perfect from 8",
    sampleComplexity.rows.map((r) => `${r.traces}: ${percent(r.result.correct, r.result.problems)}`).join(", "),
    minutes(sampleComplexity.rows.reduce((a, r) => a + r.training.wallSeconds, 0)),
  ];
}

function carSummaryRow(car: CarResults): SummaryRow {
  const { pixels, oracle } = car;
  const pct = (e: { correct: number; problems: number }) => percent(e.correct, e.problems);
  return [
    "car canonicalisation, **synthetic** cars (Table 1, single task): seen / unseen",
    `${PAPER_TABLE1.carSeen[0]}% / ${PAPER_TABLE1.carUnseen[0]}% (CAD renders)`,
    `${pct(pixels.evaluation.seen)} / ${pct(pixels.evaluation.unseen)} (pose oracle: ${pct(oracle.evaluation.seen)} / ${pct(oracle.evaluation.unseen)})`,
    minutes(pixels.training.wallSeconds),
  ];
}

function table1SummaryRows(table1: Table1Results): SummaryRow[] {
  const { multiTask, withMax } = table1;
  const cell = (c: { correct: number; problems: number } | undefined) => (c === undefined ? "–" : percent(c.correct, c.problems));
  const rows = (cells: typeof multiTask.cells) =>
    `addition ${cell(cells.addition)}, sorting ${cell(cells.sorting)}, car seen / unseen ${cell(cells.carSeen)} / ${cell(cells.carUnseen)}`;
  // The paper's multi-task and + MAX columns of Table 1 (PAPER_TABLE1: single / multi / + MAX).
  const paper = (row: keyof typeof PAPER_TABLE1, column: 1 | 2) => `${PAPER_TABLE1[row][column]}%`;
  const paperRows = (column: 1 | 2) =>
    `${paper("addition", column)} / ${paper("sorting", column)} / ${paper("carSeen", column)} / ${paper("carUnseen", column)}`;
  const summaryRows: SummaryRow[] = [
    [
      "one multi-task model (Table 1): addition, sorting, car seen / unseen (**synthetic**)",
      paperRows(1),
      rows(multiTask.cells),
      minutes(multiTask.training.wallSeconds),
    ],
  ];
  if (withMax)
    summaryRows.push([
      "+ MAX with the core frozen (Table 1): maximum; old tasks",
      `maximum ${paper("maximum", 2)}; ${paperRows(2)}`,
      `maximum ${cell(withMax.cells.maximum)}; ${rows(withMax.cells)}`,
      minutes(withMax.training.wallSeconds),
    ]);
  return summaryRows;
}

async function additionBlocks(addition: NonNullable<NpiResults["addition"]>): Promise<ReportBlock[]> {
  const { evaluation, spotChecks, recipe } = addition;
  const lengths = evaluation.lengths;
  const text =
    `## Addition (paper §4.1, §6.3)\n\nTrained on ${recipe.tracesPerLength} teacher traces per ` +
    `length for lengths ${recipe.trainLengths[0]}–${recipe.trainLengths[recipe.trainLengths.length - 1]} ` +
    `(one operand has exactly that many digits, the other 1 to that many), plus one RSHIFT trace ` +
    `per problem. Tested on fresh random problems.\n\n` +
    markdownTable(
      ["digits", "problems", "correct", "trace exact", "not returned", "model steps per problem"],
      lengths.map((r) => [
        r.length,
        r.problems,
        percent(r.correct, r.problems),
        percent(r.traceExact, r.problems),
        statusText(r.statuses) || "–",
        Math.round(r.modelSteps / r.problems),
      ]),
    ) +
    `\n\nEvaluation wall time ${minutes(evaluation.wallSeconds)} (all lengths run together, 250 problems per batched RUN).` +
    `\n\nSpot checks (the "1007 + 3" blank-cell pitfall and long carries):\n\n` +
    markdownTable(
      ["problem", "expected", "model's output row", "status", "correct"],
      spotChecks.map((c) => [c.input, c.expected, c.output, c.status, c.correct ? "yes" : "**no**"]),
    );
  return [
    { kind: "markdown", text },
    {
      kind: "figure",
      name: "addition-accuracy",
      title: "Addition: per-sequence accuracy by number of digits",
      caption: "Trained on 1–20 digits only. The paper reports 100% at every length up to 3,000.",
      svg: await renderVegaLiteSvg({
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: 560,
        height: 240,
        data: {
          values: lengths.map((r) => ({
            digits: String(r.length),
            accuracy: r.correct / r.problems,
            trained: r.length <= 20 ? "training lengths" : "longer than any training problem",
          })),
        },
        mark: "bar",
        encoding: {
          x: { field: "digits", type: "ordinal", sort: null, title: "digits" },
          y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: "%" }, title: "problems solved" },
          color: { field: "trained", type: "nominal", title: null, legend: { orient: "bottom" } },
        },
      }),
    },
  ];
}

async function sortingBlocks(sorting: NonNullable<NpiResults["sorting"]>): Promise<ReportBlock[]> {
  const { evaluation, recipe } = sorting;
  const lengths = evaluation.lengths;
  const text =
    `## Sorting (paper §4.2, Fig. 6)\n\nTrained on ${recipe.tracesPerLength} teacher traces per ` +
    `length for arrays of length ${recipe.trainLengths[0]}–${recipe.trainLengths[recipe.trainLengths.length - 1]} ` +
    `(random digits). Tested on fresh random arrays up to length ${Math.max(...lengths.map((r) => r.length))}.\n\n` +
    markdownTable(
      ["length", "problems", "correct", "trace exact", "not returned", "model steps per problem"],
      lengths.map((r) => [
        r.length,
        r.problems,
        percent(r.correct, r.problems),
        percent(r.traceExact, r.problems),
        statusText(r.statuses) || "–",
        Math.round(r.modelSteps / r.problems),
      ]),
    ) +
    `\n\nEvaluation wall time ${minutes(evaluation.wallSeconds)} (all lengths run together, 250 problems per batched RUN).`;
  return [
    { kind: "markdown", text },
    {
      kind: "figure",
      name: "sorting-accuracy",
      title: "Sorting: per-sequence accuracy vs array length",
      caption: "Trained on lengths 2–20 (shaded). The dashed line marks length 60, where the paper's NPI stops working.",
      svg: await renderVegaLiteSvg({
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: 560,
        height: 260,
        layer: [
          {
            data: { values: [{ from: 2, to: 20 }] },
            mark: { type: "rect", opacity: 0.12, color: "#4c78a8" },
            encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" } },
          },
          {
            data: { values: [{ x: 60 }] },
            mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
            encoding: { x: { field: "x", type: "quantitative" } },
          },
          {
            data: { values: lengths.map((r) => ({ length: r.length, accuracy: r.correct / r.problems })) },
            mark: { type: "line", point: true },
            encoding: {
              x: {
                field: "length",
                type: "quantitative",
                title: "array length",
                scale: { domain: [0, Math.max(70, ...lengths.map((r) => r.length))] },
              },
              y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: "%" }, title: "arrays sorted" },
            },
          },
        ],
      }),
    },
  ];
}

async function sampleComplexityBlocks(sampleComplexity: NonNullable<NpiResults["sampleComplexity"]>): Promise<ReportBlock[]> {
  const { rows, length } = sampleComplexity;
  const text =
    `## Sample complexity (paper Fig. 5)\n\nSorting trained only on length-${length} arrays, with ` +
    `a growing number of teacher traces (each smaller set is a prefix of the larger ones); tested ` +
    `on ${rows[0]?.result.problems ?? 0} fresh length-${length} arrays.\n\n` +
    markdownTable(
      ["training traces", "training sequences (unique)", "steps", "correct", "trace exact", "training wall time"],
      rows.map((r) => [
        r.traces,
        `${r.training.dataset.invocations} (${r.training.dataset.uniqueInvocations})`,
        r.training.steps,
        percent(r.result.correct, r.result.problems),
        percent(r.result.traceExact, r.result.problems),
        minutes(r.training.wallSeconds),
      ]),
    );
  return [
    { kind: "markdown", text },
    {
      kind: "figure",
      name: "sample-complexity",
      title: `Sample complexity: accuracy at length ${length} vs number of training traces`,
      caption: "The paper's NPI starts learning from 2 traces and is nearly perfect from 8.",
      svg: await renderVegaLiteSvg({
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        width: 420,
        height: 240,
        data: { values: rows.map((r) => ({ traces: r.traces, accuracy: r.result.correct / r.result.problems })) },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "traces", type: "quantitative", scale: { type: "log", base: 2 }, title: "training traces (length 20)" },
          y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: "%" }, title: "arrays sorted" },
        },
      }),
    },
  ];
}

/** Every training run the report covers, in the order of its sections. */
function trainingsOf(results: NpiResults): { name: string; training: TrainSummary }[] {
  const trainings: { name: string; training: TrainSummary }[] = [];
  if (results.addition) trainings.push({ name: "addition", training: results.addition.training });
  if (results.sorting) trainings.push({ name: "sorting", training: results.sorting.training });
  if (results.sampleComplexity)
    for (const row of results.sampleComplexity.rows) trainings.push({ name: `sorting, ${row.traces} traces`, training: row.training });
  if (results.car) {
    trainings.push(
      { name: "car (pixels)", training: results.car.pixels.training },
      { name: "car (pose oracle)", training: results.car.oracle.training },
    );
  }
  if (results.table1) {
    trainings.push({ name: "multi-task", training: results.table1.multiTask.training });
    if (results.table1.withMax) trainings.push({ name: "MAX (core frozen)", training: results.table1.withMax.training });
  }
  return trainings;
}

async function trainingBlocks(trainings: readonly { name: string; training: TrainSummary }[]): Promise<ReportBlock[]> {
  return [
    {
      kind: "markdown",
      text:
        `## Training\n\nWall time is what the 2-core machine took while shared with other jobs; CPU ` +
        `time is this process's own compute. The paper's target is under 30 minutes per task.\n\n${trainingTable(trainings)}`,
    },
    await lossFigure(trainings.filter((t) => t.training.lossCurve.length > 0)),
  ];
}

function oursSection(recipe: TrainingRecipe): string {
  const t = recipe.trainer;
  const lr = t.learningRate!;
  const curriculum = t.curriculum === false ? undefined : t.curriculum;
  const m = { ...DEFAULT_MODEL_CONFIG, ...recipe.model };
  return (
    "## What is ours, not the paper's\n\n" +
    [
      `- Adam at ${lr.initial} (paper: 1e-4) × ${lr.factor} every ${lr.everySteps} steps (paper: ` +
        `every 10,000)${t.gradientClipNorm ? `, gradient norm clipped at ${t.gradientClipNorm}` : ""}; ` +
        `each step averages ${t.programsPerStep} sub-batches, each of one program and one length, of ` +
        `max(${t.batchSize}, ${t.stepsPerBatch} / length) invocations (paper: batch 1).`,
      curriculum
        ? `- Adaptive curriculum as in §3.2: programs drawn by a softmax (temperature ${curriculum.temperature}) ` +
          `over their teacher-forced step error rate, measured on ${curriculum.samplesPerProgram} invocations ` +
          `per program and re-estimated every ${curriculum.everySteps} steps.`
        : "- No curriculum (programs drawn uniformly).",
      `- Training stops early once ${recipe.stopAfterPerfectChecks} consecutive checks (every ${recipe.checkEverySteps} ` +
        `steps) find all ${recipe.validationProblems} validation problems at training lengths solved ` +
        `and no teacher-forced error; the cap is ${recipe.maxSteps} steps. No test length is looked ` +
        `at during training.`,
      `- Sizes: state ${m.stateSize}, program embedding ${m.programEmbeddingSize}, program key ${m.programKeySize}, ` +
        `fusion hidden ${m.fusionHiddenSize}, argument heads of ${m.argumentDepth} values, encoder MLP ` +
        `hidden 128 (ReLU); the LSTM core (${m.lstmLayers}×${m.lstmSize}) is the paper's. Initial LSTM ` +
        `input kernels at ${m.lstmInputGain}× LeCun scale.`,
      '- A learned "call nothing" key beside the program keys, so a step can end a program without ' +
        "calling anything (footnote 1 semantics: a step's call runs, then the program returns if the " +
        "step's end probability is at least 0.5).",
      "- Addition: a blank symbol (11th value) under each pointer; the pad is two columns wider than " +
        "the longer operand; ADD ends with a step that sees an empty column.",
      "- Sorting: RESET brings both swap pointers back to index 0 (convention 1 of the notes); start/end " +
        "bits for all three pointers, the counter's value is not observed.",
    ].join("\n")
  );
}
