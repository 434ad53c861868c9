import * as tf from "@tensorflow/tfjs-core";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface EngineOptions {
  /** Force a backend; otherwise DCNPI_BACKEND, otherwise the fastest that loads. */
  readonly backend?: BackendName;
  /** Where one-line notices go (the chosen backend, why a faster one was skipped). */
  readonly log?: (line: string) => void;
}

export interface EngineInfo {
  readonly backend: BackendName;
}

// PLACEHOLDER: the engine issue replaces this with the full selection logic and the wasm kernels.
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const wanted = options.backend ?? (process.env["DCNPI_BACKEND"] as BackendName | undefined) ?? "wasm";
  if (wanted === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm");
    if (await tf.setBackend("wasm")) return { backend: "wasm" };
  }
  await import("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  return { backend: "cpu" };
}
