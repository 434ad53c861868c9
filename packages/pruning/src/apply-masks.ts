import { formatShape, WeightMap, type HostTensor } from "@dcnpi/tensor";
import { PruningError } from "./errors.js";
import type { MaskRecord, MaskSet } from "./mask-set.js";

/** Zeroes, in place, the entries of `values` that `mask` prunes. */
export function applyMask(values: Float32Array, mask: Uint8Array): Float32Array {
  if (values.length !== mask.length) {
    throw new PruningError("SHAPE_MISMATCH", `applyMask: ${values.length} weights, ${mask.length} mask entries`);
  }
  for (let i = 0; i < values.length; i++) if (mask[i] === 0) values[i] = 0;
  return values;
}

/**
 * A new weight map in which every masked weight is a copy with its pruned entries set to 0.0;
 * unmasked weights are shared, not copied. Every mask must name a weight of the map.
 */
export function applyMasks(weights: WeightMap, masks: MaskSet): WeightMap {
  for (const { name, shape } of masks) {
    if (!weights.has(name)) throw new PruningError("UNKNOWN_WEIGHT", `applyMasks: mask "${name}" names no weight of the map`);
    const t = weights.get(name);
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new PruningError("SHAPE_MISMATCH", `applyMasks: "${name}" is ${formatShape(t.shape)}, its mask ${formatShape(shape)}`);
    }
  }
  const out = new WeightMap();
  for (const { name, tensor, info } of weights) {
    const mask = masks.get(name);
    if (mask === undefined) {
      out.add(name, tensor, info);
      continue;
    }
    if (!(tensor.data instanceof Float32Array))
      throw new PruningError("INVALID_OPTION", `applyMasks: "${name}" is ${tensor.dtype}, not float32`);
    const data = applyMask(tensor.data.slice(), mask);
    const masked: HostTensor<"float32"> = { dtype: "float32", shape: [...tensor.shape], data };
    out.add(name, masked, info);
  }
  return out;
}

/** What `stripPruning` leaves: plain weights (pruned entries exactly 0.0) and the serialisable masks. */
export interface StrippedPruning {
  readonly weights: WeightMap;
  readonly record: MaskRecord;
}

/**
 * The "strip" verb: the final weights with every mask applied, plus the mask record to keep beside
 * them (the sparse encoder needs the masks, because a kept weight may itself be 0.0).
 */
export function stripPruning(weights: WeightMap, masks: MaskSet): StrippedPruning {
  return { weights: applyMasks(weights, masks), record: masks.toRecord() };
}
