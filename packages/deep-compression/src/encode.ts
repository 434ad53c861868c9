import { dequantize, type QuantizedWeight } from "@dcnpi/quantization";
import { encodeLayer, type DenseTensorInput, type EncodedLayer, type EntryInfo, type LayerInput } from "@dcnpi/sparse-format";
import type { WeightInfo, WeightMap } from "@dcnpi/tensor";
import { formatVersionOf, type ContainerOptions } from "./container-options.js";
import { CompressionError } from "./errors.js";
import { caffeAxes, isIdentity, permuteAxes, type IndexOrder } from "./index-order.js";
import { timedSync, type StageHooks } from "./stage-options.js";

/** `smallest`: Huffman per stream where it is smaller than fixed width (the pipeline's `huffman: true`). */
export type HuffmanPolicy = "smallest" | "always" | "never";

/** How to store one quantized weight (a plan's compressed decision is one). */
export interface EncodeSpec {
  /** Bits per relative index (used when the weight is pruned). */
  readonly indexBits: number;
  /** `caffe`: relative indices run output-major, as in the paper's Caffe models (default `tfjs`). */
  readonly indexOrder?: IndexOrder;
  /** With `caffe`: the shape the weight is walked as (a plan rule's `indexView`); default its own. */
  readonly indexView?: readonly number[];
  /** `true` is `smallest`, `false` is `never`. */
  readonly huffman: boolean | HuffmanPolicy;
}

const FIXED = { weights: false, indices: false } as const;
const CODED = { weights: true, indices: true } as const;

/**
 * Encodes codes already in their stored layout, with Huffman coding as `huffman` says; with
 * `container.coder: "best"` each stream is instead the smallest of fixed, Huffman, arithmetic and context-coded arithmetic, and
 * each codebook is packed (sparse-format's FORMAT.md, "Packed codebooks").
 */
export function encodeCodes(
  input: Omit<LayerInput, "huffman" | "coder" | "formatVersion">,
  huffman: HuffmanPolicy,
  container: ContainerOptions = {},
): EncodedLayer {
  const formatVersion = formatVersionOf(container);
  if (container.coder === "best") return encodeLayer({ ...input, coder: "best", formatVersion });
  // Version 1 adds no field, so the paper-faithful path calls encodeLayer exactly as before.
  const base = formatVersion === 1 ? input : { ...input, formatVersion };
  if (huffman === "never") return encodeLayer({ ...base, huffman: FIXED });
  const coded = encodeLayer({ ...base, huffman: CODED });
  if (huffman === "always") return coded;
  const fixed = encodeLayer({ ...base, huffman: FIXED });
  const weights = coded.weights.bytes.length <= fixed.weights.bytes.length;
  const indices = coded.indices === null || fixed.indices === null || coded.indices.bytes.length <= fixed.indices.bytes.length;
  if (weights && indices) return coded;
  if (!weights && !indices) return fixed;
  return encodeLayer({ ...base, huffman: { weights, indices } });
}

export interface EncodedWeight {
  readonly layer: EncodedLayer;
  /** Set when the codes are stored with permuted axes: stored axis i is the weight's axis storedAxes[i]. */
  readonly storedAxes: number[] | undefined;
  /** Set when the axes permuted a view of the weight (`indexView`): the weight's own shape, to reshape back to. */
  readonly weightShape: number[] | undefined;
}

/** Stage 3 for one weight (DC §2.1, §4): relative indices with fillers for a pruned weight, then Huffman coding. */
export function encodeWeight(
  weight: { readonly name: string; readonly shape: readonly number[]; readonly info?: EntryInfo },
  q: QuantizedWeight,
  spec: EncodeSpec,
  container: ContainerOptions = {},
): EncodedWeight {
  let shape = weight.shape;
  let codes = q.codes;
  let storedAxes: number[] | undefined;
  let weightShape: number[] | undefined;
  if (spec.indexOrder === "caffe" && q.masked) {
    const view = spec.indexView ?? weight.shape;
    const viewed = view.length !== weight.shape.length || view.some((d, i) => d !== weight.shape[i]);
    if (viewed && view.reduce((a, b) => a * b, 1) !== q.codes.length) {
      throw new CompressionError(
        "WEIGHT_MISMATCH",
        `${weight.name}: indexView [${view.join(",")}] has ${view.reduce((a, b) => a * b, 1)} elements, ` +
          `the weight [${weight.shape.join(",")}] ${q.codes.length}`,
      );
    }
    // A view of rank ≥ 3 is walked as a convolution kernel would be, whatever the weight's layer class.
    const axes = caffeAxes(view, viewed ? undefined : weight.info?.layerClass);
    if (!isIdentity(axes)) {
      ({ data: codes, shape } = permuteAxes(q.codes, view, axes, weight.name));
      storedAxes = axes;
      if (viewed) weightShape = [...weight.shape];
    }
  }
  const huffman = spec.huffman === true ? "smallest" : spec.huffman === false ? "never" : spec.huffman;
  const indexBits = q.masked ? { indexBits: spec.indexBits } : {};
  const input = { name: weight.name, shape, codes, codebook: q.codebook, weightBits: q.bits, ...indexBits, info: weight.info };
  return { layer: encodeCodes(input, huffman, container), storedAxes, weightShape };
}

/**
 * The container's per-entry info holds layer, layer class and role only; a graph weight's consuming
 * `op` stays out (the stored graph says it), and layers models' info passes as it is (same bytes).
 */
function entryInfoOf(info: WeightInfo): EntryInfo {
  if (!("op" in info)) return info;
  const { op: _op, ...rest } = info;
  return rest;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export interface Encoded {
  /** The quantized weights, encoded, in the weights' order. */
  readonly layers: EncodedLayer[];
  /** Every other weight, stored losslessly. */
  readonly denseTensors: DenseTensorInput[];
  readonly storedAxes: Record<string, number[]>;
  /** Weights whose stored axes permute a view of them (`indexView`): their own shapes. */
  readonly weightShapes: Record<string, number[]>;
}

/**
 * Stage 3 (DC §4): every weight of `weights` with a quantized form is encoded (`encodeWeight`), the
 * rest is kept dense. Each encoded weight must hold exactly codebook[codes], bit for bit: the model
 * must be what the file decodes to.
 */
export function encode(
  weights: WeightMap,
  quantized: ReadonlyMap<string, QuantizedWeight>,
  specs: ReadonlyMap<string, EncodeSpec>,
  options: StageHooks & { readonly container?: ContainerOptions | undefined } = {},
): Encoded {
  options.onEvent?.({ kind: "stage-start", stage: "encode" });
  const layers: EncodedLayer[] = [];
  const denseTensors: DenseTensorInput[] = [];
  const storedAxes: Record<string, number[]> = {};
  const weightShapes: Record<string, number[]> = {};
  timedSync(options.seconds, "encode", () => {
    let index = 0;
    for (const weight of weights) {
      const q = quantized.get(weight.name);
      if (q === undefined) {
        denseTensors.push({ name: weight.name, shape: weight.tensor.shape, data: weight.tensor.data, info: entryInfoOf(weight.info) });
        continue;
      }
      options.onEvent?.({ kind: "weight", stage: "encode", name: weight.name, index: index++, count: quantized.size });
      if (!sameBits(weight.tensor.data as Float32Array, dequantize(q))) {
        throw new CompressionError("WEIGHT_MISMATCH", `${weight.name}: model weights drifted from codebook[codes] during fine-tuning`);
      }
      const spec = specs.get(weight.name);
      if (spec === undefined)
        throw new CompressionError("WEIGHT_MISMATCH", `encode: no encoding given for quantized weight "${weight.name}"`);
      const encoded = encodeWeight(
        { name: weight.name, shape: weight.tensor.shape, info: entryInfoOf(weight.info) },
        q,
        spec,
        options.container,
      );
      layers.push(encoded.layer);
      if (encoded.storedAxes !== undefined) storedAxes[weight.name] = encoded.storedAxes;
      if (encoded.weightShape !== undefined) weightShapes[weight.name] = encoded.weightShape;
    }
  });
  return { layers, denseTensors, storedAxes, weightShapes };
}
