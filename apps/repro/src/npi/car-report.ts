import { markdownTable, renderVegaLiteSvg, type ReportBlock } from "@dcnpi/report-kit";
import { DEFAULT_MODEL_CONFIG } from "@dcnpi/npi-core/tfjs";
import type { ProblemsEvaluation } from "@dcnpi/npi-core";
import type { CarResults } from "./run-car.js";
import { PAPER_TABLE1 } from "./table1-report.js";

const percent = (k: number, n: number) => (n === 0 ? "–" : `${((100 * k) / n).toFixed(1)}%`);
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

/** "correct/problems (xx.x%)". */
export function accuracyText(e: Pick<ProblemsEvaluation, "correct" | "problems">): string {
  return `${percent(e.correct, e.problems)} (${e.correct}/${e.problems})`;
}

function failures(e: ProblemsEvaluation): string {
  const counts: Record<string, number> = {};
  for (const g of e.groups) for (const [s, n] of Object.entries(g.statuses)) counts[s] = (counts[s] ?? 0) + n;
  const returnedWrong = (counts["returned"] ?? 0) - e.correct;
  const parts = Object.entries(counts)
    .filter(([s, n]) => s !== "returned" && n > 0)
    .map(([s, n]) => `${n} ${s}`);
  if (returnedWrong > 0) parts.unshift(`${returnedWrong} returned off target`);
  return parts.join(", ") || "–";
}

/** The car section of the `repro npi` report: accuracies, per path length, pictures. */
export async function carReportBlocks(car: CarResults): Promise<ReportBlock[]> {
  return [
    { kind: "markdown", text: accuracyTableText(car) },
    { kind: "markdown", text: byPathLengthText(car) },
    await accuracyByMovesFigure(car),
    ...pictureBlocks(car),
    { kind: "markdown", text: oursText(car) },
    {
      kind: "markdown",
      text:
        `Training wall time: pixels ${minutes(car.pixels.training.wallSeconds)} (${car.pixels.training.steps} ` +
        `steps), pose oracle ${minutes(car.oracle.training.wallSeconds)} (${car.oracle.training.steps} steps).`,
    },
  ];
}

/** The accuracy table of the pixel model and the pose oracle, with how the problems were drawn. */
function accuracyTableText(car: CarResults): string {
  const { pixels, oracle, recipe, problems } = car;
  const rows = [
    [
      "pixels (CNN encoder), seen cars",
      accuracyText(pixels.evaluation.seen),
      percent(pixels.evaluation.seen.traceExact, pixels.evaluation.seen.problems),
      failures(pixels.evaluation.seen),
      `${PAPER_TABLE1.carSeen[0]}%`,
    ],
    [
      "pixels (CNN encoder), unseen cars",
      accuracyText(pixels.evaluation.unseen),
      percent(pixels.evaluation.unseen.traceExact, pixels.evaluation.unseen.problems),
      failures(pixels.evaluation.unseen),
      `${PAPER_TABLE1.carUnseen[0]}%`,
    ],
    [
      "pose oracle (ablation), seen cars",
      accuracyText(oracle.evaluation.seen),
      percent(oracle.evaluation.seen.traceExact, oracle.evaluation.seen.problems),
      failures(oracle.evaluation.seen),
      "–",
    ],
    [
      "pose oracle (ablation), unseen cars",
      accuracyText(oracle.evaluation.unseen),
      percent(oracle.evaluation.unseen.traceExact, oracle.evaluation.unseen.problems),
      failures(oracle.evaluation.unseen),
      "–",
    ],
  ];
  return (
    `## 3D car canonicalisation — **synthetic** (procedural meshes) (paper §4.1, Table 1 single-task)\n\n` +
    `**Synthetic car canonicalisation (procedural meshes)**: our own low-poly cars and renderer, ` +
    `not the paper's CAD renders; the paper's numbers are shown for orientation only, not as a like-for-like ` +
    `comparison (the rendering domain differs, and ours is easier to read: see the car-world README).\n\n` +
    `${recipe.split.trainCars} seen cars ("train" split seeds): ${problems.training} (car, start ` +
    `pose) training traces, ${Math.round(recipe.split.trainStartFraction * 100)}% of each car's ` +
    `55 start poses; the other start poses of the same cars are the **seen** test (${problems.seenTest} ` +
    `problems, new trajectories). **Unseen**: ${recipe.split.unseenCars} cars of the "test" split ` +
    `from all 55 start poses (${problems.unseenTest} problems). Start azimuth −75°…75°, elevation ` +
    `0°…60°, target (0°, 15°); GOTO paths of 0–${recipe.split.maxPathLength} moves. Images ${recipe.imageSize}×${recipe.imageSize} ` +
    `(the paper: 128×128). The model sees only the image and the target pad; the pose oracle sees ` +
    `the true current pose instead of the image.\n\n` +
    markdownTable(["model", "per-sequence accuracy", "trace exact", "failures", "paper"], rows) +
    `\n\nA problem is correct when GOTO returns on its own within twice the teacher's steps and ` +
    `the camera ends at the target (the verifier replays the trace).`
  );
}

function byPathLengthText(car: CarResults): string {
  const { pixels, oracle } = car;
  const byLength = (e: ProblemsEvaluation) => new Map(e.groups.map((g) => [g.group, g]));
  const lengths = [...new Set([...pixels.evaluation.unseen.groups, ...pixels.evaluation.seen.groups].map((g) => g.group))].sort(
    (a, b) => a - b,
  );
  const seen = byLength(pixels.evaluation.seen);
  const unseen = byLength(pixels.evaluation.unseen);
  const oSeen = byLength(oracle.evaluation.seen);
  const oUnseen = byLength(oracle.evaluation.unseen);
  const cell = (g: { correct: number; problems: number } | undefined) =>
    g === undefined ? "–" : `${percent(g.correct, g.problems)} of ${g.problems}`;
  return (
    `### By GOTO path length (moves)\n\n` +
    markdownTable(
      ["moves", "pixels, seen", "pixels, unseen", "oracle, seen", "oracle, unseen"],
      lengths.map((l) => [l, cell(seen.get(l)), cell(unseen.get(l)), cell(oSeen.get(l)), cell(oUnseen.get(l))]),
    )
  );
}

async function accuracyByMovesFigure(car: CarResults): Promise<ReportBlock> {
  const { pixels, oracle } = car;
  return {
    kind: "figure",
    name: "car-accuracy-by-moves",
    title: "Car canonicalisation (synthetic): per-sequence accuracy by path length",
    caption: "Pixels (CNN encoder) and the pose oracle, seen and unseen cars.",
    svg: await renderVegaLiteSvg({
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: 480,
      height: 240,
      data: {
        values: [
          ...pixels.evaluation.seen.groups.map((g) => ({ moves: g.group, accuracy: g.correct / g.problems, series: "pixels, seen cars" })),
          ...pixels.evaluation.unseen.groups.map((g) => ({
            moves: g.group,
            accuracy: g.correct / g.problems,
            series: "pixels, unseen cars",
          })),
          ...oracle.evaluation.unseen.groups.map((g) => ({
            moves: g.group,
            accuracy: g.correct / g.problems,
            series: "pose oracle, unseen cars",
          })),
        ],
      },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "moves", type: "quantitative", title: "moves on the teacher's GOTO path" },
        y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: "%" }, title: "runs reaching the target" },
        color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom" } },
      },
    }),
  };
}

function pictureBlocks(car: CarResults): ReportBlock[] {
  return [
    {
      kind: "markdown",
      text:
        `### Pictures\n\nFiles in this run directory: \`${car.pictures.contactSheet.png}\` (one unseen ` +
        `car at all 120 grid poses) and \`${car.pictures.run.png}\` (the frames the pixel model saw ` +
        `on one unseen-car run: ${car.pictures.run.moves.join(" ") || "no moves"}, ` +
        (car.pictures.run.solved ? "reached the target" : `did not reach the target (${car.pictures.run.status})`) +
        ").",
    },
    {
      kind: "figure",
      name: "car-contact-sheet",
      title: "One synthetic car at every grid pose",
      caption: `The PNG is ${car.pictures.contactSheet.png}.`,
      svg: car.pictures.contactSheet.svg,
    },
    {
      kind: "figure",
      name: "car-run",
      title: "Frames of one canonicalisation run by the trained model",
      caption: `The PNG is ${car.pictures.run.png}.`,
      svg: car.pictures.run.svg,
    },
  ];
}

function oursText(car: CarResults): string {
  const { recipe } = car;
  const m = { ...DEFAULT_MODEL_CONFIG, ...recipe.pixels.model };
  return (
    `### Car: what is ours, not the paper's\n\n` +
    [
      `- Synthetic cars and renderer (car-world README); ${recipe.imageSize}×${recipe.imageSize} ` +
        `images with 2×2 antialiasing, no background or lighting jitter.`,
      `- CNN: three 3×3 convolutions with stride 2 and ReLU (16, 32, 32 channels), no pooling; its ` +
        `features with the target pad and one-hot arguments through a ReLU layer of 128 to the state ` +
        `(${m.stateSize}). Trained from scratch with the rest of the model (as the paper). Core ${m.lstmLayers}×${m.lstmSize} ` +
        `LSTM (the paper's).`,
      `- Splits: seen cars are the first ${recipe.split.trainCars} "train" seeds with ${Math.round(recipe.split.trainStartFraction * 100)}% ` +
        `of start poses for training; unseen cars the first ${recipe.split.unseenCars} "test" seeds; ` +
        `validation (stopping rule only) draws from ${recipe.split.validationCars} "validation" cars.`,
      `- Training: at most ${recipe.pixels.maxSteps} steps for pixels, ${recipe.oracle.maxSteps} ` +
        `for the oracle; the same optimiser, batching and curriculum as addition and sorting (below).`,
      `- LGOTO/RGOTO/UGOTO/DGOTO put the end flag on the move that reaches the target; the pose oracle is our ablation.`,
    ].join("\n")
  );
}
