import { describe, expect, it } from "vitest";
import { balancedShape, huffmanLengths, shapeFromLengths } from "./bit-tree.js";
import {
  MAX_RATE_SHIFT,
  MIN_RATE_SHIFT,
  TREE_MODELS,
  chooseTreeModel,
  modelByte,
  parseModelByte,
  rateShifts,
  treeBits,
  treeCostBits,
} from "./bit-tree.js";
import { encodeSymbolsDetailed } from "./arithmetic-stream.js";
import { laplacianCodes, seededRandom } from "./test-random.js";

describe("bit-tree binarisation (format version 2)", () => {
  it("uses ceil(log2 A) bins a symbol, at least one", () => {
    expect([1, 2, 3, 4, 5, 32, 33, 255, 256].map(treeBits)).toEqual([1, 1, 2, 2, 3, 5, 6, 8, 8]);
  });

  it("adapts at about 1/(n + 1.5) per update, down to 2^-rateShift", () => {
    const table = rateShifts(7);
    expect(Array.from(table.subarray(0, 12))).toEqual([1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4]);
    expect(table[255]).toBe(7);
    expect(rateShifts(8)[255]).toBe(8);
    expect(Math.max(...rateShifts(4))).toBe(4);
  });

  it("stores the model in one byte and rejects bytes no encoder writes", () => {
    expect(TREE_MODELS).toHaveLength(2 * (MAX_RATE_SHIFT - MIN_RATE_SHIFT + 1));
    for (const model of TREE_MODELS) expect(parseModelByte(modelByte(model))).toEqual(model);
    for (const byte of [0, 3, 9, 15, 0x13, 0x20, 0x80, 0xff]) expect(parseModelByte(byte)).toBeUndefined();
  });

  it("picks a slow rate for a stationary stream and the coder matches the cost model", () => {
    const symbols = laplacianCodes(seededRandom(3), 50_000, 32, 16, 2.5);
    const chosen = chooseTreeModel(symbols, 32, 16);
    expect(chosen.model.rateShift).toBeGreaterThanOrEqual(7);
    expect(chosen.bits).toBeLessThan(treeCostBits(symbols, chosen.shape, 16, { ...chosen.model, rateShift: 4 }));
    const payload = encodeSymbolsDetailed(symbols, { alphabetSize: 32 }).payloadBytes;
    expect(Math.abs(payload - chosen.bits / 8)).toBeLessThan(payload * 0.001 + 4);
  });

  it("chooses the conditioned model when runs of the mode carry information", () => {
    const random = seededRandom(9);
    const symbols = new Uint8Array(30_000);
    for (let i = 0; i < symbols.length; i++) symbols[i] = Math.floor(i / 50) % 2 === 0 ? 0 : 1 + Math.floor(random() * 15);
    expect(chooseTreeModel(symbols, 16, 0).model.conditioned).toBe(true);
  });

  it("builds Huffman-shaped trees: lengths limited to 15, complete, every symbol's path reaches its leaf", () => {
    // Fibonacci counts would give a 29-deep Huffman tree; the limit halves counts until 15 fits.
    const fib = [1, 1];
    while (fib.length < 30) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    const lengths = huffmanLengths(Uint32Array.from(fib))!;
    expect(Math.max(...lengths)).toBeLessThanOrEqual(15);
    for (const shape of [shapeFromLengths(lengths)!, balancedShape(30), balancedShape(1)]) {
      for (let s = 0; s < shape.codes.length; s++) {
        if (shape.lengths[s] === 0) continue;
        let node = 0;
        for (let j = shape.lengths[s]! - 1; j >= 0; j--) node = shape.kids[2 * node + ((shape.codes[s]! >>> j) & 1)]!;
        expect(node).toBe(shape.internal + s);
      }
    }
    expect(huffmanLengths(Uint32Array.of(0, 5, 0))).toBeUndefined();
    expect(shapeFromLengths(Uint8Array.of(1, 1))!.minBins).toBe(1);
    expect(shapeFromLengths(Uint8Array.of(1, 2))).toBeUndefined(); // incomplete
    expect(shapeFromLengths(Uint8Array.of(1, 1, 1))).toBeUndefined(); // over-full
    expect(shapeFromLengths(Uint8Array.of(0, 1))).toBeUndefined(); // one symbol
  });
});
