import { fullyConnectedMatVec, parseContainer, type FullyConnectedMatVec, type ReadOptions } from "@dcnpi/sparse-format";
import { parseCompressedMetadata } from "./compressed-metadata.js";

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
    if (layer.info.layerClass !== "Dense" || layer.info.role !== "kernel" || layer.shape.length !== 2) continue;
    const axes = metadata.storedAxes?.[layer.name];
    const layout = axes !== undefined && axes[0] === 1 ? "out-in" : "in-out";
    const name = layer.info.layer ?? layer.name;
    const bias = biases.get(`${name}/bias`);
    layers.set(
      name,
      fullyConnectedMatVec(layer, {
        layout,
        ...(bias === undefined ? {} : { bias }),
        ...(options.kernel ? { kernel: options.kernel } : {}),
      }),
    );
  }
  return layers;
}
