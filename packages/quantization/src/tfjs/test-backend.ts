// Which backend the tfjs unit tests run on: cpu by default (tiny models, no start-up cost), or the
// engine's choice when DCNPI_BACKEND is set (e.g. DCNPI_BACKEND=wasm npx vitest run).
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";

export async function useTestBackend(): Promise<string> {
  if (process.env["DCNPI_BACKEND"] !== undefined) {
    const { initEngine } = await import("@dcnpi/engine");
    return (await initEngine()).backend;
  }
  await tf.setBackend("cpu");
  return "cpu";
}
