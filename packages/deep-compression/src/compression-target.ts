/**
 * What can be compressed: a tfjs `LayersModel`, or a list of raw `tf.Variable`s (models written
 * without tfjs-layers, such as the NPI). Both are reached through the same small interface so the
 * pipeline does not care which it has.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { fromTfTensor, readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import { WeightMap, type WeightInfo } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";

/** Raw variables with optional per-variable info (layer, class, role) for plans to match on. */
export interface VariablesTarget {
  readonly variables: readonly tf.Variable[];
  readonly info?: Readonly<Record<string, WeightInfo>>;
}

export type CompressionTarget = LayersModel | VariablesTarget;

export function isVariablesTarget(target: CompressionTarget): target is VariablesTarget {
  return Array.isArray((target as VariablesTarget).variables);
}

/** The binding target `@dcnpi/pruning/tfjs` and `@dcnpi/quantization/tfjs` accept. */
export function bindingTargetOf(target: CompressionTarget): LayersModel | tf.Variable[] {
  return isVariablesTarget(target) ? [...target.variables] : target;
}

/** Every weight of the target, in its declared order, with layer information. */
export function readTargetWeights(target: CompressionTarget): WeightMap {
  if (!isVariablesTarget(target)) return readModelWeights(target);
  const map = new WeightMap();
  for (const variable of target.variables) map.add(variable.name, fromTfTensor(variable), target.info?.[variable.name] ?? {});
  return map;
}

/** Writes weights back into the target (names and shapes checked). */
export function writeTargetWeights(target: CompressionTarget, weights: WeightMap): void {
  if (!isVariablesTarget(target)) {
    writeModelWeights(target, weights);
    return;
  }
  const byName = new Map(target.variables.map((v) => [v.name, v]));
  for (const { name, tensor } of weights) {
    const variable = byName.get(name);
    if (variable === undefined) throw new CompressionError("WEIGHT_MISMATCH", `no variable named "${name}"`);
    tf.tidy(() => variable.assign(tf.tensor(tensor.data, [...tensor.shape], variable.dtype)));
  }
}
