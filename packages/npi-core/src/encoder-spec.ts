import type { Tensor, Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { WeightInfo } from "@dcnpi/tensor";

/**
 * How a parameter starts (ours; the paper gives no initialisation). `glorot-uniform` uses the first
 * dimension as fan-in and the product of the rest as fan-out; `orthogonal` is for square-ish
 * recurrent matrices; `normal` draws N(0, std²); `uniform` draws from [-limit, limit].
 */
export type ParameterInit =
  | "glorot-uniform"
  | "orthogonal"
  | "zeros"
  | { readonly normal: number }
  | { readonly uniform: number }
  | { readonly constant: number }
  | { readonly values: Float32Array };

/** What the model gives a custom encoder when it builds it. */
export interface EncoderContext {
  readonly environment: string;
  readonly observationShape: readonly number[];
  /** Values per argument slot (the model's argument heads' width). */
  readonly argumentDepth: number;
  /**
   * The arguments `[n, 3]` (int32) as the encoder's input `[n, 3 × argumentDepth]`: one-hot, or zeros
   * for a model trained before the wasm OneHot fix (`NpiModelConfig.argumentEncoding`). Use this, not
   * `tf.oneHot`, so every backend and every stored model gets what it was trained with.
   */
  encodeArguments(args: Tensor2D): Tensor2D;
  /** Width the encoder must produce (the model's `stateSize`, D in the paper). */
  readonly outputSize: number;
  /**
   * Creates a trainable parameter named `encoder/<environment>/<name>`, seeded from the model's
   * generator by that name, and registers it (in creation order) in the model's weight map.
   */
  parameter(name: string, shape: readonly number[], init: ParameterInit, info?: WeightInfo): Variable;
  /** `x·kernel + bias` with gradients that avoid transposed matmuls (slow on the stock wasm backend). */
  linear(x: Tensor2D, kernel: Tensor, bias?: Tensor): Tensor2D;
}

/** A state encoder `f_enc(e, a) -> s`: one per environment. */
export interface Encoder {
  /**
   * `observations` is `[n, ...observationShape]` float32, `args` is `[n, 3]` int32; returns `[n, outputSize]`.
   * Called inside `tf.tidy` and inside gradient tapes: use tfjs ops only, no `dataSync`.
   */
  encode(observations: Tensor, args: Tensor2D): Tensor2D;
}

/**
 * The encoder a task asks for. `mlp` (ours, for scratch-pad tasks): one-hot arguments appended to the
 * flattened observation, then ReLU hidden layers, then a linear layer to `outputSize` (eq. 9-10 say
 * "an MLP" without sizes). `custom`: any tfjs computation, e.g. the car task's CNN (eq. 11).
 */
export type EncoderSpec =
  | { readonly kind: "mlp"; readonly hiddenSizes: readonly number[] }
  | { readonly kind: "custom"; readonly create: (context: EncoderContext) => Encoder };
