import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { TensorError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";
import { WeightMap, type WeightInfo } from "../weight-map.js";
import { fromTfTensor } from "./convert.js";

/** Weight shapes are always concrete; tfjs types them as possibly-null like activation shapes. */
function concreteShape(shape: readonly (number | null)[], name: string): number[] {
  return shape.map((extent) => {
    if (extent === null) throw new TensorError("INVALID_SHAPE", `weight "${name}" has an undefined extent`);
    return extent;
  });
}

export interface ModelWeightDescription extends Required<Omit<WeightInfo, "op">> {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
}

/**
 * Every weight of `model` in declaration order, with the owning layer, its class and the weight's
 * role (the part of the name after the last "/": kernel, bias, recurrent_kernel, gamma, ...).
 * Names are the variables' original names, the ones tfjs writes into model.json.
 */
export function describeModelWeights(model: LayersModel): ModelWeightDescription[] {
  const out: ModelWeightDescription[] = [];
  for (const layer of model.layers) {
    const trainable = new Set(layer.trainableWeights.map((w) => w.originalName));
    for (const variable of layer.weights) {
      const name = variable.originalName;
      out.push({
        name,
        shape: concreteShape(variable.shape, name),
        layer: layer.name,
        layerClass: layer.getClassName(),
        role: name.slice(name.lastIndexOf("/") + 1),
        trainable: trainable.has(name),
      });
    }
  }
  return out;
}

/** A host copy of every weight of `model`, in declaration order, with layer information attached. */
export function readModelWeights(model: LayersModel): WeightMap {
  const map = new WeightMap();
  const descriptions = describeModelWeights(model);
  let i = 0;
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      const { layer: layerName, layerClass, role } = descriptions[i++]!;
      const value = variable.read();
      map.add(variable.originalName, fromTfTensor(value), { layer: layerName, layerClass, role });
    }
  }
  return map;
}

/**
 * Writes the weights of `weights` into `model`. Every weight named in the map must exist in the model
 * with the same shape; model weights the map does not name are left as they are unless `complete`.
 */
export function writeModelWeights(model: LayersModel, weights: WeightMap, options: { complete?: boolean } = {}): void {
  const variables = new Map(model.layers.flatMap((layer) => layer.weights.map((v) => [v.originalName, v] as const)));
  for (const { name, tensor } of weights) {
    const variable = variables.get(name);
    if (variable === undefined) {
      throw new TensorError("UNKNOWN_WEIGHT", `writeModelWeights: the model has no weight "${name}"`);
    }
    const modelShape = concreteShape(variable.shape, name);
    if (!shapesEqual(modelShape, tensor.shape)) {
      throw new TensorError(
        "SHAPE_MISMATCH",
        `writeModelWeights: weight "${name}" is ${formatShape(modelShape)} in the model, ${formatShape(tensor.shape)} in the map`,
      );
    }
  }
  if (options.complete === true) {
    for (const name of variables.keys()) {
      if (!weights.has(name)) throw new TensorError("UNKNOWN_WEIGHT", `writeModelWeights: the map lacks weight "${name}"`);
    }
  }
  for (const { name, tensor } of weights) {
    const variable = variables.get(name)!;
    tf.tidy(() => {
      const dtype = variable.dtype === "int32" ? "int32" : "float32";
      variable.write(tf.tensor(tensor.data, [...tensor.shape], dtype));
    });
  }
}
