/**
 * What can be compressed: a tfjs `LayersModel`, or raw `tf.Variable`s with weight names (models
 * written without tfjs-layers, such as the NPI). Both are `WeightTarget`s of `@dcnpi/tensor/tfjs`, so
 * the pruning and quantization bindings take them as they are, keyed by the same weight names.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { fromTfTensor, isNamedVariables, readModelWeights, weightNameOf, writeModelWeights, type NamedVariables } from "@dcnpi/tensor/tfjs";
import { WeightMap } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";

/** Raw variables with optional per-variable info and weight names (see `NamedVariables`). */
export type VariablesTarget = NamedVariables;

/** What the stages work on: the one `WeightTarget` of `@dcnpi/tensor/tfjs` minus a bare variable list. */
export type CompressionTarget = LayersModel | VariablesTarget;

export function isVariablesTarget(target: CompressionTarget): target is VariablesTarget {
  return isNamedVariables(target);
}

/** Weight names must be unique: plans, masks, codebooks and the file refer to weights by them. */
function checkWeightNames(target: VariablesTarget): void {
  const seen = new Map<string, string>();
  for (const variable of target.variables) {
    const name = weightNameOf(target, variable);
    const other = seen.get(name);
    if (other !== undefined)
      throw new CompressionError("WEIGHT_MISMATCH", `variables "${other}" and "${variable.name}" are both named "${name}"`);
    seen.set(name, variable.name);
  }
}

/** Every weight of the target, in its declared order, with layer information. */
export function readTargetWeights(target: CompressionTarget): WeightMap {
  if (!isVariablesTarget(target)) return readModelWeights(target);
  checkWeightNames(target);
  const map = new WeightMap();
  for (const variable of target.variables)
    map.add(weightNameOf(target, variable), fromTfTensor(variable), target.info?.[variable.name] ?? {});
  return map;
}

/** Writes weights back into the target (names and shapes checked). */
export function writeTargetWeights(target: CompressionTarget, weights: WeightMap): void {
  if (!isVariablesTarget(target)) {
    writeModelWeights(target, weights);
    return;
  }
  const byName = new Map(target.variables.map((v) => [weightNameOf(target, v), v]));
  for (const { name, tensor } of weights) {
    const variable = byName.get(name);
    if (variable === undefined) throw new CompressionError("WEIGHT_MISMATCH", `no variable named "${name}"`);
    tf.tidy(() => variable.assign(tf.tensor(tensor.data, [...tensor.shape], variable.dtype)));
  }
}
