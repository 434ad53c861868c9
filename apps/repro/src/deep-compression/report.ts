/**
 * Assembles report.md / report.html from measured results: Table 1, the targets, the per-layer
 * tables with the paper beside us, what each stage did to the test error, the figures, the synthetic
 * weights statement, settings, deviations and where the time went.
 */
import { markdownTable, renderVegaLiteSvg, type ReportBlock } from "@dcnpi/report-kit";
import { codesAndGapsSpec, distributionSpec, initSpec, tradeoffSpec } from "./figures.js";
import { beyondText, reencodedText, type BeyondOutcome } from "./beyond-report.js";
import type { ImagenetResult } from "./imagenet-experiment.js";
import type { CompressStage, EpochSummary } from "./lenet-experiment.js";
import type { KmeansStudy, Sweep, WeightDistribution } from "./lenet-figures.js";
import { PAPER_LAYER_TABLES, PAPER_TABLE_1, PAPER_TEXT_ERRATA, rowsImpliedRate, type PaperModel } from "./paper-figures.js";
import type { LenetRecipe } from "./recipes.js";
import type { ReencodedFile } from "./reencoded-file.js";
import type { StageTiming } from "./run-context.js";
import { SYNTHETIC_WEIGHTS } from "./synthetic-weights.js";
import { checkTargets, explainSize, type TargetCheck } from "./targets.js";
import { measuredLayersFromReport, measuredTotals, perLayerTable, table1, type MeasuredLayer, type MeasuredTable1 } from "./tables.js";

export interface LenetOutcome {
  readonly kind: "lenet";
  readonly model: "lenet-300-100" | "lenet-5";
  readonly recipe: LenetRecipe;
  readonly epochs: readonly EpochSummary[];
  readonly compress: CompressStage;
  /** The file re-encoded with the arithmetic coder and the binary header (issue 17's third column); absent for older runs. */
  readonly reencoded?: ReencodedFile | undefined;
  readonly distributions: readonly WeightDistribution[];
  readonly tradeoff: Sweep | null;
  readonly init: Sweep | null;
  readonly kmeans: KmeansStudy | null;
}

export interface ImagenetOutcome {
  readonly kind: "imagenet";
  readonly result: ImagenetResult;
}

export type ModelOutcome = LenetOutcome | ImagenetOutcome | BeyondOutcome;
/** The outcomes of the paper's method, which Table 1 and the paper's targets compare. */
export type PaperOutcome = LenetOutcome | ImagenetOutcome;
export const isPaperOutcome = (o: ModelOutcome): o is PaperOutcome => o.kind !== "beyond";

export interface RunFacts {
  readonly mode: "quick" | "full";
  readonly seed: number;
  readonly command: string;
  readonly backend: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly startedAt: string;
  /** Wall time of this invocation, seconds. */
  readonly wallSeconds: number;
  /** Sum of the stage times recorded in the stages (includes stages computed by earlier invocations). */
  readonly computeSeconds: number;
  readonly load: { readonly atStart: number; readonly mean: number; readonly max: number; readonly samples: number };
  readonly timings: readonly StageTiming[];
  readonly resumedStages: readonly string[];
  /** Earlier invocations of the same run directory (a resumed run keeps how long the first one took). */
  readonly earlierInvocations: readonly { readonly startedAt: string; readonly wallSeconds: number }[];
  /** Peak resident memory of the process, MB. */
  readonly maxResidentMB: number;
}

export function measuredOf(outcome: PaperOutcome): { model: PaperModel; layers: MeasuredLayer[]; table1: MeasuredTable1 } {
  if (outcome.kind === "lenet") {
    const report = outcome.compress.report;
    const layers = measuredLayersFromReport(report);
    const final = report.metrics.at(-1)?.value ?? null;
    const dense = report.metrics.find((m) => m.stage === "dense")?.value ?? null;
    return {
      model: outcome.model,
      layers,
      table1: {
        model: outcome.model,
        denseError: dense,
        compressedError: final,
        paperDenseBytes: report.totals.paper.denseBytes,
        paperCompressedBytes: report.totals.paper.compressedBytes,
        trueDenseBytes: report.totals.onDisk.denseBytes,
        fileBytes: report.totals.onDisk.fileBytes,
      },
    };
  }
  const r = outcome.result;
  const layers = r.layers.map((l) => l.measured);
  const totals = measuredTotals(layers);
  return {
    model: r.model,
    layers,
    table1: {
      model: r.model,
      denseError: null,
      compressedError: null,
      paperDenseBytes: totals.weights * 4,
      paperCompressedBytes: totals.paperBitsPQH / 8,
      trueDenseBytes: r.trueDenseBytes,
      fileBytes: r.fileBytes,
    },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const secs = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

function targetsBlock(checks: readonly TargetCheck[]): string {
  return markdownTable(
    ["Model", "Target", "Measured", "Met?", "Shortfall"],
    checks.map((c) => [PAPER_TABLE_1[c.model].network, c.target, c.measured, c.met ? "yes" : "**no**", c.shortfall ?? "-"]),
  );
}

function stageMetricsTable(outcome: LenetOutcome): string {
  const report = outcome.compress.report;
  const rows = report.metrics.map((m) => [m.stage, pct(m.value)]);
  rows.push(["read back from the .dcnpi file (loadCompressed)", pct(outcome.compress.loadedError)]);
  return markdownTable(["After stage", "Top-1 test error (10,000 images)"], rows);
}

function recipeText(r: LenetRecipe): string {
  const d = r.dense;
  return [
    `- Dense training: ${d.optimizer === "adam" ? "Adam" : "SGD + momentum 0.9"}, batch ${d.batchSize}, ${d.epochs} ` +
      `epochs, learning rate ${d.learningRate} ` +
      `cosine-decayed to ${d.learningRate * d.finalRateFraction}, ` +
      (d.weightDecay.mode === "l2" ? "L2 weight decay (in the gradient, as Caffe)" : "decoupled weight decay") +
      ` ${d.weightDecay.rate} ` +
      `on kernels; examples shuffled per epoch from the seed. (Caffe's LeNet solver: SGD momentum ` +
      `0.9, lr 0.01 "inv", weight decay 5e-4, batch 64, 10,000 iterations ≈ 10.7 epochs.)`,
    `- Iterative pruning: ${r.prune.iterations} prune/retrain cycles; each removes the same share ` +
      `of what is left (geometric in density) and the last reaches the paper's per-layer density exactly. ` +
      `Masked retraining: ${r.prune.epochsPerIteration} epoch(s) after each cycle but the last, ${r.prune.epochsAfterLast} ` +
      `after the last, with one ${d.optimizer === "adam" ? "Adam" : "momentum"} optimizer across all ` +
      `cycles whose rate starts at ${r.prune.learningRate} ` +
      `and decays by cosine to ${r.prune.learningRate * d.finalRateFraction}, ${r.prune.weightDecay.mode === "l2" ? "L2" : "decoupled"} ` +
      `weight decay ${r.prune.weightDecay.rate} (the paper retrains at 1/10 of the original SGD rate; ` +
      `see the deviations).`,
    `- Quantization: per-layer k-means on the kept weights, linear initialisation, paper's bits; ${r.quantize.epochs} ` +
      `epoch(s) of centroid fine-tuning (summed gradients per cluster, assignments fixed) at ${r.quantize.learningRate}; ` +
      `biases keep training.`,
    `- Encoding: relative indices with fillers (paper's index bits), Huffman per layer and per stream.`,
  ].join("\n");
}

function kmeansText(k: KmeansStudy): string {
  const rows = k.rows.map((r) => [
    r.converged && r.maxIterations >= 1000 ? "to convergence (the pipeline)" : String(r.maxIterations),
    r.weightBitsHuffman.toFixed(2),
    r.indexBitsHuffman.toFixed(2),
    `${r.ratio.toFixed(1)}x`,
    r.squaredError.toExponential(2),
    pct(r.error),
  ]);
  return [
    "The pruned model of this run, quantized with the paper's bits after a given number of Lloyd " +
      "iterations from the linear initialisation, encoded exactly as the pipeline encodes (no centroid " +
      "fine-tuning here). The paper does not say how long its k-means ran. Converged k-means moves " +
      "shared weights into the dense part of the distribution, so codes are used more evenly and Huffman " +
      "saves less; stopping early keeps the linear spacing, skewed code use and fewer Huffman bits, " +
      "at a larger quantization error.",
    "",
    markdownTable(
      [
        "Lloyd iterations",
        "Weight bits (P+Q+H)",
        "Index bits (P+Q+H)",
        "Ratio, paper's way",
        "Squared error",
        "Test error before fine-tuning",
      ],
      rows,
    ),
  ].join("\n");
}

function epochsTable(epochs: readonly EpochSummary[]): string {
  return markdownTable(
    ["Epoch", "Learning rate", "Mean train loss", "Test error", "Train time"],
    epochs.map((e) => [e.epoch, e.learningRate.toExponential(2), e.meanLoss.toFixed(4), pct(e.testError), secs(e.trainSeconds)]),
  );
}

/** Figure names are file names: lower-case letters, digits and "-" (layer names like conv3_1 have "_"). */
export function figureName(...parts: string[]): string {
  return parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-");
}

async function figure(name: string, title: string, spec: Parameters<typeof renderVegaLiteSvg>[0], caption: string): Promise<ReportBlock> {
  return { kind: "figure", name: figureName(name), title, svg: await renderVegaLiteSvg(spec), caption };
}

function sweepCaption(s: Sweep, what: string): string {
  return s.retrainExamples > 0
    ? `${what} Each point was retrained on ${s.retrainExamples.toLocaleString("en-US")} training images before measuring (--full).`
    : `${what} Quick mode: no retraining inside the sweep (one-shot), so points away from the pipeline's ` +
        `own settings are pessimistic; --full retrains each point.`;
}

async function lenetBlocks(o: LenetOutcome): Promise<ReportBlock[]> {
  const blocks: ReportBlock[] = [{ kind: "markdown", text: lenetText(o) }];
  for (const d of o.distributions) blocks.push(await distributionFigure(o, d), await codesAndGapsFigure(o, d));
  if (o.tradeoff !== null) blocks.push(await tradeoffFigure(o, o.tradeoff));
  if (o.init !== null) blocks.push(await initFigure(o, o.init));
  return blocks;
}

function lenetText(o: LenetOutcome): string {
  const paper = PAPER_LAYER_TABLES[o.model];
  const m = measuredOf(o);
  return [
    `## ${paper.title} (${paper.table}): trained from scratch on real MNIST, ${o.recipe.mode} recipe`,
    "",
    `Every cell: **paper / ours**. Bits after Huffman are averages per stored entry (fillers included); ` +
      `our Total bit columns are entry-weighted means. Compress rate = compressed size / 32-bit dense ` +
      `size of the layer's weights (codes + relative indices + fillers + a 2^b × 32-bit codebook).`,
    "",
    perLayerTable(o.model, m.layers),
    "",
    "### Test error after each stage",
    "",
    stageMetricsTable(o),
    "",
    ...(o.kmeans === null ? [] : ["### How far k-means runs, and what Huffman makes of it", "", kmeansText(o.kmeans), ""]),
    "### Recipe",
    "",
    recipeText(o.recipe),
    "",
    "<details><summary>Dense training, epoch by epoch</summary>",
    "",
    epochsTable(o.epochs),
    "",
    "</details>",
  ].join("\n");
}

function distributionFigure(o: LenetOutcome, d: WeightDistribution): Promise<ReportBlock> {
  const paper = PAPER_LAYER_TABLES[o.model];
  return figure(
    `${o.model}-${d.layer}-distribution`,
    `${paper.title} ${d.layer}: weight distribution before pruning, after pruning, after quantization (cf. paper Fig. 4/5)`,
    distributionSpec(d, `${paper.title} ${d.layer}`),
    `Real trained weights. The layer's ${d.dense.counts.reduce((a, b) => a + b, 0).toLocaleString("en-US")} ` +
      `weights; after pruning only the kept ones are counted (the pruned zeros are left out), which ` +
      `shows the bimodal shape the paper describes.`,
  );
}

function codesAndGapsFigure(o: LenetOutcome, d: WeightDistribution): Promise<ReportBlock> {
  const paper = PAPER_LAYER_TABLES[o.model];
  return figure(
    `${o.model}-${d.layer}-codes-gaps`,
    `${paper.title} ${d.layer}: stored weight codes and relative-index gaps (cf. paper Fig. 5)`,
    codesAndGapsSpec(d, `${paper.title} ${d.layer}`),
    `Counts of the symbols Huffman codes in the .dcnpi file. Gaps run over the tensor flattened ` +
      `in ${d.layout}; a gap longer than 2^${d.indexBits} needs filler entries (code 0, longest gap).`,
  );
}

function tradeoffFigure(o: LenetOutcome, tradeoff: Sweep): Promise<ReportBlock> {
  const paper = PAPER_LAYER_TABLES[o.model];
  const report = o.compress.report;
  const t = measuredTotals(measuredOf(o).layers);
  const finalError = report.metrics.at(-1)!.value;
  return figure(
    `${o.model}-fig6-tradeoff`,
    `${paper.title}: test error vs compressed size, pruning only / quantization only / both (cf. paper Fig. 6)`,
    tradeoffSpec(tradeoff, `${paper.title}: accuracy vs compressed size`, [
      { label: "pipeline P+Q (no Huffman)", sizeRate: t.ratePQ, error: finalError },
      { label: "pipeline P+Q+H", sizeRate: t.ratePQH, error: finalError },
    ]),
    sweepCaption(
      tradeoff,
      "Pruning only: each layer keeps its paper density × the factor shown, 32-bit values + 5-bit " +
        "relative indices (fillers counted). Quantization only: every weight as a b-bit code + codebook " +
        "(no pruning, no indices). Both: pruned at ×2, ×1, ×0.5 then b-bit codes. No Huffman in the " +
        "sweep; the diamonds are the pipeline's final model (retrained) without and with Huffman. Dashed " +
        "line: dense error.",
    ),
  );
}

function initFigure(o: LenetOutcome, init: Sweep): Promise<ReportBlock> {
  const paper = PAPER_LAYER_TABLES[o.model];
  return figure(
    `${o.model}-fig8-init`,
    `${paper.title}: test error vs bits for linear, density-based and random centroid initialisation (cf. paper Fig. 8)`,
    initSpec(init, `${paper.title}: centroid initialisation`),
    sweepCaption(
      init,
      "The pipeline's pruned and retrained model (paper densities), every layer quantized at 2–8 " +
        "bits with k-means from each initialisation (random = Forgy: k distinct kept weights).",
    ),
  );
}

async function imagenetBlocks(o: ImagenetOutcome): Promise<ReportBlock[]> {
  const r = o.result;
  const paper = PAPER_LAYER_TABLES[r.model];
  const m = measuredOf(o);
  const blocks: ReportBlock[] = [
    {
      kind: "markdown",
      text: [
        `## ${paper.title} (${paper.table}): exact layer shapes, **synthetic weights**, accuracy not measured`,
        "",
        `There is no ImageNet and no trained ${paper.title} ` +
          `on this machine, so the weights are **synthetic**: ${SYNTHETIC_WEIGHTS.distribution}, ${SYNTHETIC_WEIGHTS.std}, ` +
          `each output channel scaled by exp(${SYNTHETIC_WEIGHTS.channelScaleLogStd}·N(0,1)), layout ${SYNTHETIC_WEIGHTS.layout}; ` +
          `biases ${SYNTHETIC_WEIGHTS.biases}. The distribution was fixed before measuring and not tuned ` +
          `to the paper's sizes. **Top-1/top-5 accuracy is not measured for this model** (no data, no ` +
          `retraining): the columns below are storage only. Pruning keeps the paper's per-layer fraction ` +
          `by magnitude (one shot), quantization uses the paper's bits with linear initialisation and ` +
          `no fine-tuning.`,
        "",
        perLayerTable(r.model, m.layers),
        "",
        `Per-layer time (generate, prune, k-means, ` +
          `encode, verify by decoding): ` +
          r.layers
            .map(
              (l) =>
                `${l.measured.layer} ${secs(l.seconds.generate + l.seconds.prune + l.seconds.quantize + l.seconds.encode + l.seconds.verify)}`,
            )
            .join(", ") +
          ".",
      ].join("\n"),
    },
  ];
  for (const l of r.layers) {
    const d = l.distribution;
    if (d === null) continue;
    blocks.push(
      await figure(
        `${r.model}-${d.layer}-distribution`,
        `${paper.title} ${d.layer} (synthetic weights): distribution before pruning, after pruning, after quantization`,
        distributionSpec(d, `${paper.title} ${d.layer} (synthetic)`),
        "Synthetic weights: the shape before pruning is the generator's, not a trained network's.",
      ),
    );
    blocks.push(
      await figure(
        `${r.model}-${d.layer}-codes-gaps`,
        `${paper.title} ${d.layer} (synthetic weights): stored weight codes and relative-index gaps`,
        codesAndGapsSpec(d, `${paper.title} ${d.layer} (synthetic)`),
        `Gaps run over ${d.layout}. With synthetic weights the kept positions are close to random within ` +
          `a row, so gaps are close to geometric; trained layers are more clustered.`,
      ),
    );
  }
  return blocks;
}

function timingTable(facts: RunFacts): string {
  const rows = facts.timings.map((t) => [
    t.parent === undefined ? t.stage : `↳ ${t.stage} (inside ${t.parent})`,
    secs(t.seconds),
    t.resumed ? "read back (computed earlier)" : "computed now",
  ]);
  return markdownTable(["Stage", "Wall time when computed", "This invocation"], rows);
}

/** Every block of the report, in order. */
export async function buildReportBlocks(all: readonly ModelOutcome[], facts: RunFacts): Promise<ReportBlock[]> {
  const outcomes = all.filter(isPaperOutcome);
  const beyond = all.filter((o): o is BeyondOutcome => o.kind === "beyond");
  const measured = outcomes.map(measuredOf);
  const checks = measured.flatMap((m) => checkTargets(m.table1));
  const missed = checks.filter((c) => !c.met);
  const blocks: ReportBlock[] = [];
  const lines = [
    runFactsText(facts),
    "",
    `Command: \`${facts.command}\``,
    "",
    "## Table 1: the whole pipeline",
    "",
    "Every cell: **paper / ours**. *The paper's way*: compressed layers' weights only, 32 bits " +
      "per weight before; after = weight codes + relative indices (fillers included) + a 2^b × 32-bit " +
      "codebook per layer, Huffman-coded; biases, headers and Huffman tables left out (as the paper " +
      "does). *True bytes*: every parameter (biases included) as float32 against every byte of the " +
      "`.dcnpi` file (headers, Huffman tables, biases, padding). Sizes in decimal units (1 KB = 1000 " +
      "B), as the paper.",
    "",
    table1(measured.map((m) => m.table1)),
    "",
    "## Targets",
    "",
    targetsBlock(checks),
    "",
  ];
  if (missed.length === 0) lines.push("Every target was met.");
  else {
    lines.push(`**${missed.length} target(s) missed.** What the measurements say about why:`, "");
    for (const c of missed)
      lines.push(
        missedTargetText(
          c,
          measured.find((x) => x.model === c.model)!,
          outcomes,
        ),
      );
  }
  blocks.push({ kind: "markdown", text: lines.join("\n") });
  // The third column for LeNets without a beyond twin (whose section already has it).
  const alone = outcomes.filter((o): o is LenetOutcome => o.kind === "lenet" && !beyond.some((b) => b.model === o.model));
  if (alone.length > 0) blocks.push({ kind: "markdown", text: reencodedText(alone) });
  if (beyond.length > 0) blocks.push({ kind: "markdown", text: beyondText(beyond) });
  for (const o of outcomes) blocks.push(...(o.kind === "lenet" ? await lenetBlocks(o) : await imagenetBlocks(o)));
  blocks.push({ kind: "markdown", text: errataText(facts) });
  return blocks;
}

function runFactsText(facts: RunFacts): string {
  return (
    `Mode **${facts.mode}**, seed ${facts.seed}, backend ${facts.backend}, ${facts.cores} cores ` +
    `(${facts.cpu}), Node ${facts.node}, commit ${facts.gitCommit.slice(0, 12)}${facts.gitDirty ? " (uncommitted changes)" : ""}. ` +
    `This invocation took ${secs(facts.wallSeconds)}; the stages took ${secs(facts.computeSeconds)} ` +
    "when computed." +
    (facts.earlierInvocations.length === 0
      ? ""
      : ` Earlier invocations of this run directory: ${facts.earlierInvocations.map((i) => `${i.startedAt} (${secs(i.wallSeconds)})`).join(", ")}.`) +
    " " +
    `Load average: ${facts.load.atStart.toFixed(2)} at start, mean ${facts.load.mean.toFixed(2)}, ` +
    `max ${facts.load.max.toFixed(2)} over ${facts.load.samples} samples (other jobs share this ` +
    `machine). Peak memory ${facts.maxResidentMB} MB.`
  );
}

/** Why a missed target was missed, as far as the measurements tell. */
function missedTargetText(c: TargetCheck, m: ReturnType<typeof measuredOf>, outcomes: readonly ModelOutcome[]): string {
  if (c.target.includes("error")) {
    const o = outcomes.find((x) => x.kind === "lenet" && x.model === c.model) as LenetOutcome | undefined;
    const dense = m.table1.denseError;
    const last = o?.compress.report.metrics ?? [];
    const trail = last.map((s) => `${s.stage} ${pct(s.value)}`).join(" → ");
    return (
      `- ${PAPER_TABLE_1[c.model].network}, error: the dense model trained here reached ${dense === null ? "?" : pct(dense)} ` +
      `(paper ${PAPER_TABLE_1[c.model].referenceTop1Percent}%); ` +
      `through the stages: ${trail}.` +
      (dense !== null && dense > PAPER_TABLE_1[c.model].referenceTop1Percent / 100
        ? " The dense baseline itself is above the target, so the training budget of this mode (see the recipe) is the limit; --full trains longer."
        : " The compression stages cost accuracy the retraining did not win back.")
    );
  }
  const table = PAPER_LAYER_TABLES[c.model];
  const rows = rowsImpliedRate(table, "ratePQHPercent");
  const erratum = table.errata.find((e) => e.cell === "Total compress rate P+Q+H");
  return (
    `- ${PAPER_TABLE_1[c.model].network}, size: the largest differences from the paper's per-layer ` +
    `figures, in bits over the whole layer: ${explainSize(c.model, m.layers)}. The paper's own per-layer ` +
    `rates add up to ${(100 * rows).toFixed(2)}% ` +
    `(${(1 / rows).toFixed(1)}x), against our ${((100 * m.table1.paperCompressedBytes) / m.table1.paperDenseBytes).toFixed(2)}%` +
    (erratum === undefined
      ? ""
      : `; the printed Total (${erratum.printed}%) that the target comes from is inconsistent with those rows (see the errata)`) +
    "."
  );
}

/** The paper's errata, our deviations from it, and where the time went. */
function errataText(facts: RunFacts): string {
  return [
    "## Paper errata kept as printed",
    "",
    ...Object.values(PAPER_LAYER_TABLES).flatMap((t) =>
      t.errata.map((e) => `- ${t.title} (${t.table}), ${e.cell}: printed ${e.printed}; ${e.why}.`),
    ),
    ...PAPER_TEXT_ERRATA.map((e) => `- ${e}`),
    "",
    "## Deviations from the paper",
    "",
    "- One of the 2^b codes of a pruned layer is the exact zero of pruned slots and fillers, so " +
      "k-means fits 2^b − 1 centroids (the paper does not say how fillers are told apart).",
    "- Relative indices run output-major (Caffe's [out, in] and [out, in, kh, kw], as the paper's " +
      'reference decoder; `indexOrder: "caffe"` for the LeNets, whose tfjs kernels are stored transposed ' +
      "in the file). LeNet-5's ip1 is fed by a Flatten, which tfjs does channels last: its kernel is walked as " +
      "[4, 4, 50, 500] and stored as Caffe's [500, 50, 4, 4] (`indexView`), so each row's inputs run channel " +
      "first as in the paper's model (run directories from before this change stored them row, column, " +
      "channel). No row pointers are stored.",
    "- Iterative pruning moves geometrically in density to the paper's per-layer fraction (by magnitude, " +
      "a fixed count per layer) instead of hand-chosen quality × σ thresholds per iteration.",
    '- LeNet dense training uses Adam with a cosine schedule instead of Caffe\'s SGD "inv" schedule ' +
      "(see each recipe). Retraining after pruning starts at half the dense peak rate, not the paper's " +
      "1/10: with Adam, 1/10 recovered far too slowly in the time budget (measured: 2.2% error against " +
      "1.7% for the same LeNet-300-100 schedule). Pruning is gradual (several short cycles, a longer " +
      "last one), which the paper does not specify.",
    "- Errors are top-1 on the 10,000 MNIST test images; there is no top-5 for MNIST and no accuracy at all for the synthetic AlexNet / VGG-16.",
    "",
    "## Where the time went",
    "",
    timingTable(facts),
    ...(facts.resumedStages.length > 0 ? ["", `Read back from an earlier invocation (resumed): ${facts.resumedStages.join(", ")}.`] : []),
  ].join("\n");
}
