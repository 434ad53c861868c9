import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { defineTask, type Task } from "../task.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { useEngine } from "../testing/setup-engine.js";
import { NpiError } from "../errors.js";
import { checkCheckpointWeights, readCheckpoint, writeCheckpoint } from "../node/checkpoint.js";
import { checkWeightShapes, createNpiModel, expectedNpiWeightShapes } from "./npi-model.js";

useEngine();

// A second environment with a custom encoder (a conv kernel and a dense layer) and programs of its own.
const customTask: Task = defineTask<{ n: number }, number>({
  ...(tallyTask as unknown as Parameters<typeof defineTask<{ n: number }, number>>[0]),
  name: "custom",
  environment: "custom",
  rootProgram: "CTALLY",
  observationShape: [2, 2],
  encoder: {
    kind: "custom",
    create(context) {
      context.parameter("conv/kernel", [3, 3, 1, 4], "glorot-uniform");
      const k = context.parameter("out/kernel", [4, context.outputSize], "zeros");
      return { encode: (_o, args) => context.linear(args, k) };
    },
  },
  programs: [
    { name: "CTALLY", teach: (t) => t.stop() },
    { name: "ACT", act: true },
    { name: "EXTRA1", teach: (t) => t.stop() },
  ],
}) as Task;

const shapesOf = (model: ReturnType<typeof createNpiModel>, memory: "rows" | "tables") =>
  memory === "rows"
    ? model.parameters().map((p) => ({ name: p.name, shape: [...p.variable.shape] }))
    : [...model.weights()].map(({ name, tensor }) => ({ name, shape: [...tensor.shape] }));

describe("expectedNpiWeightShapes (issue 16: shapes before building)", () => {
  for (const [label, tasks] of [
    ["one MLP task", [tallyTask as Task]],
    ["a custom encoder", [customTask]],
    ["two environments, extra programs", [tallyTask as Task, customTask]],
  ] as const) {
    it(`equals a built model's parameters and weights: ${label}`, () => {
      const model = createNpiModel({ tasks, config: SMALL_CONFIG, seed: 1 });
      try {
        expect(expectedNpiWeightShapes(tasks, SMALL_CONFIG)).toEqual(shapesOf(model, "rows"));
        expect(expectedNpiWeightShapes(tasks, SMALL_CONFIG, { memory: "tables" })).toEqual(shapesOf(model, "tables"));
      } finally {
        model.dispose();
      }
    });
  }

  it("computes a 512-wide model's shapes without building it", () => {
    const before = tf.memory();
    const shapes = expectedNpiWeightShapes([tallyTask as Task], { ...SMALL_CONFIG, lstmSize: 512 });
    // Nothing was built: not one tensor or byte of tfjs memory more.
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(shapes.find((s) => s.name === "core/lstm0/recurrent_kernel")?.shape).toEqual([512, 2048]);
  });

  it("names the missing, extra or misshapen weight and a wrong total", () => {
    const expected = [
      { name: "a", shape: [2, 3] },
      { name: "b", shape: [3] },
    ];
    const run = (found: { name: string; shape: number[] }[]) => () => checkWeightShapes(expected, found, "f");
    expect(run([{ name: "a", shape: [2, 3] }])).toThrow(/f: missing weight "b"/);
    expect(run([...expected.map((e) => ({ ...e, shape: [...e.shape] })), { name: "c", shape: [1] }])).toThrow(/"c" the model config/);
    expect(run([{ name: "a", shape: [2, 4] }])).toThrow(/"a" is \[2,4\], the model config implies \[2,3\]/);
    expect(
      run([
        { name: "a", shape: [2, 3] },
        { name: "a", shape: [2, 3] },
      ]),
    ).toThrow(/appears twice/);
    try {
      run([{ name: "b", shape: [4] }])();
    } catch (error) {
      expect(error).toBeInstanceOf(NpiError);
      expect((error as NpiError).code).toBe("INVALID_WEIGHTS");
    }
  });
});

describe("readCheckpoint with tasks: the manifest is compared with the config before the data is read", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function savedCheckpoint(): string {
    const dir = mkdtempSync(join(tmpdir(), "npi-expected-"));
    dirs.push(dir);
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 1 });
    writeCheckpoint(dir, {
      step: 1,
      model: model.describe(),
      weights: model.weights(),
      optimizer: [],
      trainer: {
        sequencesSeen: 0,
        rng: { key: [1, 2, 3, 4], state: [1, 2, 3, 4] },
        curriculum: { programs: [], probabilities: [] },
        fingerprint: "x",
      },
    });
    model.dispose();
    return dir;
  }
  const edit = (dir: string, change: (manifest: { weights: { name: string; shape: number[] }[] }) => void) => {
    const file = join(dir, "checkpoint.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    change(manifest);
    writeFileSync(file, JSON.stringify(manifest));
  };
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return [(error as NpiError).name, (error as NpiError).code, (error as Error).message];
    }
    return undefined;
  };

  it("reads a valid checkpoint as before", () => {
    const dir = savedCheckpoint();
    expect(readCheckpoint(dir, { tasks: [tallyTask] }).weights.names()).toEqual(readCheckpoint(dir).weights.names());
  });

  it("checks the data file's size before reading it", () => {
    const dir = savedCheckpoint();
    writeFileSync(join(dir, "checkpoint-1.bin"), new Uint8Array(12));
    expect(() => readCheckpoint(dir)).toThrow(/data file has 12 bytes, expected [0-9]+/);
  });

  it("refuses one weight's changed shape, naming it", () => {
    const dir = savedCheckpoint();
    edit(dir, (m) => {
      m.weights.find((w) => w.name === "fusion/output/kernel")!.shape = [32, 64];
    });
    // The data file is removed: the check must not need it.
    rmSync(join(dir, "checkpoint-1.bin"));
    const [name, code, message] = codeOf(() => readCheckpoint(dir, { tasks: [tallyTask] }))!;
    expect([name, code]).toEqual(["NpiError", "INVALID_WEIGHTS"]);
    expect(message).toMatch(/"fusion\/output\/kernel" is \[32,64\], the model config implies \[32,32\]/);
  });

  it("refuses a missing weight, naming it", () => {
    const dir = savedCheckpoint();
    edit(dir, (m) => {
      m.weights = m.weights.filter((w) => w.name !== "decoder/end/bias");
    });
    const manifestError = codeOf(() => readCheckpoint(dir, { tasks: [tallyTask] }))!;
    expect(manifestError.slice(0, 2)).toEqual(["NpiError", "INVALID_WEIGHTS"]);
    expect(manifestError[2]).toMatch(/missing weight "decoder\/end\/bias"/);
  });

  it("refuses a config that implies other sizes than the weights (lstmSize 512, weights of 32)", () => {
    const dir = savedCheckpoint();
    const file = join(dir, "checkpoint.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    manifest.model.config.lstmSize = 512;
    writeFileSync(file, JSON.stringify(manifest));
    expect(() => checkCheckpointWeights(manifest, [tallyTask], dir)).toThrow(/the model config implies \[[0-9]+,512\]/);
  });
});
