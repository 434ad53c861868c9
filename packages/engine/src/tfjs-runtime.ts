/**
 * The chained tensor methods (`x.flatten()`, `x.add(y)`, ...) that the `@tensorflow/tfjs` umbrella
 * registers on import and `@tensorflow/tfjs-core`'s Node entry does not. tfjs-layers relies on them
 * (its orthogonal initializer, used by every LSTM, calls `flatten()`), so without them building an
 * LSTM fails in plain Node ("rMat.flatten is not a function"). We depend on core + layers + backends
 * instead of the umbrella (which drags in webgl, the converter and tfjs-data), so we add them here.
 * (Gradients, the umbrella's other side effect, are handled by `ensureGradients` in init-engine.)
 */
import * as tf from "@tensorflow/tfjs-core";
import { EngineError } from "./errors.js";

// The op a chained method calls is the method's namesake, called with the tensor first.
const SAME_NAME = [
  "abs",
  "acos",
  "acosh",
  "add",
  "all",
  "any",
  "argMax",
  "argMin",
  "asin",
  "asinh",
  "atan",
  "atan2",
  "atanh",
  "batchToSpaceND",
  "batchNorm",
  "broadcastTo",
  "cast",
  "ceil",
  "clipByValue",
  "conv1d",
  "conv2d",
  "cos",
  "cosh",
  "cumprod",
  "cumsum",
  "depthToSpace",
  "div",
  "divNoNan",
  "dot",
  "elu",
  "equal",
  "erf",
  "euclideanNorm",
  "exp",
  "expandDims",
  "expm1",
  "fft",
  "floor",
  "floorDiv",
  "gather",
  "greater",
  "greaterEqual",
  "ifft",
  "irfft",
  "isFinite",
  "isInf",
  "isNaN",
  "leakyRelu",
  "less",
  "lessEqual",
  "log",
  "log1p",
  "logSigmoid",
  "logSoftmax",
  "logSumExp",
  "logicalAnd",
  "logicalNot",
  "logicalOr",
  "logicalXor",
  "matMul",
  "max",
  "maximum",
  "mean",
  "min",
  "minimum",
  "mirrorPad",
  "mod",
  "mul",
  "neg",
  "norm",
  "notEqual",
  "oneHot",
  "onesLike",
  "pad",
  "pool",
  "pow",
  "prelu",
  "prod",
  "reciprocal",
  "relu",
  "relu6",
  "reshape",
  "reverse",
  "rfft",
  "round",
  "rsqrt",
  "selu",
  "sigmoid",
  "sign",
  "sin",
  "sinh",
  "slice",
  "softmax",
  "softplus",
  "spaceToBatchND",
  "split",
  "sqrt",
  "square",
  "squaredDifference",
  "squeeze",
  "step",
  "stridedSlice",
  "sub",
  "sum",
  "tan",
  "tanh",
  "tile",
  "topk",
  "transpose",
  "unique",
  "unstack",
  "zerosLike",
] as const;

type AnyFn = (...args: unknown[]) => unknown;
type Proto = Record<string, unknown>;

function define(proto: Proto, name: string, method: (this: tf.Tensor, ...args: never[]) => unknown): void {
  if (typeof proto[name] === "function") return; // already registered (the umbrella, or an earlier call)
  Object.defineProperty(proto, name, {
    value: function (this: tf.Tensor, ...args: never[]) {
      this.throwIfDisposed();
      return method.apply(this, args);
    },
    writable: true,
    configurable: true,
  });
}

let chainedOpsRegistered = false;

/** Adds the chained tensor methods the umbrella package would add; idempotent. */
export function registerChainedOps(): void {
  if (chainedOpsRegistered) return;
  chainedOpsRegistered = true;
  const ops = tf as unknown as Record<string, AnyFn>;
  const proto = Object.getPrototypeOf(tf.scalar(0)) as Proto;
  for (const name of SAME_NAME) {
    const op = ops[name];
    if (typeof op === "function")
      define(proto, name, function (...args) {
        return op(this, ...args);
      });
  }
  const reshapeTo = (shape: (t: tf.Tensor, args: number[]) => number[]) =>
    function (this: tf.Tensor, ...args: number[]) {
      return tf.reshape(this, shape(this, args));
    };
  define(
    proto,
    "flatten",
    reshapeTo((t) => [t.size]),
  );
  define(
    proto,
    "as1D",
    reshapeTo((t) => [t.size]),
  );
  define(
    proto,
    "as2D",
    reshapeTo((_, a) => a.slice(0, 2)),
  );
  define(
    proto,
    "as3D",
    reshapeTo((_, a) => a.slice(0, 3)),
  );
  define(
    proto,
    "as4D",
    reshapeTo((_, a) => a.slice(0, 4)),
  );
  define(
    proto,
    "as5D",
    reshapeTo((_, a) => a.slice(0, 5)),
  );
  define(proto, "asScalar", function () {
    if (this.size !== 1) throw new EngineError("SHAPE_MISMATCH", "asScalar: the tensor must hold exactly one element");
    return tf.reshape(this, []);
  });
  define(proto, "reshapeAs", function (other: tf.Tensor) {
    return tf.reshape(this, other.shape);
  });
  define(proto, "asType", function (dtype: tf.DataType) {
    return tf.cast(this, dtype);
  });
  define(proto, "toFloat", function () {
    return tf.cast(this, "float32");
  });
  define(proto, "toInt", function () {
    return tf.cast(this, "int32");
  });
  define(proto, "toBool", function () {
    return tf.cast(this, "bool");
  });
  define(proto, "concat", function (others: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.concat([this, ...(others instanceof tf.Tensor ? [others] : others)], axis);
  });
  define(proto, "stack", function (others: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.stack([this, ...(others instanceof tf.Tensor ? [others] : others)], axis);
  });
  define(proto, "where", function (condition: tf.Tensor, other: tf.Tensor) {
    return tf.where(condition, this, other);
  });
}
