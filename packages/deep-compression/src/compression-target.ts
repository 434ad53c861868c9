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
  /** Keyed by `variable.name`. */
  readonly info?: Readonly<Record<string, WeightInfo>>;
  /**
   * The weight's name in plans, reports and the file, keyed by `variable.name` (default: the variable's
   * own name). tfjs variable names are global to the engine, so models that can exist twice in one
   * process give them uniqueness suffixes (the NPI's are `npi/core/lstm0/kernel#7`); this gives the
   * file stable names (`core/lstm0/kernel`).
   */
  readonly names?: Readonly<Record<string, string>>;
}

export type CompressionTarget = LayersModel | VariablesTarget;

export function isVariablesTarget(target: CompressionTarget): target is VariablesTarget {
  return Array.isArray((target as VariablesTarget).variables);
}

/** The binding target `@dcnpi/pruning/tfjs` and `@dcnpi/quantization/tfjs` accept. */
export function bindingTargetOf(target: CompressionTarget): LayersModel | tf.Variable[] {
  return isVariablesTarget(target) ? [...target.variables] : target;
}

/** The name of a raw variable in plans, reports and the file. */
function weightNameOf(target: VariablesTarget, variable: tf.Variable): string {
  return target.names?.[variable.name] ?? variable.name;
}

/**
 * Translation between weight names (plans, masks, reports, the file) and the keys the tfjs bindings
 * use (`variable.name` for raw variables; the same names for a layers model). Checks that weight
 * names are unique.
 */
export function bindingKeysOf(target: CompressionTarget): { toBinding(name: string): string; toWeight(key: string): string } {
  if (!isVariablesTarget(target) || target.names === undefined) return { toBinding: (name) => name, toWeight: (key) => key };
  const toBinding = new Map<string, string>();
  const toWeight = new Map<string, string>();
  for (const variable of target.variables) {
    const name = weightNameOf(target, variable);
    const other = toBinding.get(name);
    if (other !== undefined) throw new CompressionError("WEIGHT_MISMATCH", `variables "${other}" and "${variable.name}" are both named "${name}"`);
    toBinding.set(name, variable.name);
    toWeight.set(variable.name, name);
  }
  return {
    toBinding: (name) => toBinding.get(name) ?? name,
    toWeight: (key) => toWeight.get(key) ?? key,
  };
}

/** Every weight of the target, in its declared order, with layer information. */
export function readTargetWeights(target: CompressionTarget): WeightMap {
  if (!isVariablesTarget(target)) return readModelWeights(target);
  bindingKeysOf(target);
  const map = new WeightMap();
  for (const variable of target.variables) map.add(weightNameOf(target, variable), fromTfTensor(variable), target.info?.[variable.name] ?? {});
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
