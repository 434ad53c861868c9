import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineError, initEngine } from "./index.js";

// Backend state is global to the process; vitest runs each test file in its own process, and the
// tests below run in order.
describe("initEngine", () => {
  afterEach(() => {
    delete process.env["DCNPI_BACKEND"];
    delete process.env["DCNPI_WASM_KERNELS"];
  });

  it("rejects unknown backends and kernel sets, naming where the value came from", async () => {
    await expect(initEngine({ backend: "gpu" as never, log: false })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    process.env["DCNPI_BACKEND"] = "webgl";
    const error = await initEngine({ log: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toContain('DCNPI_BACKEND must be one of tensorflow, wasm, cpu; got "webgl"');
    delete process.env["DCNPI_BACKEND"];
    await expect(initEngine({ wasmKernels: "some" as never, log: false })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("DCNPI_BACKEND=cpu forces cpu, without the tfjs Node.js banner", async () => {
    process.env["DCNPI_BACKEND"] = "cpu";
    const lines: string[] = [];
    const info = await initEngine({ log: (line) => lines.push(line) });
    expect(info).toMatchObject({ backend: "cpu", wasmKernels: null, kernels: [], forced: true, gradients: true });
    expect(tf.getBackend()).toBe("cpu");
    expect(lines).toEqual(["dcnpi engine: backend cpu (forced)"]);
    const warn = vi.spyOn(console, "warn");
    tf.tensor([1, 2, 3]).dispose();
    expect(warn.mock.calls.flat().join(" ")).not.toContain("Hi, looks like you are running TensorFlow.js in Node.js");
    warn.mockRestore();
  });

  it("by default takes tensorflow if tfjs-node loads, else wasm with every dcnpi kernel, and says why", async () => {
    const lines: string[] = [];
    const info = await initEngine({ log: (line) => lines.push(line) });
    if (info.backend === "tensorflow") {
      expect(lines).toEqual(["dcnpi engine: backend tensorflow"]);
      return;
    }
    expect(info.backend).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.wasmKernels).toBe("all");
    expect(info.forced).toBe(false);
    expect(info.kernels).toEqual(
      expect.arrayContaining([
        "Conv2DBackpropFilter",
        "Conv2DBackpropInput",
        "BatchMatMul",
        "_FusedMatMul",
        "MaxPoolGrad",
        "UnsortedSegmentSum",
      ]),
    );
    expect(info.skipped.map((s) => s.backend)).toEqual(["tensorflow"]);
    // The absence of tfjs-node costs exactly one line; then the choice is logged.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^dcnpi engine: @tensorflow\/tfjs-node not usable \(/);
    expect(lines[1]).toBe(`dcnpi engine: backend wasm with ${info.kernels.length} dcnpi kernels (all)`);
  });

  it("is idempotent: the same request returns the same answer and logs nothing", async () => {
    const first = await initEngine({ log: false });
    const lines: string[] = [];
    const [again, concurrent] = await Promise.all([initEngine({ log: (l) => lines.push(l) }), initEngine({ log: (l) => lines.push(l) })]);
    expect(again).toBe(first);
    expect(concurrent).toBe(first);
    expect(lines).toEqual([]);
  });

  it("wasmKernels switches between all, missing (the benchmark baseline) and none (stock)", async () => {
    const all = await initEngine({ backend: "wasm", wasmKernels: "all", log: false });
    const ours = tf.getKernel("BatchMatMul", "wasm");
    expect(all.kernels).toContain("BatchMatMul");

    const missing = await initEngine({ backend: "wasm", wasmKernels: "missing", log: false });
    expect([...missing.kernels].sort()).toEqual(
      // The four stock wasm lacks, and OneHot, which it gets wrong (float32 values written as int32 bits).
      [
        "Conv2DBackpropFilter",
        "DepthwiseConv2dNativeBackpropFilter",
        "DepthwiseConv2dNativeBackpropInput",
        "OneHot",
        "UnsortedSegmentSum",
      ].sort(),
    );
    const stock = tf.getKernel("BatchMatMul", "wasm");
    expect(stock).toBeDefined();
    expect(stock).not.toBe(ours);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();

    process.env["DCNPI_WASM_KERNELS"] = "none";
    const none = await initEngine({ backend: "wasm", log: false });
    expect(none.kernels).toEqual([]);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeUndefined();
    expect(tf.getKernel("BatchMatMul", "wasm")).toBe(stock);

    const again = await initEngine({ backend: "wasm", wasmKernels: "all", log: false });
    expect(again.kernels).toEqual(all.kernels);
    expect(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc).toBe(ours?.kernelFunc);
  });

  it("a forced backend that cannot be had is an error, never a silent fallback", async () => {
    const result = await initEngine({ backend: "tensorflow", log: false }).catch((e: unknown) => e);
    if (result instanceof EngineError) {
      expect(result.code).toBe("BACKEND_UNAVAILABLE");
      expect(result.message).toMatch(/^backend tensorflow was forced but is unavailable: /);
    } else {
      expect(result).toMatchObject({ backend: "tensorflow" });
    }
  });
});
