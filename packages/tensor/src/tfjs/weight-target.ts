import type * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { TensorError } from "../errors.js";
import type { WeightInfo } from "../weight-map.js";

/**
 * Raw variables (models written without tfjs-layers, such as the NPI), with optional weight names and
 * layer information keyed by `variable.name`. tfjs variable names are global to the engine, so a model
 * that can exist twice in one process gives them uniqueness suffixes (`npi/core/lstm0/kernel#7`);
 * `names` gives plans, masks, codebooks and files stable ones (`core/lstm0/kernel`).
 */
export interface NamedVariables {
  readonly variables: readonly tf.Variable[];
  /** Keyed by `variable.name`. */
  readonly info?: Readonly<Record<string, WeightInfo>>;
  /** The weight's name, keyed by `variable.name` (default: the variable's own name). */
  readonly names?: Readonly<Record<string, string>>;
}

/**
 * What training hooks (pruning masks, quantization codebooks) and the compression pipeline work on: a
 * layers model (weights named like `readModelWeights`: the variables' original names), a list of raw
 * variables (named by `variable.name`) or named variables.
 */
export type WeightTarget = LayersModel | readonly tf.Variable[] | NamedVariables;

export function isNamedVariables(target: WeightTarget): target is NamedVariables {
  return !Array.isArray(target) && Array.isArray((target as NamedVariables).variables);
}

/** The name of one raw variable in masks, codebooks, plans and files. */
export function weightNameOf(target: NamedVariables, variable: tf.Variable): string {
  return target.names?.[variable.name] ?? variable.name;
}

/** Every variable of `target` keyed by its weight name, in declaration order; weight names must be unique. */
export function variablesByWeightName(target: WeightTarget): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  const add = (name: string, variable: tf.Variable) => {
    const other = out.get(name);
    if (other === variable) return;
    if (other !== undefined)
      throw new TensorError("DUPLICATE_WEIGHT", `variables "${other.name}" and "${variable.name}" are both named "${name}"`);
    out.set(name, variable);
  };
  if (Array.isArray(target)) for (const v of target as readonly tf.Variable[]) add(v.name, v);
  else if (isNamedVariables(target)) for (const v of target.variables) add(weightNameOf(target, v), v);
  else for (const layer of (target as LayersModel).layers) for (const w of layer.weights) add(w.originalName, w.read() as tf.Variable);
  return out;
}
