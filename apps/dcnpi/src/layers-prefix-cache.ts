/**
 * The scan's shortcut for layers models (the graph models' is graph-prefix-cache.ts): a candidate
 * changes one layer's weight, so everything upstream of that layer computes the same values for every
 * candidate. The model is split at the tensors entering the layer and everything below it (its input
 * and any skip connection crossing there): a prefix model gives those values once per slice of inputs,
 * a suffix model (the same layer objects, so the same weights, applied to new inputs) runs from them
 * for every candidate. Predicting runs the same layers in inference mode on the same values.
 */
import { layersModelPredictor, type PredictBatch } from "@dcnpi/deep-compression";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { LayersModel, SymbolicTensor } from "@tensorflow/tfjs-layers";
import { SliceStore } from "./slice-store.js";

type Layer = LayersModel["layers"][number];

const singleUse = new WeakMap<LayersModel, boolean>();

interface Split {
  readonly prefix: LayersModel;
  readonly suffix: LayersModel;
}

/**
 * Prefix and suffix models around the layer holding `weight` (a variable's `originalName`), or
 * undefined when nothing would be saved (the layer reads the model's input), the model is not a plain
 * graph of single-use layers, or the weight is not found.
 */
export function splitLayersModel(model: LayersModel, weight: string): Split | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const layers = model.layers;
  // Shared layers (called more than once in the model) are not followed here. Splitting adds nodes
  // to the layers it applies, so the check is on the model as first seen.
  let plain = singleUse.get(model);
  if (plain === undefined) singleUse.set(model, (plain = layers.every((l) => l.inboundNodes.length === 1)));
  if (!plain) return undefined;
  const changed = layers.find((l) => l.weights.some((v) => v.originalName === weight));
  if (changed === undefined) return undefined;
  const below = new Set<Layer>([changed]);
  // model.layers is in topological order: one pass finds every layer downstream of `changed`.
  for (const layer of layers) if (layer.inboundNodes[0]!.inboundLayers.some((l) => below.has(l as Layer))) below.add(layer);
  if (!below.has(model.outputs[0]!.sourceLayer as Layer)) return undefined;
  const cut: SymbolicTensor[] = [];
  for (const layer of below) {
    for (const input of layer.inboundNodes[0]!.inputTensors) {
      if (below.has(input.sourceLayer as Layer) || cut.includes(input)) continue;
      if (model.inputs.includes(input)) return undefined;
      cut.push(input);
    }
  }
  const fed = new Map<SymbolicTensor, SymbolicTensor>(
    cut.map((t) => [t, tfl.input({ shape: t.shape.slice(1) as number[], dtype: t.dtype })]),
  );
  for (const layer of layers) {
    if (!below.has(layer)) continue;
    const node = layer.inboundNodes[0]!;
    const inputs = node.inputTensors.map((t) => fed.get(t)!);
    const outputs = layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as SymbolicTensor | SymbolicTensor[];
    const produced = Array.isArray(outputs) ? outputs : [outputs];
    node.outputTensors.forEach((t, i) => fed.set(t, produced[i]!));
  }
  return {
    prefix: tfl.model({ inputs: model.inputs, outputs: cut }),
    suffix: tfl.model({ inputs: cut.map((t) => fed.get(t)!), outputs: fed.get(model.outputs[0]!)! }),
  };
}

/**
 * Cut values per slice of inputs, for one weight at a time, up to `limitBytes` (slices past it run
 * the whole model). `dispose` frees them.
 */
export class LayersPrefixCache {
  private weight: string | undefined;
  private split: Split | undefined;
  private readonly kept: SliceStore;

  constructor(limitBytes = 1024 * 2 ** 20) {
    this.kept = new SliceStore(limitBytes);
  }

  /** Predictions of `model`, whose weights differ from the original only in `weight`. */
  predictor(model: LayersModel, shape: readonly number[], weight: string): PredictBatch {
    if (weight !== this.weight) {
      this.dispose();
      this.weight = weight;
      this.split = splitLayersModel(model, weight);
    }
    const split = this.split;
    if (split === undefined) return layersModelPredictor(model, shape);
    return (inputs, count) => {
      let values = this.kept.get(inputs);
      let keptNow = true;
      if (values === undefined) {
        const fresh = tf.tidy(() => {
          const out = split.prefix.predict(tf.tensor(inputs, [count, ...shape]));
          return Array.isArray(out) ? out : [out];
        });
        keptNow = this.kept.keep(inputs, fresh);
        values = fresh;
      }
      const fed = values;
      try {
        return tf.tidy(() => (split.suffix.predict(fed.length === 1 ? fed[0]! : fed) as tf.Tensor).dataSync() as Float32Array);
      } finally {
        if (!keptNow) tf.dispose(fed);
      }
    };
  }

  dispose(): void {
    this.kept.clear();
    this.weight = undefined;
    this.split = undefined;
  }
}
