/**
 * The page's TensorFlow.js backend: wasm (the .wasm files are bundled into dist/, nothing is fetched
 * from a CDN), or cpu when wasm cannot start; `?backend=cpu|wasm|webgl` picks one (webgl is only in
 * the benchmark page's bundle).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import simdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";

export async function initBackend(preferred: string = new URLSearchParams(location.search).get("backend") ?? "wasm"): Promise<string> {
  // A static server sends no cross-origin-isolation headers, so the threaded build could never start:
  // say so up front rather than ship its .wasm.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  setWasmPaths({
    "tfjs-backend-wasm.wasm": wasmUrl,
    "tfjs-backend-wasm-simd.wasm": simdUrl,
    "tfjs-backend-wasm-threaded-simd.wasm": simdUrl,
  });
  let ok = false;
  try {
    ok = await tf.setBackend(preferred);
  } catch (error) {
    console.warn(`backend ${preferred} failed: ${String(error)}`);
  }
  if (!ok) await tf.setBackend("cpu");
  await tf.ready();
  return tf.getBackend();
}
