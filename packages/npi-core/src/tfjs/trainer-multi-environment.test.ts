// Two environments in one model: steps that draw only one environment's programs must train (the
// other encoder sits the step out) and leave the other encoder exactly as it was.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { InvocationDataset } from "../invocation-dataset.js";
import { defineTask } from "../task.js";
import { recordTrace } from "../trace.js";
import { useEngine } from "../testing/setup-engine.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { createNpiModel } from "./npi-model.js";
import { NpiTrainer } from "./trainer.js";

useEngine();

// The tally task again, on an environment of its own (a different encoder and memory namespace).
const otherTally = defineTask({
  ...tallyTask,
  name: "other-tally",
  environment: "other-tally",
  programs: tallyTask.programs.map(({ memoryName: _m, ...p }) => p),
});

describe("NpiTrainer with several environments", () => {
  it("trains when a step reaches only one environment's encoder, and leaves the other one untouched", () => {
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 1 });
    model.addTask(otherTally);
    expect(model.programNames().filter((n) => n.startsWith("other-tally/"))).toEqual(["other-tally/TALLY", "other-tally/MARK"]);
    const dataset = new InvocationDataset(model);
    for (let target = 0; target < 4; target++) dataset.addTrace(tallyTask, recordTrace(tallyTask, tallyTask.createEnvironment(target)));
    const other = model.parameters({ encoders: ["other-tally"] });
    expect(other.length).toBeGreaterThan(0);
    const before = other.map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));
    const trainer = new NpiTrainer(model, dataset, { seed: 2, curriculum: false });
    const first = trainer.trainStep().loss;
    let last = first;
    for (let i = 0; i < 20; i++) last = trainer.trainStep().loss;
    expect(last).toBeLessThan(first);
    other.forEach((p, i) => expect(Array.from(p.variable.dataSync() as Float32Array), p.name).toEqual(Array.from(before[i]!)));
    const tensors = tf.memory().numTensors;
    trainer.trainStep();
    expect(tf.memory().numTensors).toBe(tensors);
    trainer.dispose();
    model.dispose();
  });
});
