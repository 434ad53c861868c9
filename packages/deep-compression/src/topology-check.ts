/**
 * The weight shapes a tfjs layers topology implies, compared with the weights a file holds, before
 * TensorFlow.js builds anything: tfjs runs every layer's initialiser first, so a topology saying
 * `units: 1e6` costs gigabytes before tfjs itself would notice the mismatch. Known layer classes
 * (Dense, Conv1D/2D/3D, DepthwiseConv2D, BatchNormalization, Embedding, LSTM, GRU, SimpleRNN) must
 * find each weight they create in the file, with the sizes their config and (in a chain of known
 * layers) their input imply. Other classes are not checked here; the file's limits still bound what
 * the file holds.
 */
import type { ReadLimits } from "@dcnpi/sparse-format";
import type { WeightMap } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";

type Shape = (number | null)[];
interface LayerJson {
  readonly class_name?: unknown;
  readonly config?: Record<string, unknown>;
}

const CONTAINERS = new Set(["Sequential", "Model", "Functional"]);
const SHAPE_KEEPING = new Set(["Activation", "Dropout", "ReLU", "LeakyReLU", "ELU", "Softmax", "GaussianNoise", "GaussianDropout"]);
const RNN_GATES: Record<string, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };

function positiveInt(value: unknown, what: string, limit: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new CompressionError("UNSUPPORTED_MODEL", `${what} is ${JSON.stringify(value)}, not a non-negative integer`);
  if (value > limit)
    throw new CompressionError("LIMIT_EXCEEDED", `${what} is ${value}, more than the read limit maxTensorElements = ${limit}`);
  return value;
}

function tuple(value: unknown, rank: number, what: string, limit: number): number[] {
  const list = Array.isArray(value) ? value : new Array(rank).fill(value);
  if (list.length !== rank) throw new CompressionError("UNSUPPORTED_MODEL", `${what} has ${list.length} values, expected ${rank}`);
  return list.map((v, i) => positiveInt(v, `${what}[${i}]`, limit));
}

function layersOf(topology: Record<string, unknown>): LayerJson[] {
  const root = (topology["model_config"] ?? topology) as LayerJson;
  const config = root.config as unknown;
  if (Array.isArray(config)) return config as LayerJson[];
  const layers = (config as { layers?: unknown } | undefined)?.layers;
  return Array.isArray(layers) ? (layers as LayerJson[]) : [];
}

function spatialOut(size: number | null, kernel: number, stride: number, dilation: number, padding: unknown): number | null {
  if (size === null) return null;
  if (padding === "same") return Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  return size < effective ? 0 : Math.floor((size - effective) / stride) + 1;
}

/**
 * Checks the topology's implied weights against `weights` (the file's, already within the read
 * limits). Throws `WEIGHT_MISMATCH` naming the layer and both shapes, `LIMIT_EXCEEDED` for a config
 * value or implied tensor beyond the limits.
 */
export function checkTopologyWeights(topology: Record<string, unknown>, weights: WeightMap, limits: ReadLimits, source: string): void {
  let implied = 0;
  const expect = (layer: string, role: string, want: Shape): void => {
    const name = `${layer}/${role}`;
    const known = want.every((d) => d !== null);
    if (known) {
      const n = (want as number[]).reduce((a, b) => a * b, 1);
      implied += n;
      if (n > limits.maxTensorElements || implied > limits.maxTotalElements) {
        throw new CompressionError(
          "LIMIT_EXCEEDED",
          `${source}: the topology's "${name}" is [${want.join(",")}] (${n} elements, ${implied} so far), beyond the read limits ` +
            `(maxTensorElements ${limits.maxTensorElements}, maxTotalElements ${limits.maxTotalElements})`,
        );
      }
    }
    if (!weights.has(name))
      throw new CompressionError("WEIGHT_MISMATCH", `${source}: the topology's layer "${layer}" needs weight "${name}", the file has none`);
    const got = weights.get(name).shape;
    if (got.length !== want.length || want.some((d, i) => d !== null && d !== got[i])) {
      throw new CompressionError(
        "WEIGHT_MISMATCH",
        `${source}: the topology implies "${name}" is [${want.map((d) => d ?? "?").join(",")}], the file holds [${got.join(",")}]`,
      );
    }
  };

  // Shapes flow from layer to layer only in a Sequential; in a functional model each layer's input is unknown here.
  const walk = (layers: LayerJson[], depth: number, chained: boolean): void => {
    if (depth > 16) throw new CompressionError("UNSUPPORTED_MODEL", `${source}: models nested more than 16 deep`);
    let shape: Shape | undefined;
    for (const layer of layers) {
      if (!chained) shape = undefined;
      const className = typeof layer?.class_name === "string" ? layer.class_name : "";
      const config = (layer?.config ?? {}) as Record<string, unknown>;
      const name = typeof config["name"] === "string" ? config["name"] : "";
      const what = `${source}: layer "${name}" (${className})`;
      const lim = limits.maxTensorElements;
      const input = config["batch_input_shape"] ?? config["batchInputShape"];
      if (Array.isArray(input))
        shape = input.slice(1).map((d, i) => (d === null ? null : positiveInt(d, `${what} batch_input_shape[${i + 1}]`, lim)));
      const last = shape === undefined ? null : (shape.at(-1) ?? null);
      const bias = config["use_bias"] !== false;
      if (CONTAINERS.has(className)) {
        walk(layersOf(layer as Record<string, unknown>), depth + 1, className === "Sequential");
        shape = undefined;
      } else if (className === "InputLayer" || SHAPE_KEEPING.has(className)) {
        // shape unchanged (or set from batch_input_shape above)
      } else if (className === "Dense") {
        const units = positiveInt(config["units"], `${what} units`, lim);
        expect(name, "kernel", [last, units]);
        if (bias) expect(name, "bias", [units]);
        shape = shape === undefined ? undefined : [...shape.slice(0, -1), units];
      } else if (className === "Conv1D" || className === "Conv2D" || className === "Conv3D" || className === "DepthwiseConv2D") {
        const rank = className === "Conv1D" ? 1 : className === "Conv3D" ? 3 : 2;
        const kernel = tuple(config["kernel_size"], rank, `${what} kernel_size`, lim);
        const strides = tuple(config["strides"] ?? 1, rank, `${what} strides`, lim);
        const dilation = tuple(config["dilation_rate"] ?? 1, rank, `${what} dilation_rate`, lim);
        const channelsLast = (config["data_format"] ?? "channels_last") === "channels_last";
        const inChannels = channelsLast ? last : null;
        let outChannels: number | null;
        if (className === "DepthwiseConv2D") {
          const multiplier = positiveInt(config["depth_multiplier"] ?? 1, `${what} depth_multiplier`, lim);
          expect(name, "depthwise_kernel", [...kernel, inChannels, multiplier]);
          outChannels = inChannels === null ? null : inChannels * multiplier;
        } else {
          const filters = positiveInt(config["filters"], `${what} filters`, lim);
          expect(name, "kernel", [...kernel, inChannels, filters]);
          outChannels = filters;
        }
        if (bias) expect(name, "bias", [outChannels]);
        shape =
          shape === undefined || !channelsLast || shape.length !== rank + 1
            ? undefined
            : [...kernel.map((k, i) => spatialOut(shape![i]!, k, strides[i]!, dilation[i]!, config["padding"])), outChannels];
      } else if (className === "BatchNormalization") {
        const axis = config["axis"] ?? -1;
        const channels = axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1) ? last : null;
        if (config["scale"] !== false) expect(name, "gamma", [channels]);
        if (config["center"] !== false) expect(name, "beta", [channels]);
        expect(name, "moving_mean", [channels]);
        expect(name, "moving_variance", [channels]);
      } else if (className === "Embedding") {
        const inputDim = positiveInt(config["input_dim"], `${what} input_dim`, lim);
        const outputDim = positiveInt(config["output_dim"], `${what} output_dim`, lim);
        expect(name, "embeddings", [inputDim, outputDim]);
        const length = config["input_length"];
        shape = [typeof length === "number" ? length : null, outputDim];
      } else if (className in RNN_GATES) {
        const units = positiveInt(config["units"], `${what} units`, lim);
        const gates = RNN_GATES[className]!;
        expect(name, "kernel", [last, gates * units]);
        expect(name, "recurrent_kernel", [units, gates * units]);
        if (bias) expect(name, "bias", [gates * units]);
        shape = config["return_sequences"] === true && shape !== undefined ? [shape[0] ?? null, units] : [units];
      } else if (className === "Flatten") {
        shape = shape?.every((d) => d !== null) ? [(shape as number[]).reduce((a, b) => a * b, 1)] : undefined;
      } else if (className === "MaxPooling2D" || className === "AveragePooling2D") {
        const pool = tuple(config["pool_size"] ?? 2, 2, `${what} pool_size`, lim);
        const strides =
          config["strides"] === null || config["strides"] === undefined ? pool : tuple(config["strides"], 2, `${what} strides`, lim);
        shape =
          shape?.length === 3 && (config["data_format"] ?? "channels_last") === "channels_last"
            ? [
                spatialOut(shape[0]!, pool[0]!, strides[0]!, 1, config["padding"]),
                spatialOut(shape[1]!, pool[1]!, strides[1]!, 1, config["padding"]),
                shape[2]!,
              ]
            : undefined;
      } else if (className === "GlobalAveragePooling2D" || className === "GlobalMaxPooling2D") {
        shape = shape?.length === 3 ? [shape[2]!] : undefined;
      } else {
        shape = undefined; // not modelled: what follows is checked against its config and the file only
      }
    }
  };
  const root = (topology["model_config"] ?? topology) as LayerJson;
  walk(layersOf(topology), 0, root.class_name === "Sequential");
}
