import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TensorError } from "../errors.js";
import { isNamedVariables, variablesByWeightName } from "./weight-target.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const a = tf.variable(tf.zeros([2, 3]), true, "wt/a#1");
const b = tf.variable(tf.zeros([3]), true, "wt/b#1");
afterAll(() => tf.dispose([a, b]));

describe("variablesByWeightName", () => {
  it("names a layers model's variables by their original names, raw variables by variable.name, named variables by their names", () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [3], units: 2, name: "fc1" }));
    expect([...variablesByWeightName(model).keys()]).toEqual(["fc1/kernel", "fc1/bias"]);
    expect([...variablesByWeightName([a, b]).keys()]).toEqual(["wt/a#1", "wt/b#1"]);
    const named = { variables: [a, b], names: { [a.name]: "a" } };
    expect(isNamedVariables(named)).toBe(true);
    expect(isNamedVariables([a, b])).toBe(false);
    expect(isNamedVariables(model)).toBe(false);
    const byName = variablesByWeightName(named);
    expect([...byName.keys()]).toEqual(["a", "wt/b#1"]);
    expect(byName.get("a")).toBe(a);
    model.dispose();
  });

  it("refuses two variables with the same weight name", () => {
    const named = { variables: [a, b], names: { [a.name]: "w", [b.name]: "w" } };
    expect(() => variablesByWeightName(named)).toThrow(TensorError);
    expect(() => variablesByWeightName(named)).toThrow(/"wt\/a#1" and "wt\/b#1" are both named "w"/);
  });
});
