import {
  fullyConnectedMatVec,
  parseContainer,
  type DecodedLayer,
  type FullyConnectedMatVec,
  type FullyConnectedOptions,
  type ReadOptions,
} from "@dcnpi/sparse-format";
import { parseCompressedMetadata } from "./compressed-metadata.js";
import { inverseAxes, permuteAxes } from "./index-order.js";

export interface FullyConnectedLayersOptions extends ReadOptions {
  /** `"wasm"` (the default where WebAssembly runs) or `"js"`. */
  readonly kernel?: "wasm" | "js";
}

/**
 * Every compressed Dense kernel of a `.dcnpi` model as a ready mat-vec over its codes (y = W x + bias,
 * bias from the file's `<layer>/bias` when there is one), keyed by layer name in file order. For
 * inference from the compressed form (EIE, §6) without building dense weights; the layout the file
 * stored (tfjs [in, out] or Caffe [out, in], metadata `storedAxes`) is taken care of. Activations are
 * the caller's (the topology says which).
 */
export async function fullyConnectedLayers(
  bytes: Uint8Array,
  options: FullyConnectedLayersOptions = {},
  source = "container",
): Promise<Map<string, FullyConnectedMatVec>> {
  const contents = await parseContainer(bytes, options);
  const metadata = parseCompressedMetadata(contents.metadata, source);
  const biases = new Map(contents.denseTensors.filter((t) => t.dtype === "float32").map((t) => [t.name, t.data as Float32Array]));
  const layers = new Map<string, FullyConnectedMatVec>();
  for (const layer of contents.layers) {
    if (layer.info.layerClass !== "Dense" || layer.info.role !== "kernel") continue;
    const axes = metadata.storedAxes?.[layer.name];
    const own = metadata.weightShapes?.[layer.name];
    if (layer.shape.length !== 2 && (axes === undefined || own?.length !== 2)) continue;
    const name = layer.info.layer ?? layer.name;
    const bias = biases.get(`${name}/bias`);
    const settings = { ...(bias === undefined ? {} : { bias }), ...(options.kernel ? { kernel: options.kernel } : {}) };
    if (own !== undefined && axes !== undefined && layer.shape.length !== 2) {
      layers.set(name, viewedMatVec(layer, axes, settings));
      continue;
    }
    const layout = axes !== undefined && axes[0] === 1 ? "out-in" : "in-out";
    layers.set(name, fullyConnectedMatVec(layer, { layout, ...settings }));
  }
  return layers;
}

/**
 * A Dense kernel stored as a permuted view (`indexView`: [h, w, c, out] stored as Caffe's [out, c, h, w]):
 * its rows are the outputs, its columns the inputs in the view's order, so each input vector is gathered
 * into that order first. `permuteAxes` on the input indices gives the gather, whatever the view.
 */
function viewedMatVec(
  layer: DecodedLayer,
  axes: readonly number[],
  settings: Pick<FullyConnectedOptions, "bias" | "kernel">,
): FullyConnectedMatVec {
  const outputs = layer.shape[0]!;
  const inputs = layer.elementCount / outputs;
  // Original input index of each stored column: the view with a unit output axis, permuted as the kernel was.
  const view = inverseAxes(axes).map((a) => layer.shape[a]!);
  const unit = [...view.slice(0, -1), 1];
  const order = permuteAxes(
    Int32Array.from({ length: inputs }, (_, i) => i),
    unit,
    axes,
    layer.name,
  ).data;
  const inner = fullyConnectedMatVec({ ...layer, shape: [outputs, inputs] }, { layout: "out-in", ...settings });
  const gather = (x: Float32Array, batch: number) => {
    const out = new Float32Array(batch * inputs);
    for (let b = 0; b < batch; b++) for (let j = 0; j < inputs; j++) out[b * inputs + j] = x[b * inputs + order[j]!]!;
    return out;
  };
  return {
    inputs,
    outputs,
    kernel: inner.kernel,
    nonzeros: inner.nonzeros,
    apply: (x, y) => inner.apply(gather(x, 1), y),
    applyBatch: (x, batch, y) => inner.applyBatch(gather(x, batch), batch, y),
  };
}
