import { readModelWeights, writeModelWeights } from "@dcnpi/tensor/tfjs";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { MaskSet } from "../mask-set.js";
import { analyzeSensitivity, type SensitivityReport } from "../sensitivity.js";

/**
 * `analyzeSensitivity` on a layers model: each probe writes the pruned weights into `model`, calls
 * `evaluate(model)`, and the original weights are written back at the end (also on error).
 */
export async function analyzeModelSensitivity(
  model: LayersModel,
  options: {
    readonly layers: readonly string[];
    readonly sparsities: readonly number[];
    readonly evaluate: (model: LayersModel) => number | Promise<number>;
    readonly previous?: MaskSet;
    readonly onProbe?: (done: number, total: number) => void;
  },
): Promise<SensitivityReport> {
  const original = readModelWeights(model);
  const probed = original.filter((w) => options.layers.includes(w.name) || options.previous?.has(w.name) === true);
  try {
    return await analyzeSensitivity({
      weights: probed,
      layers: options.layers,
      sparsities: options.sparsities,
      ...(options.previous === undefined ? {} : { previous: options.previous }),
      ...(options.onProbe === undefined ? {} : { onProbe: options.onProbe }),
      evaluate: async (weights) => {
        writeModelWeights(model, weights);
        return options.evaluate(model);
      },
    });
  } finally {
    writeModelWeights(model, probed);
  }
}
