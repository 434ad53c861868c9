import { describe, expect, it } from "vitest";
import { assembleModule, FunctionBuilder } from "./wasm-assembler.js";
import { dcnpiWasmBytes } from "./wasm-module.js";

const api = (
  globalThis as unknown as {
    WebAssembly: {
      validate(b: Uint8Array): boolean;
      Module: new (b: Uint8Array) => object;
      Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => number> };
      Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
    };
  }
).WebAssembly;

describe("wasm assembler", () => {
  it("emits valid modules whose functions compute what they say (LEB128 constants, loops, SIMD)", () => {
    // sum4(p, n): sum of n floats at p, 4 at a time with f32x4, plus a large and a negative constant.
    const f = new FunctionBuilder("sum", ["i32", "i32"], ["f32"]);
    const [p, n] = f.params as [{ index: number; type: "i32" }, { index: number; type: "i32" }];
    const i = f.local("i32");
    const acc = f.local("v128");
    f.v128Zero().set(acc);
    f.forRange(
      i,
      0,
      n,
      () => {
        f.get(acc).get(p).v128Load(0).f32x4Add().set(acc);
        f.addConst(p, 16);
      },
      4,
    );
    f.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add();
    f.get(acc).f32x4ExtractLane(2).get(acc).f32x4ExtractLane(3).f32Add().f32Add();
    const c = new FunctionBuilder("constant", [], ["i32"]);
    c.i32Const(300_000).i32Const(-129).i32Add();
    const bytes = assembleModule([f, c]);
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1 });
    const { exports } = new api.Instance(new api.Module(bytes), { env: { memory } });
    new Float32Array(memory.buffer).set([1, 2, 3, 4, 5, 6, 7, 8], 4);
    expect(exports["sum"]!(16, 8)).toBe(36);
    expect(exports["constant"]!()).toBe(299_871);
  });

  it("the dcnpi module validates", () => {
    expect(api.validate(dcnpiWasmBytes())).toBe(true);
    expect(dcnpiWasmBytes().length).toBeLessThan(20_000);
  });
});
