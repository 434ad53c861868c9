import { InvocationDataset, formatTrace, recordTrace, traceActions, verifyTrace, type Invocation } from "@dcnpi/npi-core";
import { buildSequenceBatch, createNpiModel } from "@dcnpi/npi-core/tfjs";
import { initEngine } from "@dcnpi/engine";
import { Rng } from "@dcnpi/tensor";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { CAR_PAD_SIZE, CarFrameCache, carPathLength, carStartInputs, carTask, createCarTask, NpiEnvError, type CarInput } from "./index.js";
import { carSeeds } from "./car-world/car-seeds.js";
import { CameraMove, TARGET_POSE, planCameraMoves, startPoses } from "./car-world/pose-grid.js";

beforeAll(async () => {
  await initEngine({ log: false });
});

const cars = carSeeds({ split: "train", count: 3 });
const small = { stateSize: 16, programEmbeddingSize: 8, programKeySize: 4, fusionHiddenSize: 16, lstmSize: 16, argumentDepth: 4 };

describe("car task: teacher and verifier", () => {
  it("reaches the target from every start pose, with the paper's GOTO path (azimuth first)", () => {
    expect(startPoses()).toHaveLength(55);
    for (const input of carStartInputs(cars)) {
      const env = carTask.createEnvironment(input);
      const trace = recordTrace(carTask, env, { observations: false });
      expect(env.pose).toEqual(TARGET_POSE);
      expect(carTask.isSolved(input, env)).toBe(true);
      expect(verifyTrace(carTask, input, trace)).toEqual({ correct: true, actions: carPathLength(input.start) });
      expect(traceActions(carTask, trace).map((a) => a[0])).toEqual(planCameraMoves(input.start));
    }
  });

  it("calls LGOTO above the target azimuth, RGOTO below, and neither at it", () => {
    const text = (start: CarInput["start"]) =>
      formatTrace(carTask, recordTrace(carTask, carTask.createEnvironment({ carSeed: 0, start }), { observations: false }));
    expect(text({ azimuthDegrees: 30, elevationDegrees: 45 })).toBe(
      [
        "GOTO",
        "  HGOTO",
        "    LGOTO  [end]",
        "      ACT LEFT",
        "      ACT LEFT  [end]",
        "  VGOTO  [end]",
        "    DGOTO  [end]",
        "      ACT DOWN",
        "      ACT DOWN  [end]",
      ].join("\n"),
    );
    expect(text({ azimuthDegrees: -15, elevationDegrees: 0 })).toBe(
      ["GOTO", "  HGOTO", "    RGOTO  [end]", "      ACT RIGHT  [end]", "  VGOTO  [end]", "    UGOTO  [end]", "      ACT UP  [end]"].join(
        "\n",
      ),
    );
    expect(text(TARGET_POSE)).toBe(["GOTO", "  HGOTO", "    (return)  [end]", "  VGOTO  [end]", "    (return)  [end]"].join("\n"));
  });

  it("rejects traces that stop short, overshoot or move the wrong way", () => {
    const input: CarInput = { carSeed: cars[0]!, start: { azimuthDegrees: 30, elevationDegrees: 15 } };
    const trace = recordTrace(carTask, carTask.createEnvironment(input), { observations: false });
    const hgoto = trace.steps[0]!.invocation!;
    const lgoto = hgoto.steps[0]!.invocation!;
    const withMoves = (moves: number[]): Invocation => ({
      ...trace,
      steps: [
        {
          ...trace.steps[0]!,
          invocation: {
            ...hgoto,
            steps: [
              {
                ...hgoto.steps[0]!,
                invocation: {
                  ...lgoto,
                  steps: moves.map((m, i) => ({ call: { program: "ACT", args: [m, 0, 0] as const }, end: i === moves.length - 1 })),
                },
              },
            ],
          },
        },
        trace.steps[1]!,
      ],
    });
    expect(verifyTrace(carTask, input, withMoves([CameraMove.LEFT, CameraMove.LEFT])).correct).toBe(true);
    expect(verifyTrace(carTask, input, withMoves([CameraMove.LEFT])).reason).toBe("wrong final answer");
    expect(verifyTrace(carTask, input, withMoves([CameraMove.LEFT, CameraMove.LEFT, CameraMove.LEFT])).reason).toBe("wrong final answer");
    expect(verifyTrace(carTask, input, withMoves([CameraMove.RIGHT, CameraMove.RIGHT])).reason).toBe("wrong final answer");
    expect(verifyTrace(carTask, input, withMoves([4, 0])).reason).toMatch(/ACT arguments 4,0,0 out of range/);
  });

  it("draws problems by path length from its own cars, deterministically", () => {
    const task = createCarTask({ cars: [7, 9] });
    const draw = (seed: number) => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: 40 }, (_, i) => task.randomInput(rng, i % 9));
    };
    const inputs = draw(3);
    expect(draw(3)).toEqual(inputs);
    inputs.forEach((input, i) => {
      expect([7, 9]).toContain(input.carSeed);
      expect(carPathLength(input.start)).toBe(i % 9);
    });
    expect(() => task.randomInput(Rng.fromSeed(1), 9)).toThrow(/no start pose has a 9-move path/);
    expect(() => task.randomInput(Rng.fromSeed(1), 9)).toThrow(expect.objectContaining({ name: "NpiEnvError", code: "NO_PATH" }));
  });
});

describe("car task: observations", () => {
  it("holds the image in [0, 1] then the target pad, never the current pose", () => {
    const env = carTask.createEnvironment({ carSeed: cars[1]!, start: { azimuthDegrees: -45, elevationDegrees: 30 } });
    const o = carTask.observe(env);
    expect(carTask.observationShape).toEqual([32 * 32 * 3 + CAR_PAD_SIZE]);
    expect(o).toHaveLength(32 * 32 * 3 + 48);
    const pad = Array.from(o.subarray(32 * 32 * 3));
    expect(pad.flatMap((v, i) => (v === 1 ? [i] : []))).toEqual([0, 24 + 1]); // target azimuth bin 0, elevation bin 1
    expect(pad.reduce((a, b) => a + b, 0)).toBe(2);
    const image = o.subarray(0, 32 * 32 * 3);
    expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
    // Moving the camera changes the image and nothing else.
    carTask.act(env, [CameraMove.RIGHT, 0, 0]);
    const after = carTask.observe(env);
    expect(Array.from(after.subarray(32 * 32 * 3))).toEqual(pad);
    expect(after.subarray(0, 32 * 32 * 3)).not.toEqual(image);
  });

  it("renders the same bytes for the same car and pose in any task instance, and caches frames", () => {
    const frames = new CarFrameCache({ size: 16 });
    const a = createCarTask({ frames });
    const b = createCarTask({ imageSize: 16 });
    const input: CarInput = { carSeed: 5, start: { azimuthDegrees: 60, elevationDegrees: 0 } };
    const first = a.observe(a.createEnvironment(input));
    expect(a.observe(a.createEnvironment(input))).toEqual(first);
    expect(b.observe(b.createEnvironment(input))).toEqual(first);
    expect(frames.renders).toBe(1);
    expect(() => createCarTask({ frames, imageSize: 32 })).toThrow(/differs from the frame cache/);
    expect(() => createCarTask({ frames, imageSize: 32 })).toThrow(NpiEnvError);
  });

  it("gives the pose oracle the current pose's one-hots before the target pad", () => {
    const oracle = createCarTask({ observation: "pose-oracle" });
    expect(oracle.environment).toBe("car-pose-oracle");
    const o = oracle.observe(oracle.createEnvironment({ carSeed: 0, start: { azimuthDegrees: -75, elevationDegrees: 60 } }));
    expect(Array.from(o).flatMap((v, i) => (v === 1 ? [i] : []))).toEqual([19, 24 + 4, 48 + 0, 48 + 24 + 1]);
  });
});

describe("car task: encoders", () => {
  it("the CNN encoder maps [n, observation] to [n, stateSize] with gradients to every conv weight, leaking no tensors", () => {
    const task = createCarTask({ imageSize: 16 });
    const model = createNpiModel({ tasks: [task], seed: 1, config: small });
    const encoder = model.parameters({ encoders: ["car"] });
    expect(encoder.map((p) => `${p.name} [${p.variable.shape.join(",")}]`)).toEqual([
      "encoder/car/conv0/kernel [3,3,3,16]",
      "encoder/car/conv0/bias [16]",
      "encoder/car/conv1/kernel [3,3,16,32]",
      "encoder/car/conv1/bias [32]",
      "encoder/car/conv2/kernel [3,3,32,32]",
      "encoder/car/conv2/bias [32]",
      "encoder/car/hidden/kernel [" + (2 * 2 * 32 + 48 + 3 * 4) + ",128]",
      "encoder/car/hidden/bias [128]",
      "encoder/car/output/kernel [128,16]",
      "encoder/car/output/bias [16]",
    ]);
    const before = tf.memory().numTensors;
    const starts = startPoses().slice(0, 5);
    const decisions = model.step(
      starts.map((start) => ({
        environment: "car",
        observation: task.observe(task.createEnvironment({ carSeed: 0, start })),
        program: model.programIndex("car/GOTO")!,
        args: [0, 0, 0] as const,
        state: undefined,
      })),
    );
    expect(decisions).toHaveLength(5);
    expect(new Set(decisions.map((d) => d.endProbability)).size).toBeGreaterThan(1); // the image reaches the decision
    expect(tf.memory().numTensors).toBe(before);
    const dataset = new InvocationDataset(model);
    for (const input of carStartInputs([0]).slice(0, 8)) dataset.addTrace(task, recordTrace(task, task.createEnvironment(input)));
    const batch = buildSequenceBatch(dataset.samplesOf(model.programIndex("car/RGOTO")!), dataset);
    const { value, grads } = tf.variableGrads(
      () => model.trainingLoss(batch).total,
      encoder.map((p) => p.variable),
    );
    for (const p of encoder) expect(tf.max(tf.abs(grads[p.variable.name]!)).dataSync()[0], p.name).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  });
});
