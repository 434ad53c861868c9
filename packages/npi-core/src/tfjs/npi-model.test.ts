import * as tf from "@tensorflow/tfjs-core";
import { WeightMap, float32 } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { runPrograms } from "../run-loop.js";
import { defineTask } from "../task.js";
import type { StepRequest } from "../run-loop.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { useEngine } from "../testing/setup-engine.js";
import { createNpiModel } from "./npi-model.js";

useEngine();

describe("NpiModel", () => {
  it("exposes every parameter as a named, ordered weight map", () => {
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 1 });
    const weights = model.weights();
    expect(weights.names()).toEqual([
      "encoder/tally/hidden0/kernel",
      "encoder/tally/hidden0/bias",
      "encoder/tally/output/kernel",
      "encoder/tally/output/bias",
      "fusion/hidden/kernel",
      "fusion/hidden/bias",
      "fusion/output/kernel",
      "fusion/output/bias",
      "core/lstm0/kernel",
      "core/lstm0/recurrent_kernel",
      "core/lstm0/bias",
      "core/lstm1/kernel",
      "core/lstm1/recurrent_kernel",
      "core/lstm1/bias",
      "decoder/end/kernel",
      "decoder/end/bias",
      "decoder/programKey/kernel",
      "decoder/programKey/bias",
      "decoder/argument0/kernel",
      "decoder/argument0/bias",
      "decoder/argument1/kernel",
      "decoder/argument1/bias",
      "decoder/argument2/kernel",
      "decoder/argument2/bias",
      "memory/programKeys",
      "memory/programEmbeddings",
      "memory/noCallKey",
    ]);
    // observation 3 + one-hot arguments 3 x 2.
    expect(weights.get("encoder/tally/hidden0/kernel").shape).toEqual([9, 16]);
    expect(weights.get("core/lstm1/recurrent_kernel").shape).toEqual([32, 128]);
    expect(weights.get("memory/programKeys").shape).toEqual([3, 8]);
    expect(weights.entry("core/lstm0/recurrent_kernel").info).toEqual({
      layer: "core/lstm0",
      layerClass: "LSTM",
      role: "recurrent_kernel",
    });
    expect(model.programNames()).toEqual(["tally/TALLY", "tally/MARK", "ACT"]);
    const total = [...weights].reduce((a, w) => a + w.tensor.data.length, 0);
    expect(model.parameters().reduce((a, p) => a + p.variable.size, 0)).toBe(total);
    model.dispose();
  });

  it("is deterministic for a seed and round-trips weights through setWeights", () => {
    const a = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 7 });
    const b = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 7 });
    const c = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 8 });
    const wa = a.weights();
    expect([...b.weights()].map((w) => Array.from(w.tensor.data))).toEqual([...wa].map((w) => Array.from(w.tensor.data)));
    expect(Array.from(c.weights().get("core/lstm0/kernel").data)).not.toEqual(Array.from(wa.get("core/lstm0/kernel").data));
    c.setWeights(wa, { complete: true });
    expect([...c.weights()].map((w) => Array.from(w.tensor.data))).toEqual([...wa].map((w) => Array.from(w.tensor.data)));
    expect(() => c.setWeights(new WeightMap().add("core/lstm9/kernel", float32([1], [0])))).toThrow(/no weight "core\/lstm9\/kernel"/);
    expect(() => c.setWeights(new WeightMap().add("memory/programKeys", float32([2, 8], new Array(16).fill(0))))).toThrow(
      /is \[3,8\] in the model, \[2,8\] given/,
    );
    expect(() => c.setWeights(new WeightMap().add("fusion/hidden/bias", float32([32], new Array(32).fill(0))), { complete: true })).toThrow(
      /missing weight/,
    );
    [a, b, c].forEach((m) => m.dispose());
  });

  it("adds a program as one more memory row, and selects parameters for freezing", () => {
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 1 });
    const row = model.addProgram("tally/EXTRA");
    expect(row).toBe(3);
    expect(model.weights().get("memory/programEmbeddings").shape).toEqual([4, 8]);
    expect(model.parameters({ programs: ["tally/EXTRA"] }).map((p) => p.name)).toEqual([
      "memory/programKeys/tally/EXTRA",
      "memory/programEmbeddings/tally/EXTRA",
    ]);
    expect(model.parameters({ groups: ["core"] }).map((p) => p.name)).toHaveLength(6);
    expect(model.parameters({ encoders: ["tally"] }).every((p) => p.name.startsWith("encoder/tally/"))).toBe(true);
    expect(() => model.parameters({ programs: ["tally/NOPE"] })).toThrow(/no program "tally\/NOPE"/);
    model.dispose();
  });

  it("holds several tasks with one shared ACT row when they are given at creation", () => {
    const echoTask = defineTask<{ n: number }, number>({
      name: "echo",
      rootProgram: "ECHO",
      observationShape: [1],
      argumentSizes: [1, 1, 1],
      encoder: { kind: "mlp", hiddenSizes: [4] },
      programs: [
        { name: "ECHO", teach: (t) => t.act([0, 0, 0], { end: true }) },
        { name: "ACT", act: true },
      ],
      createEnvironment: () => ({ n: 0 }),
      observe: (env) => Float32Array.of(env.n),
      act: (env) => void env.n++,
      isSolved: (_, env) => env.n === 1,
      randomInput: () => 0,
    });
    const model = createNpiModel({ tasks: [tallyTask, echoTask], config: SMALL_CONFIG, seed: 1 });
    expect(model.programNames().filter((name) => name === "ACT")).toHaveLength(1);
    expect(model.programNames()).toEqual(["tally/TALLY", "tally/MARK", "ACT", "echo/ECHO"]);
    model.dispose();
  });

  it("steps many frames at once exactly as one at a time, without leaking tensors", () => {
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 3 });
    const requests: StepRequest[] = [0, 1, 2, 3].map((k) => ({
      environment: "tally",
      observation: Float32Array.from([k % 2, 1 - (k % 2), k > 1 ? 1 : 0]),
      program: k % 2,
      args: [k % 2, 0, 0],
      state: undefined,
    }));
    const before = tf.memory().numTensors;
    const batched = model.step(requests);
    const next = model.step(requests.map((r, i) => ({ ...r, state: batched[i]!.state })));
    requests.forEach((r, i) => {
      const single = model.step([r])[0]!;
      expect(single.call).toBe(batched[i]!.call);
      expect(single.args).toEqual(batched[i]!.args);
      expect(single.endProbability).toBeCloseTo(batched[i]!.endProbability, 5);
      const second = model.step([{ ...r, state: single.state }])[0]!;
      expect(second.endProbability).toBeCloseTo(next[i]!.endProbability, 5);
    });
    const results = runPrograms(
      model,
      [0, 1, 2].map((t) => ({ task: tallyTask, env: tallyTask.createEnvironment(t) })),
      { maxSteps: 30 },
    );
    expect(results.every((r) => r.steps > 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
