import { FunctionBuilder, type Local } from "./wasm-assembler.js";

/**
 * Register-blocked SIMD matmul on packed panels, emitted as WebAssembly at run time.
 *
 *   C[i, j] (+)= sum_k A[i, k] * B[k, j]
 *
 * A is packed in panels of MR = 4 rows, k-major ([k][4] floats per panel); B in panels of NR = 8
 * columns ([k][8] floats per panel). Each 4x8 tile of C lives in eight v128 registers for the whole
 * k loop, so every A value loaded is used 8 times and every B value 4 times. Packing is cheap (a copy)
 * and is where transposes, im2col and zero padding happen, so one kernel serves every orientation.
 */
export const MR = 4;
export const NR = 8;
const K_UNROLL = 1; // measured: unrolling makes TurboFan hoist the broadcasts of both steps and spill accumulators

export interface SimdGemm {
  /**
   * Runs the tiles `mPanels x nPanels` over `kLength` steps, starting `kStart` steps into each panel.
   * Panel strides are in bytes; C rows are `ldcBytes` apart and tile (ip, jp) starts at
   * `pc + ip*4*ldcBytes + jp*32`. With `accumulate` the tile is added to C instead of stored.
   */
  gemmBOuter(
    pa: number,
    aPanelStride: number,
    pb: number,
    bPanelStride: number,
    pc: number,
    ldcBytes: number,
    mPanels: number,
    nPanels: number,
    kStart: number,
    kLength: number,
    accumulate: number,
  ): void;
  /** Same as gemmBOuter, with the loop over A panels outside (better when A is the bigger operand). */
  gemmAOuter(
    pa: number,
    aPanelStride: number,
    pb: number,
    bPanelStride: number,
    pc: number,
    ldcBytes: number,
    mPanels: number,
    nPanels: number,
    kStart: number,
    kLength: number,
    accumulate: number,
  ): void;
}

export function buildGemm(name: string, aOuter: boolean, mr = MR, kUnroll = K_UNROLL): FunctionBuilder {
  const f = new FunctionBuilder(name, ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [pa0, aStride, pb0, bStride, pc0, ldc, mPanels, nPanels, kStart, kLength, accumulate] = f.params as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const ip = f.local("i32");
  const jp = f.local("i32");
  const pa = f.local("i32");
  const pb = f.local("i32");
  const pc = f.local("i32");
  const kLeft = f.local("i32");
  const cRow = f.local("i32");
  const acc: Local[] = [];
  for (let i = 0; i < mr * 2; i++) acc.push(f.local("v128"));
  const b0 = f.local("v128");
  const b1 = f.local("v128");
  const va = f.local("v128");

  // One k step at byte offsets (aOff, bOff) from pa / pb.
  const step = (aOff: number, bOff: number) => {
    f.get(pb).v128Load(bOff).set(b0);
    f.get(pb)
      .v128Load(bOff + 16)
      .set(b1);
    for (let r = 0; r < mr; r++) {
      f.get(pa)
        .v128Load32Splat(aOff + r * 4)
        .set(va);
      f.get(acc[2 * r]!)
        .get(va)
        .get(b0)
        .f32x4Mul()
        .f32x4Add()
        .set(acc[2 * r]!);
      f.get(acc[2 * r + 1]!)
        .get(va)
        .get(b1)
        .f32x4Mul()
        .f32x4Add()
        .set(acc[2 * r + 1]!);
    }
  };

  const [outer, outerCount, inner, innerCount] = aOuter ? [ip, mPanels, jp, nPanels] : [jp, nPanels, ip, mPanels];
  f.i32Const(0).set(outer);
  f.block().loop(); // outer panels
  {
    f.get(outer).get(outerCount).i32GeS().brIf(1);
    f.i32Const(0).set(inner);
    f.block().loop(); // inner panels
    {
      f.get(inner).get(innerCount).i32GeS().brIf(1);
      for (const a of acc) f.v128Zero().set(a);
      // pa = pa0 + ip*aStride + kStart*mr*4; pb = pb0 + jp*bStride + kStart*32
      f.get(pa0)
        .get(ip)
        .get(aStride)
        .i32Mul()
        .i32Add()
        .get(kStart)
        .i32Const(mr * 4)
        .i32Mul()
        .i32Add()
        .set(pa);
      f.get(pb0).get(jp).get(bStride).i32Mul().i32Add().get(kStart).i32Const(5).i32Shl().i32Add().set(pb);
      f.get(kLength).set(kLeft);
      // Main loop (kUnroll steps per iteration).
      f.block().loop();
      {
        f.get(kLeft).i32Const(kUnroll).i32LtS().brIf(1);
        for (let u = 0; u < kUnroll; u++) step(u * mr * 4, u * 32);
        f.addConst(pa, mr * 4 * kUnroll)
          .addConst(pb, 32 * kUnroll)
          .addConst(kLeft, -kUnroll);
        f.br(0);
      }
      f.end().end();
      if (kUnroll > 1) {
        // Remainder.
        f.block().loop();
        {
          f.get(kLeft).i32Eqz().brIf(1);
          step(0, 0);
          f.addConst(pa, mr * 4)
            .addConst(pb, 32)
            .addConst(kLeft, -1);
          f.br(0);
        }
        f.end().end();
      }
      // Store the tile at pc = pc0 + ip*mr*ldc + jp*32.
      f.get(pc0).get(ip).i32Const(mr).i32Mul().get(ldc).i32Mul().i32Add().get(jp).i32Const(5).i32Shl().i32Add().set(pc);
      f.get(accumulate).if();
      for (let r = 0; r < mr; r++) {
        f.get(pc).get(ldc).i32Const(r).i32Mul().i32Add().set(cRow);
        f.get(cRow)
          .get(cRow)
          .v128Load(0)
          .get(acc[2 * r]!)
          .f32x4Add()
          .v128Store(0);
        f.get(cRow)
          .get(cRow)
          .v128Load(16)
          .get(acc[2 * r + 1]!)
          .f32x4Add()
          .v128Store(16);
      }
      f.else();
      for (let r = 0; r < mr; r++) {
        f.get(pc).get(ldc).i32Const(r).i32Mul().i32Add().set(cRow);
        f.get(cRow)
          .get(acc[2 * r]!)
          .v128Store(0);
        f.get(cRow)
          .get(acc[2 * r + 1]!)
          .v128Store(16);
      }
      f.end();
      f.addConst(inner, 1);
      f.br(0);
    }
    f.end().end();
    f.addConst(outer, 1);
    f.br(0);
  }
  f.end().end();
  return f;
}

/** Bytes of A panels the inner loop may stream from L2 (of 512 KB) before A must go outside instead. */
const STREAM_BUDGET_BYTES = 384 * 1024;

/**
 * The loop order for one block: B panels outside (each stays in L1 while the A panels, 16 bytes per
 * k step, stream from L2) unless the A block is too big for L2, then A outside. Measured on the
 * LeNet shapes: streaming A beats streaming B (32 bytes per k step) when both fit.
 */
export function chooseGemm(gemm: SimdGemm, mPanels: number, nPanels: number, kLength: number): SimdGemm["gemmAOuter"] {
  const aBytes = mPanels * kLength * MR * 4;
  const bBytes = nPanels * kLength * NR * 4;
  return aBytes > STREAM_BUDGET_BYTES && aBytes > bBytes ? gemm.gemmAOuter : gemm.gemmBOuter;
}
