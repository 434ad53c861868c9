import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import type { EncoderContext } from "../encoder-spec.js";
import { npiModelDescriptionSchema } from "../model-description-schema.js";
import { defineTask } from "../task.js";
import { SMALL_CONFIG, tallyTask } from "../testing/tally-task.js";
import { useEngine } from "../testing/setup-engine.js";
import { createNpiModel, type ArgumentEncoding } from "./npi-model.js";

// The engine's backend (wasm here): the one whose stock float32 OneHot wrote 1.4e-45 for 1.
useEngine();

const models: { dispose(): void }[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

/** The encoder context the model hands a custom encoder, for a model of `encoding`. */
function contextOf(encoding: ArgumentEncoding | undefined): EncoderContext {
  let captured: EncoderContext | undefined;
  const task = defineTask({
    ...tallyTask,
    name: "probe",
    encoder: {
      kind: "custom",
      create: (context) => {
        captured = context;
        const kernel = context.parameter("k", [3, context.outputSize], "zeros");
        return { encode: (observations) => context.linear(tf.reshape(observations, [-1, 3]) as tf.Tensor2D, kernel) };
      },
    },
  });
  const model = createNpiModel({
    tasks: [task],
    config: { ...SMALL_CONFIG, ...(encoding === undefined ? {} : { argumentEncoding: encoding }) },
    seed: 1,
  });
  models.push(model);
  return captured!;
}

describe("the encoders' view of the arguments (argumentEncoding)", () => {
  it("is one-hot by default, on this backend too (Equal + Cast, not the stock wasm OneHot)", () => {
    expect(tf.getBackend()).toBe("wasm");
    const context = contextOf(undefined);
    const encoded = tf.tidy(() => Array.from(context.encodeArguments(tf.tensor2d([1, 0, 1, 0, 1, 0], [2, 3], "int32")).dataSync()));
    // argumentDepth 2: [1, 0, 1] → 01 10 01, [0, 1, 0] → 10 01 10.
    expect(encoded).toEqual([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
  });

  it("is zeros for `none`, what models trained before the fix saw, whatever the arguments", () => {
    const context = contextOf("none");
    const encoded = tf.tidy(() => Array.from(context.encodeArguments(tf.tensor2d([1, 0, 1], [1, 3], "int32")).dataSync()));
    expect(encoded).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("reads a stored description without the field as `none`, and keeps the field when it is there", () => {
    const model = createNpiModel({ tasks: [tallyTask], config: SMALL_CONFIG, seed: 1 });
    const description = model.describe();
    expect(description.config.argumentEncoding).toBe("one-hot");
    const { argumentEncoding: _dropped, ...old } = description.config;
    const stored = JSON.parse(JSON.stringify({ ...description, config: old }));
    expect(npiModelDescriptionSchema.parse(stored).config.argumentEncoding).toBe("none");
    expect(npiModelDescriptionSchema.parse(JSON.parse(JSON.stringify(description))).config.argumentEncoding).toBe("one-hot");
    expect(() =>
      createNpiModel({ tasks: [tallyTask], config: { ...SMALL_CONFIG, argumentEncoding: "zeros" as ArgumentEncoding }, seed: 1 }),
    ).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", message: expect.stringContaining("argumentEncoding") }));
    model.dispose();
  });
});
