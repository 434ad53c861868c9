// A tfjs LayersModel from a topology and weights, and back: no files involved (browser-safe).
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import * as tfl from "@tensorflow/tfjs-layers";
import type { WeightMap } from "@dcnpi/tensor";

/**
 * A weight map as tfjs weight specs and data, in the map's order: float32 stays float32, int32 and
 * uint8 become int32. One ArrayBuffer per weight (tfjs accepts a list): no concatenated copy of the
 * whole model, and a weight that owns its whole buffer is handed over as it is (issue 16, peak
 * memory). tfjs still copies each weight once (CompositeArrayBuffer.slice).
 */
export function weightArtifacts(weights: WeightMap): { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer[] } {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const weightData: ArrayBuffer[] = [];
  for (const { name, tensor } of weights) {
    const values = tensor.dtype === "uint8" ? Int32Array.from(tensor.data) : (tensor.data as Float32Array | Int32Array);
    weightSpecs.push({ name, shape: [...tensor.shape], dtype: tensor.dtype === "float32" ? "float32" : "int32" });
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength && values.buffer instanceof ArrayBuffer;
    weightData.push(whole ? (values.buffer as ArrayBuffer) : (values.slice().buffer as ArrayBuffer));
  }
  return { weightSpecs, weightData };
}

/** Builds a tfjs LayersModel from a topology and a complete weight map (no files involved; tfjs zero-fills its variables first). */
export async function buildLayersModel(modelTopology: Record<string, unknown>, weights: WeightMap): Promise<LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology, ...weightArtifacts(weights) }));
}

/** The JSON topology of a live model, as model.json stores it. */
export async function modelTopologyOf(model: LayersModel): Promise<Record<string, unknown>> {
  let topology: Record<string, unknown> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology as Record<string, unknown>;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  return topology!;
}
