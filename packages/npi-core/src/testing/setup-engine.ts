// Test helper (not exported): picks the backend the way apps do (DCNPI_BACKEND, else wasm with the
// dcnpi kernels), once per test file.
import { initEngine } from "@dcnpi/engine";
import "@tensorflow/tfjs-layers";
import { beforeAll } from "vitest";

export function useEngine(): void {
  beforeAll(async () => {
    await initEngine({ log: false });
  });
}
