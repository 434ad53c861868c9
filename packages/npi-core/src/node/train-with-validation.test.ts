import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateProblems, solvedFraction, stepBudget } from "../evaluate-problems.js";
import { InvocationDataset } from "../invocation-dataset.js";
import { useEngine } from "../testing/setup-engine.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { createNpiModel } from "../tfjs/npi-model.js";
import { NpiTrainer } from "../tfjs/trainer.js";
import { TRAINING_STATE_FILE, readTrainingState, trainWithValidation, type TrainingEvent } from "./train-with-validation.js";

useEngine();

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "npi-validated-"));
  dirs.push(dir);
  return dir;
}

const validation = [{ task: tallyTask, inputs: [0, 2, 4, 6, 9] }];
const settings = { maxSteps: 200, checkEverySteps: 20, stopAfterPerfectChecks: 2 };

function run(dir: string, overrides: Partial<typeof settings> = {}) {
  const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 11 });
  const dataset = new InvocationDataset(model).addTeacherTraces(tallyTask, [0, 1, 2, 3, 4, 5, 6]);
  const trainer = new NpiTrainer(model, dataset, {
    seed: 5,
    batchSize: 8,
    programsPerStep: 2,
    stepsPerBatch: 0,
    learningRate: { initial: 1e-2, factor: 0.95, everySteps: 50 },
    curriculum: { everySteps: 10, samplesPerProgram: 8 },
  });
  const events: TrainingEvent[] = [];
  const result = trainWithValidation({ trainer, validation, ...settings, ...overrides, dir, onEvent: (e) => events.push(e) });
  const weights = [...model.weights()].map((w) => Array.from(w.tensor.data));
  return { model, trainer, result, events, weights };
}

describe("trainWithValidation", () => {
  it("trains until the stopping rule, then a model that solves every validation problem (checked independently)", () => {
    const dir = tempDir();
    const { model, trainer, result, events } = run(dir);
    const { state } = result;
    expect(result.resumedFrom).toBeNull();
    expect(state.status).toBe("finished");
    expect(state.step).toBeLessThan(settings.maxSteps);
    expect(state.step % settings.checkEverySteps).toBe(0);
    // The last two checks were perfect, and the state file on disk says the same.
    expect(state.validation.slice(-2).map((v) => [v.accuracy, v.teacherForcedError])).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(readTrainingState(dir)).toEqual(state);
    expect(events.filter((e) => e.event === "validation")).toHaveLength(state.validation.length);
    expect(solvedFraction(model, tallyTask, validation[0]!.inputs)).toBe(1);
    const judged = evaluateProblems(model, tallyTask, [3, 7, 12, 12], { groupOf: (n) => n, batchSize: 3 });
    expect(judged.groups.map((g) => [g.group, g.problems, g.correct])).toEqual([
      [3, 1, 1],
      [7, 1, 1],
      [12, 2, 2],
    ]);
    expect(judged.traceExact).toBe(4);
    // Trace-exact runs take exactly the teacher's steps: (budget - 20) / 2 each.
    expect(judged.groups[2]!.modelSteps).toBe(2 * ((stepBudget(tallyTask, 12) - 20) / 2));
    trainer.dispose();
    model.dispose();
  });

  it("resumes a killed run from its last check and ends with exactly the weights of an uninterrupted run", () => {
    const whole = run(tempDir());
    const dir = tempDir();
    const first = run(dir, { maxSteps: 40 });
    expect(first.result.state.step).toBe(40);
    first.trainer.dispose();
    first.model.dispose();
    const resumed = run(dir);
    expect(resumed.result.resumedFrom).toBe(40);
    expect(resumed.events[0]).toEqual({ event: "resume", step: 40, finished: false });
    expect(resumed.result.state.step).toBe(whole.result.state.step);
    expect(resumed.weights).toEqual(whole.weights);
    // Started again once finished: nothing more is trained.
    const again = run(dir);
    expect(again.events).toEqual([{ event: "resume", step: whole.result.state.step, finished: true }]);
    for (const r of [whole, resumed, again]) {
      r.trainer.dispose();
      r.model.dispose();
    }
  });

  it("repairs a state file that lags its checkpoint (killed between the two writes): the checkpoint is the truth", () => {
    const dir = tempDir();
    const first = run(dir, { maxSteps: 20 });
    first.trainer.dispose();
    first.model.dispose();
    const stale = JSON.parse(readFileSync(join(dir, TRAINING_STATE_FILE), "utf8"));
    writeFileSync(join(dir, TRAINING_STATE_FILE), JSON.stringify({ ...stale, step: 0, validation: [] }));
    const resumed = run(dir, { maxSteps: 40 });
    expect(resumed.result.resumedFrom).toBe(20);
    expect(resumed.result.state.step).toBe(40);
    expect(resumed.result.state.validation.map((v) => v.step)).toEqual([40]);
    resumed.trainer.dispose();
    resumed.model.dispose();
  });

  it("refuses a state file that is not one, naming the file", () => {
    const dir = tempDir();
    const first = run(dir, { maxSteps: 20 });
    first.trainer.dispose();
    first.model.dispose();
    writeFileSync(join(dir, TRAINING_STATE_FILE), '{"version": 1, "step": "twenty"}');
    expect(() => run(dir)).toThrow(/train-state\.json: not a training state file/);
  });
});
