import { countTraceSteps, recordTrace, runBudget, runProgram, type ExecutionLogEntry } from "@dcnpi/npi-core";
import { writeFileAtomic } from "@dcnpi/run-kit";
import { carRunPicture, type CarEnv, type CarInput } from "@dcnpi/npi-envs";
import type { CliIo } from "./cli-program.js";
import { drawFrame, formatStepLine } from "./execution-view.js";
import { checkTask, loadModel } from "./model-store.js";
import { carImageSizeOf, taskEntry, type TaskName } from "./tasks.js";

export interface RunCommandOptions {
  readonly file: string;
  readonly task: TaskName;
  /** The task's problem, as its entry's `parseInput` gives it. */
  readonly input: unknown;
  readonly json: boolean;
  /** Car task: also write the frames of the run (one per pose visited, labelled) as an SVG page here. */
  readonly frames?: string;
  /** Pause per step when drawing on a terminal; default: about 8 s in total, at most 150 ms a step. */
  readonly delayMs: number | undefined;
  readonly io: CliIo;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** The RUN loop is synchronous: a blocking pause between steps keeps the drawing in step with it. */
function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * `npi run`: executes the task's root program from a compressed (or dense) model. On a terminal the
 * call stack, the step's decision and the scratch pad are redrawn in place after every step; otherwise
 * one plain line per step; with `--json` the raw execution log and the result.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const { io } = options;
  const loaded = await loadModel(options.file);
  try {
    checkTask(loaded, options.task);
    const { task, model } = loaded;
    const entry = taskEntry(options.task);
    const env = task.createEnvironment(options.input);
    const teacherSteps = countTraceSteps(recordTrace(task, task.createEnvironment(options.input), { observations: false }));
    const { maxSteps, maxDepth } = runBudget(task, options.input);
    const problem = task.formatInput?.(options.input) ?? "";
    const source = `${loaded.kind === "compressed" ? "compressed" : "dense"} ${loaded.source} (${loaded.storedBytes} bytes)`;
    const live = !options.json && io.isTTY;
    const delay = options.delayMs ?? Math.min(150, Math.floor(8000 / Math.max(1, teacherSteps)));
    let drawnLines = 0;
    const draw = (lines: string[]) => {
      // Back to the top of the previous frame, clear to the end of the screen, draw.
      io.out(`${drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[0J` : ""}${lines.join("\n")}\n`);
      drawnLines = lines.length;
    };
    if (!options.json) {
      io.out(`${task.name} ${problem} — ${source}\n`);
      if (!live) io.out(`${entry.drawPad(task.snapshot?.(env)).join("\n")}\n`);
    }
    const onStep = options.json
      ? undefined
      : (_: number, step: ExecutionLogEntry) => {
          if (live) {
            draw(drawFrame(`step ${step.step + 1} (budget ${maxSteps})`, step, entry.drawPad(step.snapshot)));
            sleep(delay);
          } else {
            io.out(`${formatStepLine(step)}\n`);
          }
        };
    const run = runProgram(
      model,
      { task, env, maxSteps, maxDepth },
      { log: true, snapshots: live, ...(onStep === undefined ? {} : { onStep }) },
    );
    const result = entry.answerOf(env);
    const correct = run.status === "returned" && task.isSolved(options.input, env);
    if (options.frames !== undefined) {
      const { car } = env as CarEnv;
      const { start, carSeed } = options.input as CarInput;
      const picture = carRunPicture(car, start, run.log!, {
        imageSize: carImageSizeOf(task.observationShape)!,
        title: (moves) =>
          `${loaded.kind} model on car ${carSeed} from ${start.azimuthDegrees}°/${start.elevationDegrees}°: ${moves.join(" ") || "no moves"} ` +
          `(${correct ? "reached the target" : "did not reach the target"})`,
      });
      writeFileAtomic(options.frames, picture.svg);
      if (!options.json) io.out(`frames of the run: ${options.frames}\n`);
    }
    if (options.json) {
      const log = run.log!.map(({ snapshot: _snapshot, ...logged }) => logged);
      io.out(
        JSON.stringify({
          task: options.task,
          input: options.input,
          model: { kind: loaded.kind, file: loaded.source, bytes: loaded.storedBytes },
          status: run.status,
          steps: run.steps,
          maxDepth: run.maxDepth,
          result,
          expected: entry.expectedAnswer(options.input, env),
          correct,
          log,
          final: task.snapshot?.(env),
        }) + "\n",
      );
      return;
    }
    if (!live) io.out(`${entry.drawPad(task.snapshot?.(env)).join("\n")}\n`);
    const expected = entry.formatAnswer(entry.expectedAnswer(options.input, env));
    io.out(
      `${run.status === "returned" ? "returned" : `stopped: ${run.status}${run.message ? ` (${run.message})` : ""}`} ` +
        `after ${run.steps} steps (teacher: ${teacherSteps}); ` +
        `result ${entry.formatAnswer(result)} — ${correct ? "correct" : `WRONG (expected ${expected})`}\n`,
    );
  } finally {
    loaded.model.dispose();
  }
}
