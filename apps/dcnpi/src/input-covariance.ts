/**
 * `--feedback`: what error feedback (GPTQ; `feedbackFactor` of @dcnpi/quantization) needs from the
 * user's inputs: for every kernel whose rows are its input features (Dense / MatMul kernels [in, out],
 * 1x1 convolutions [1, 1, in, out]), Σ x xᵀ of the vectors that reach it, over the search split
 * (the held-out split stays unseen). Graph models are run by stock tfjs-converter up to each kernel's
 * input node; layers models through one model whose outputs are those layers' inputs. Other kernels
 * (k x k and depthwise convolutions) keep nearest-centroid codes.
 */
import { CompressionError, feedbackFactor, type ExampleBatch, type FeedbackFactor, type GraphModelSpec } from "@dcnpi/deep-compression";
import type { Progress } from "@dcnpi/run-kit";
import type { WeightMap } from "@dcnpi/tensor";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { LayersModel, SymbolicTensor } from "@tensorflow/tfjs-layers";

/** A kernel error feedback applies to, and the tensor that feeds it (a graph node output or a layer's input). */
interface Fed<T> {
  readonly weight: string;
  readonly features: number;
  readonly source: T;
}

/** Input floats per slice: activations are many times the input; 6 images of 224x224x3, 256 MNIST digits. */
const SLICE_FLOATS = 1 << 20;

/**
 * Kernels with more input features keep nearest codes: Σ x xᵀ grows with the square of the count
 * read from the model (4096: 128 MB of float64) and its factorisation with the cube (~1 min here).
 */
export const MAX_FEEDBACK_FEATURES = 4096;

/** The kernels within `MAX_FEEDBACK_FEATURES`; the others are named through `log`. */
function feasible<T>(fed: readonly Fed<T>[], log: (line: string) => void): Fed<T>[] {
  const kept = fed.filter((f) => f.features <= MAX_FEEDBACK_FEATURES);
  for (const f of fed)
    if (f.features > MAX_FEEDBACK_FEATURES)
      log(`--feedback: ${f.weight} has ${f.features} input features (more than ${MAX_FEEDBACK_FEATURES}): nearest-centroid codes`);
  return kept;
}

function bareName(input: string): string {
  return input.replace(/:0$/, "");
}

/** The graph's Dense-like kernels: MatMul without transposes, and 1x1 NHWC convolutions, with their input. */
export function graphFedKernels(spec: GraphModelSpec, weights: WeightMap): Fed<string>[] {
  const found: Fed<string>[] = [];
  for (const node of spec.modelTopology.node) {
    const [input, kernel] = node.input ?? [];
    if (input === undefined || kernel === undefined || !weights.has(bareName(kernel))) continue;
    const name = bareName(kernel);
    const { shape, dtype } = weights.get(name);
    if (dtype !== "float32") continue;
    const attr = (node.attr ?? {}) as Record<string, { b?: boolean; s?: string } | undefined>;
    const isMatMul = (node.op === "MatMul" || node.op === "_FusedMatMul") && shape.length === 2;
    const nhwc = attr["data_format"]?.s === undefined || Buffer.from(attr["data_format"].s, "base64").toString() === "NHWC";
    const isPointwise = (node.op === "Conv2D" || node.op === "_FusedConv2D") && shape.length === 4 && shape[0] === 1 && shape[1] === 1;
    if (isMatMul && (attr["transpose_a"]?.b === true || attr["transpose_b"]?.b === true)) continue;
    if (!isMatMul && !(isPointwise && nhwc)) continue;
    found.push({ weight: name, features: shape[shape.length - 2]!, source: input });
  }
  return found;
}

/** The layers model's Dense kernels and 1x1 channels-last Conv2D kernels, with the symbolic tensor entering each. */
export function layersFedKernels(model: LayersModel): Fed<SymbolicTensor>[] {
  const found: Fed<SymbolicTensor>[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const config = layer.getConfig();
    const kernel = layer.weights.find((v) => v.originalName.endsWith("/kernel"));
    if (kernel === undefined || layer.inboundNodes.length !== 1) continue;
    const shape = kernel.shape;
    const pointwise = className === "Conv2D" && shape[0] === 1 && shape[1] === 1 && config["dataFormat"] !== "channelsFirst";
    if (className !== "Dense" && !pointwise) continue;
    const input = layer.inboundNodes[0]!.inputTensors[0]!;
    found.push({ weight: kernel.originalName, features: shape[shape.length - 2]!, source: input });
  }
  return found;
}

/** Adds Σ x xᵀ of `activation` (features on the last axis) into `into`. */
function accumulate(activation: tf.Tensor, into: Float64Array, features: number, weight: string): void {
  if (activation.shape[activation.shape.length - 1] !== features)
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `--feedback: the input of ${weight} has shape [${activation.shape.join(",")}], its kernel expects ${features} features`,
    );
  const product = tf.tidy(() => {
    const rows = tf.reshape(activation, [-1, features]);
    return tf.matMul(rows, rows, true, false);
  });
  const values = product.dataSync();
  product.dispose();
  for (let i = 0; i < values.length; i++) into[i]! += values[i]!;
}

async function covariances<T>(
  fed: readonly Fed<T>[],
  examples: ExampleBatch,
  run: (inputs: tf.Tensor) => tf.Tensor[] | Promise<tf.Tensor[]>,
  progress: Progress,
): Promise<Map<string, Float64Array>> {
  const sums = new Map(fed.map((f) => [f.weight, new Float64Array(f.features * f.features)]));
  const per = examples.data.length / examples.count;
  const slice = Math.max(1, Math.min(256, Math.floor(SLICE_FLOATS / per)));
  for (let start = 0; start < examples.count; start += slice) {
    const count = Math.min(slice, examples.count - start);
    const inputs = tf.tensor(examples.data.subarray(start * per, (start + count) * per), [count, ...examples.shape]);
    const outputs = await run(inputs);
    try {
      fed.forEach((f, i) => accumulate(outputs[i]!, sums.get(f.weight)!, f.features, f.weight));
    } finally {
      tf.dispose([inputs, ...outputs]);
    }
    progress.update(start + count, `${start + count} inputs`);
  }
  return sums;
}

/** Error feedback factors for a graph model's Dense-like kernels, from `examples` run through `graph`. */
export async function graphFeedback(
  graph: GraphModel,
  spec: GraphModelSpec,
  weights: WeightMap,
  examples: ExampleBatch,
  progress: (label: string, total: number) => Progress,
  log: (line: string) => void = () => {},
): Promise<Map<string, FeedbackFactor>> {
  const fed = feasible(graphFedKernels(spec, weights), log);
  if (fed.length === 0) return new Map();
  const names = [...new Set(fed.map((f) => f.source))];
  const bar = progress("input covariances", examples.count);
  const sums = await covariances(
    fed,
    examples,
    (inputs) => {
      const outputs = graph.execute(inputs, names) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(outputs) ? outputs : [outputs];
      // One tensor per kernel (kernels that share an input share its tensor; disposing twice is harmless).
      return fed.map((f) => list[names.indexOf(f.source)]!);
    },
    bar,
  );
  bar.stop();
  return factors(fed, sums, progress);
}

/** Error feedback factors for a layers model's Dense and 1x1 Conv2D kernels. */
export async function layersFeedback(
  model: LayersModel,
  examples: ExampleBatch,
  progress: (label: string, total: number) => Progress,
  log: (line: string) => void = () => {},
): Promise<Map<string, FeedbackFactor>> {
  const fed = feasible(layersFedKernels(model), log);
  if (fed.length === 0) return new Map();
  const probe = tfl.model({ inputs: model.inputs, outputs: fed.map((f) => f.source) });
  const bar = progress("input covariances", examples.count);
  const sums = await covariances(
    fed,
    examples,
    (inputs) => {
      const outputs = probe.predict(inputs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(outputs) ? outputs : [outputs];
    },
    bar,
  );
  bar.stop();
  return factors(fed, sums, progress);
}

function factors<T>(fed: readonly Fed<T>[], sums: ReadonlyMap<string, Float64Array>, progress: (label: string, total: number) => Progress) {
  const bar = progress("feedback factors", fed.length);
  const out = new Map<string, FeedbackFactor>();
  fed.forEach((f, i) => {
    out.set(f.weight, feedbackFactor({ size: f.features, matrix: sums.get(f.weight)! }, { name: f.weight }));
    bar.update(i + 1, f.weight);
  });
  bar.stop();
  return out;
}
