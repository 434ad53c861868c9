/**
 * A very small WebAssembly assembler: just enough of the binary format (and of the fixed-width SIMD
 * proposal) to emit our matmul micro-kernels from TypeScript at run time. Emitting the module here,
 * instead of shipping a prebuilt .wasm, keeps the package free of binary artefacts and of a C
 * toolchain; every instruction used is listed below with its opcode.
 *
 * The module imports the memory of the tfjs wasm backend, so its functions work in place on tensors.
 */

import { signedLeb128, unsignedLeb128 } from "@dcnpi/base";

export type ValueType = "i32" | "f32" | "v128";

const VALUE_TYPE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function unsignedLeb(value: number, out: number[]): void {
  out.push(...unsignedLeb128(value));
}

function signedLeb(value: number, out: number[]): void {
  out.push(...signedLeb128(value));
}

function encodeName(name: string, out: number[]): void {
  const bytes = new TextEncoder().encode(name);
  unsignedLeb(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** A local variable or parameter of the function being built. */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

/**
 * Builds one function body. Methods push instructions in stack-machine order; structured control
 * (block/loop/if) is closed with `end()`. Branch depths are counted by the caller, as in the text format.
 */
export class FunctionBuilder {
  readonly #code: number[] = [];
  readonly #locals: ValueType[] = [];
  readonly params: Local[];

  constructor(
    readonly name: string,
    readonly paramTypes: readonly ValueType[],
    readonly resultTypes: readonly ValueType[] = [],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  local(type: ValueType): Local {
    this.#locals.push(type);
    return { index: this.paramTypes.length + this.#locals.length - 1, type };
  }

  #op(...bytes: number[]): this {
    for (const b of bytes) this.#code.push(b);
    return this;
  }

  #simd(opcode: number): this {
    this.#code.push(0xfd);
    unsignedLeb(opcode, this.#code);
    return this;
  }

  #memarg(alignLog2: number, offset: number): void {
    unsignedLeb(alignLog2, this.#code);
    unsignedLeb(offset, this.#code);
  }

  get(l: Local): this {
    this.#op(0x20);
    unsignedLeb(l.index, this.#code);
    return this;
  }
  set(l: Local): this {
    this.#op(0x21);
    unsignedLeb(l.index, this.#code);
    return this;
  }
  tee(l: Local): this {
    this.#op(0x22);
    unsignedLeb(l.index, this.#code);
    return this;
  }

  i32Const(v: number): this {
    this.#op(0x41);
    signedLeb(v, this.#code);
    return this;
  }
  i32Add(): this {
    return this.#op(0x6a);
  }
  i32Sub(): this {
    return this.#op(0x6b);
  }
  i32Mul(): this {
    return this.#op(0x6c);
  }
  i32Shl(): this {
    return this.#op(0x74);
  }
  i32LtS(): this {
    return this.#op(0x48);
  }
  i32LtU(): this {
    return this.#op(0x49);
  }
  i32GeS(): this {
    return this.#op(0x4e);
  }
  i32Eqz(): this {
    return this.#op(0x45);
  }
  i32Eq(): this {
    return this.#op(0x46);
  }
  i32GtS(): this {
    return this.#op(0x4a);
  }
  i32LeS(): this {
    return this.#op(0x4c);
  }
  i32GeU(): this {
    return this.#op(0x4f);
  }
  /** [a, b, condition] -> condition !== 0 ? a : b */
  select(): this {
    return this.#op(0x1b);
  }
  i32And(): this {
    return this.#op(0x71);
  }
  i32Or(): this {
    return this.#op(0x72);
  }
  i32ShrU(): this {
    return this.#op(0x76);
  }
  i32Ne(): this {
    return this.#op(0x47);
  }

  /** `local += delta` where delta is a constant. */
  addConst(l: Local, delta: number): this {
    return this.get(l).i32Const(delta).i32Add().set(l);
  }
  /** `local += other`. */
  addLocal(l: Local, other: Local): this {
    return this.get(l).get(other).i32Add().set(l);
  }

  f32Const(v: number): this {
    this.#op(0x43);
    const bytes = new Uint8Array(new Float32Array([v]).buffer);
    for (const b of bytes) this.#code.push(b);
    return this;
  }
  f32Load(offset = 0): this {
    this.#op(0x2a);
    this.#memarg(2, offset);
    return this;
  }
  f32Store(offset = 0): this {
    this.#op(0x38);
    this.#memarg(2, offset);
    return this;
  }
  f32Add(): this {
    return this.#op(0x92);
  }
  f32Mul(): this {
    return this.#op(0x94);
  }
  f32Gt(): this {
    return this.#op(0x5e);
  }
  f32Lt(): this {
    return this.#op(0x5d);
  }

  v128Load(offset = 0): this {
    this.#simd(0x00);
    this.#memarg(0, offset); // alignment hint 1 byte: our addresses are only 4-byte aligned
    return this;
  }
  v128Load32Splat(offset = 0): this {
    this.#simd(0x09);
    this.#memarg(2, offset);
    return this;
  }
  v128Store(offset = 0): this {
    this.#simd(0x0b);
    this.#memarg(0, offset);
    return this;
  }
  f32x4Splat(): this {
    return this.#simd(0x13);
  }
  f32x4ExtractLane(lane: number): this {
    this.#simd(0x1f);
    this.#code.push(lane);
    return this;
  }
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  f32x4Max(): this {
    return this.#simd(0xe9);
  }
  /** pmax(a, b) = a < b ? b : a (so pmax(x, 0) is relu with the cpu backend's NaN and -0 behaviour). */
  f32x4Pmax(): this {
    return this.#simd(0xeb);
  }
  /** `i8x16.shuffle` with 16 lane indices: broadcasting one f32 lane of a vector is a shuffle. */
  i8x16Shuffle(lanes: readonly number[]): this {
    this.#simd(0x0d);
    for (const lane of lanes) this.#code.push(lane);
    return this;
  }
  /** Broadcast float lane `lane` of the vector on the stack (needs the vector twice on the stack). */
  f32x4BroadcastLane(lane: number): this {
    const lanes: number[] = [];
    for (let i = 0; i < 4; i++) for (let b = 0; b < 4; b++) lanes.push(lane * 4 + b);
    return this.i8x16Shuffle(lanes);
  }
  /** v128.const with four i32 lanes. */
  v128ConstI32(lanes: readonly [number, number, number, number]): this {
    this.#simd(0x0c);
    for (const b of new Uint8Array(Int32Array.from(lanes).buffer)) this.#code.push(b);
    return this;
  }
  i32x4Splat(): this {
    return this.#simd(0x11);
  }
  i32x4ExtractLane(lane: number): this {
    this.#simd(0x1b);
    this.#code.push(lane);
    return this;
  }
  i32x4Add(): this {
    return this.#simd(0xae);
  }
  f32x4Gt(): this {
    return this.#simd(0x44);
  }
  /** [a, b, mask] -> (a & mask) | (b & ~mask) */
  v128Bitselect(): this {
    return this.#simd(0x52);
  }
  v128Zero(): this {
    this.#simd(0x0c);
    for (let i = 0; i < 16; i++) this.#code.push(0);
    return this;
  }

  block(): this {
    return this.#op(0x02, 0x40);
  }
  loop(): this {
    return this.#op(0x03, 0x40);
  }
  if(): this {
    return this.#op(0x04, 0x40);
  }
  else(): this {
    return this.#op(0x05);
  }
  end(): this {
    return this.#op(0x0b);
  }
  br(depth: number): this {
    this.#op(0x0c);
    unsignedLeb(depth, this.#code);
    return this;
  }
  brIf(depth: number): this {
    this.#op(0x0d);
    unsignedLeb(depth, this.#code);
    return this;
  }
  return(): this {
    return this.#op(0x0f);
  }

  /**
   * for (i = from; i < to; i += step) body(). `from`/`to` are locals or constants. Inside `body`,
   * branch depth 0 is the loop (continue after the increment is not available: use `if` to skip).
   */
  forRange(i: Local, from: Local | number, to: Local | number, body: () => void, step = 1): this {
    const push = (v: Local | number) => (typeof v === "number" ? this.i32Const(v) : this.get(v));
    push(from).set(i);
    this.block().loop();
    this.get(i);
    push(to);
    this.i32GeS().brIf(1);
    body();
    this.addConst(i, step).br(0);
    return this.end().end();
  }

  /** The encoded body (locals + code + final `end`). */
  encodeBody(): number[] {
    const out: number[] = [];
    const groups: { count: number; type: ValueType }[] = [];
    for (const type of this.#locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last.type === type) last.count++;
      else groups.push({ count: 1, type });
    }
    unsignedLeb(groups.length, out);
    for (const g of groups) {
      unsignedLeb(g.count, out);
      out.push(VALUE_TYPE[g.type]);
    }
    for (const b of this.#code) out.push(b);
    out.push(0x0b);
    const sized: number[] = [];
    unsignedLeb(out.length, sized);
    return sized.concat(out);
  }
}

function section(id: number, payload: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(payload.length, out);
  for (const b of payload) out.push(b);
}

/**
 * A module with one imported memory (`env.memory`) and the given exported functions.
 * Functions are exported under their names; there are no calls between them.
 */
export function assembleModule(functions: readonly FunctionBuilder[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  unsignedLeb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    unsignedLeb(f.paramTypes.length, types);
    for (const t of f.paramTypes) types.push(VALUE_TYPE[t]);
    unsignedLeb(f.resultTypes.length, types);
    for (const t of f.resultTypes) types.push(VALUE_TYPE[t]);
  }
  section(1, types, out);

  const imports: number[] = [];
  unsignedLeb(1, imports);
  encodeName("env", imports);
  encodeName("memory", imports);
  imports.push(0x02, 0x00); // memory, limits without maximum
  unsignedLeb(1, imports);
  section(2, imports, out);

  const funcs: number[] = [];
  unsignedLeb(functions.length, funcs);
  functions.forEach((_, i) => unsignedLeb(i, funcs));
  section(3, funcs, out);

  const exports: number[] = [];
  unsignedLeb(functions.length, exports);
  functions.forEach((f, i) => {
    encodeName(f.name, exports);
    exports.push(0x00);
    unsignedLeb(i, exports);
  });
  section(7, exports, out);

  const code: number[] = [];
  unsignedLeb(functions.length, code);
  for (const f of functions) for (const b of f.encodeBody()) code.push(b);
  section(10, code, out);

  return Uint8Array.from(out);
}
