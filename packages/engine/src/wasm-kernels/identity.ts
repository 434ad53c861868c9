import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";

/**
 * Identity without a copy (replaces the stock wasm kernel, which copies the data): the output shares
 * the input's data with one more reference, as in the cpu and webgl backends. Tensors are immutable,
 * so sharing is safe; tfjs runs Identity for every output of a custom-gradient op (fused conv and
 * matmul in training), where the copies cost several milliseconds per LeNet-5 step.
 */
function identityKernel(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identityConfig(stock: KernelConfig | undefined): KernelConfig {
  return {
    kernelName: Identity,
    backendName: "wasm",
    kernelFunc: identityKernel as unknown as KernelFunc,
    ...(stock?.setupFunc !== undefined ? { setupFunc: stock.setupFunc } : {}),
  };
}
