// A tfjs LayersModel from a topology and weights, and back: no files involved (browser-safe).
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import * as tfl from "@tensorflow/tfjs-layers";
import type { WeightMap } from "@dcnpi/tensor";

/** Builds a tfjs LayersModel from a topology and a complete weight map (no files involved). */
export async function buildLayersModel(modelTopology: Record<string, unknown>, weights: WeightMap): Promise<LayersModel> {
  // One ArrayBuffer per weight (tfjs accepts a list): no concatenated copy of the whole model, and a
  // weight that owns its whole buffer is handed over as it is (issue 16, peak memory). tfjs still
  // copies each weight once (CompositeArrayBuffer.slice) and zero-fills its variables first.
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const { name, tensor } of weights) {
    const values = tensor.dtype === "uint8" ? Int32Array.from(tensor.data) : (tensor.data as Float32Array | Int32Array);
    specs.push({ name, shape: [...tensor.shape], dtype: tensor.dtype === "float32" ? "float32" : "int32" });
    const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength && values.buffer instanceof ArrayBuffer;
    buffers.push(whole ? (values.buffer as ArrayBuffer) : (values.slice().buffer as ArrayBuffer));
  }
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs: specs, weightData: buffers }));
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
