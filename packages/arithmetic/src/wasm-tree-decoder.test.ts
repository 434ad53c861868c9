import "./wasm.js";
import { encodeBase64 } from "@dcnpi/base";
import { describe, expect, it } from "vitest";
import { decodeSymbols, encodeSymbols, encodeWithVersion } from "./arithmetic-stream.js";
import {
  MAX_RATE_SHIFT,
  MIN_RATE_SHIFT,
  balancedShape,
  decodeTree,
  encodeTree,
  huffmanLengths,
  shapeFromLengths,
  type ContextClasses,
  type TreeModel,
  type TreeShape,
} from "./bit-tree.js";
import { ArithmeticError } from "./errors.js";
import { RangeEncoder } from "./range-coder.js";
import { geometricGaps, laplacianCodes, seededRandom, sparseStreams } from "./test-random.js";
import { decodeTreeWasm, wasmTreeDecoderAvailable } from "./wasm-tree-decoder.js";
import { treeDecoderModuleBytes } from "./wasm-tree-emitter.js";
import { TREE_DECODER_WASM } from "./wasm-tree-module.js";

/*
 * The WebAssembly decode loop against the JavaScript one: the same symbols for every model a stream
 * can declare (each floor rate, balanced and shaped trees, plain, conditioned and class-coded), across
 * its chunk and input-window boundaries, and the same outcome (symbols, or error code and message) for
 * every truncation and thousands of mutations of valid streams.
 */

type Selection = "plain" | "conditioned" | "classed 2 x 3" | "classed 1 x 4";

/** Symbols with runs of the centre (so conditioning and classes matter) over `alphabetSize`. */
function runsAndLaplace(random: () => number, count: number, alphabetSize: number): Uint32Array {
  const center = alphabetSize >> 1;
  const spread = Math.max(0.6, alphabetSize / 10);
  const codes = laplacianCodes(random, count, alphabetSize, center, spread);
  for (let i = 1; i < count; i++) if (codes[i - 1] === center && random() < 0.5) codes[i] = center;
  return codes;
}

function classesFor(selection: Selection, symbols: Uint32Array, alphabetSize: number, random: () => number): ContextClasses | undefined {
  if (selection === "classed 2 x 3") {
    return {
      sideClasses: 2,
      side: Uint8Array.from(symbols, () => (random() < 0.3 ? 1 : 0)),
      previousClasses: 3,
      previousMap: Uint8Array.from({ length: alphabetSize }, (_, s) => s % 3),
    };
  }
  if (selection === "classed 1 x 4")
    return { sideClasses: 1, previousClasses: 4, previousMap: Uint8Array.from({ length: alphabetSize }, (_, s) => Math.min(3, s >> 2)) };
  return undefined;
}

/** encodeTree's payload for exactly this model (the encoder would pick its own). */
function payload(symbols: Uint32Array, shape: TreeShape, center: number, model: TreeModel, classes?: ContextClasses): Uint8Array {
  const encoder = new RangeEncoder(64, true);
  encodeTree(encoder, symbols, shape, center, model, classes);
  return encoder.finish();
}

describe("WebAssembly decode loop", () => {
  it("ships the module its emitter writes (regenerate with scripts/emit-tree-decoder.ts)", () => {
    expect(encodeBase64(treeDecoderModuleBytes())).toBe(TREE_DECODER_WASM);
  });

  it("is a valid module, available in Node", () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(treeDecoderModuleBytes())).toBe(true);
    expect(wasmTreeDecoderAvailable()).toBe(true);
  });

  it("decodes every model variant to the JavaScript loop's symbols", () => {
    const random = seededRandom(0x3a5f);
    let compared = 0;
    for (const alphabetSize of [2, 5, 32, 64, 256]) {
      const symbols = runsAndLaplace(random, 2500, alphabetSize);
      const counts = new Uint32Array(alphabetSize);
      for (const s of symbols) counts[s]!++;
      const center = counts.indexOf(Math.max(...counts));
      const shaped = shapeFromLengths(huffmanLengths(counts)!)!;
      for (const [tree, shape] of [
        ["balanced", balancedShape(alphabetSize)],
        ["shaped", shaped],
      ] as const) {
        for (const selection of ["plain", "conditioned", "classed 2 x 3", "classed 1 x 4"] as const) {
          const classes = classesFor(selection, symbols, alphabetSize, random);
          for (let rateShift = MIN_RATE_SHIFT; rateShift <= MAX_RATE_SHIFT; rateShift++) {
            const model: TreeModel = {
              rateShift,
              conditioned: selection === "conditioned",
              shaped: tree === "shaped",
              ...(classes === undefined ? {} : { classed: true }),
            };
            const bytes = payload(symbols, shape, center, model, classes);
            const args = [bytes, 0, bytes.length] as const;
            const rest = [symbols.length, alphabetSize, center, model, shape, "test", classes] as const;
            const js = new Uint32Array(symbols.length);
            const wasm = new Uint32Array(symbols.length);
            const jsEnd = decodeTree(...args, js, ...rest);
            const wasmEnd = decodeTreeWasm(...args, wasm, ...rest);
            expect(wasm, `${alphabetSize} symbols, ${tree}, ${selection}, rate ${rateShift}`).toEqual(symbols);
            expect(js).toEqual(symbols);
            expect(wasmEnd).toBe(jsEnd);
            expect(wasmEnd).toBe(bytes.length);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(5 * 2 * 4 * 5);
  });

  it("crosses its output chunks (32,768 symbols) and input windows (64 KB) as the JavaScript loop decodes", () => {
    const random = seededRandom(77);
    const wide = laplacianCodes(random, 120_000, 256, 128, 40); // ~7 bits a symbol: two windows, four chunks
    const layer = sparseStreams(random, 600, 784, 0.2, 64, 5); // ~75,000 symbols of each stream
    const codeClasses: ContextClasses = {
      sideClasses: 2,
      side: Uint8Array.from(layer.gaps, (g) => (g === 31 ? 1 : 0)),
      previousClasses: 3,
      previousMap: Uint8Array.from({ length: 64 }, (_, c) => (c === 0 ? 0 : c < 32 ? 1 : 2)),
    };
    const streams: [string, Uint8Array, ContextClasses | undefined][] = [
      ["8-bit balanced", encodeWithVersion(wide, { alphabetSize: 256 }, 2, "balanced").bytes, undefined],
      ["8-bit shaped", encodeWithVersion(wide, { alphabetSize: 256 }, 2, "shaped").bytes, undefined],
      ["one repeated symbol (many symbols a byte)", encodeSymbols(new Uint8Array(200_000).fill(3), { alphabetSize: 4 }), undefined],
      ["class-coded codes with a side class", encodeSymbols(layer.codes, { alphabetSize: 64, classes: codeClasses }), codeClasses],
      ["geometric gaps", encodeSymbols(geometricGaps(random, 100_000, 0.15, 31), { alphabetSize: 32 }), undefined],
    ];
    for (const [what, bytes, classes] of streams) {
      const js = decodeSymbols(bytes, { decoder: "js", ...(classes === undefined ? {} : { classes }) });
      const wasm = decodeSymbols(bytes, { decoder: "wasm", ...(classes === undefined ? {} : { classes }) });
      expect(js.length, what).toBeGreaterThan(32_768);
      expect(wasm, what).toEqual(js);
    }
    expect(decodeSymbols(streams[0]![1], { decoder: "wasm" })).toEqual(wide);
  });

  it("gives the same symbols or the same error as the JavaScript loop on every truncation and 7,000 mutations", () => {
    const random = seededRandom(0xbad5);
    const layer = sparseStreams(random, 30, 200, 0.08, 32, 4);
    const codeClasses: ContextClasses = {
      sideClasses: 2,
      side: layer.side,
      previousClasses: 3,
      previousMap: Uint8Array.from({ length: 32 }, (_, c) => (c === 0 ? 0 : c <= 15 ? 1 : 2)),
    };
    const codes = laplacianCodes(random, 1200, 32, 15, 3);
    const seeds: { bytes: Uint8Array; classes?: ContextClasses }[] = [
      { bytes: encodeSymbols(codes, { alphabetSize: 32 }) },
      { bytes: encodeWithVersion(codes, { alphabetSize: 32 }, 2, "shaped").bytes },
      { bytes: encodeSymbols(runsAndLaplace(random, 900, 256), { alphabetSize: 256 }) },
      { bytes: encodeSymbols(geometricGaps(random, 1000, 0.2, 31), { alphabetSize: 32 }) },
      // Alphabets short of a power of two: the balanced tree has leaves past them.
      { bytes: encodeSymbols(laplacianCodes(random, 1000, 20, 10, 4), { alphabetSize: 20 }) },
      { bytes: encodeSymbols(laplacianCodes(random, 700, 150, 75, 30), { alphabetSize: 150 }) },
      { bytes: encodeSymbols(layer.codes, { alphabetSize: 32, classes: codeClasses }), classes: codeClasses },
    ];
    const outcome = (bytes: Uint8Array, decoder: "js" | "wasm", classes?: ContextClasses): string => {
      try {
        const symbols = decodeSymbols(bytes, { decoder, ...(classes === undefined ? {} : { classes }) });
        return `decoded ${symbols.length}: ${Array.from(symbols).join(",")}`;
      } catch (error) {
        if (!(error instanceof ArithmeticError)) throw error;
        return `${error.code}: ${error.message}`;
      }
    };
    const tally = new Map<string, number>();
    const check = (bytes: Uint8Array, classes?: ContextClasses) => {
      const js = outcome(bytes, "js", classes);
      expect(outcome(bytes, "wasm", classes)).toBe(js);
      // What the loops themselves report: a read past the byte after the payload, a leaf past the alphabet, the end check.
      const key = /byte\(s\) early|outside the alphabet|does not end/.exec(js)?.[0] ?? js.slice(0, js.indexOf(":"));
      tally.set(key, (tally.get(key) ?? 0) + 1);
    };
    for (const { bytes, classes } of seeds) for (let cut = 0; cut < bytes.length; cut++) check(bytes.subarray(0, cut), classes);
    for (let m = 0; m < 7000; m++) {
      const { bytes, classes } = seeds[m % seeds.length]!;
      const mutated = Array.from(bytes);
      const at = Math.floor(random() * mutated.length);
      const kind = Math.floor(random() * 4);
      if (kind === 0) mutated[at] = Math.floor(random() * 256);
      else if (kind === 1) mutated[at]! ^= 1 << Math.floor(random() * 8);
      else if (kind === 2) mutated.splice(at, 0, Math.floor(random() * 256));
      else mutated.splice(at, 1);
      check(Uint8Array.from(mutated), classes);
    }
    // Every failure the loops report occurs (not only header errors).
    expect(tally.get("byte(s) early") ?? 0).toBeGreaterThan(50);
    expect(tally.get("outside the alphabet") ?? 0).toBeGreaterThan(50);
    expect(tally.get("does not end") ?? 0).toBeGreaterThan(50);
  });

  it("is chosen by DecodeOptions.decoder; an unknown choice is INVALID_ARGUMENT", () => {
    const bytes = encodeSymbols([1, 2, 3, 1], { alphabetSize: 4 });
    for (const decoder of ["auto", "js", "wasm"] as const) expect(Array.from(decodeSymbols(bytes, { decoder }))).toEqual([1, 2, 3, 1]);
    expect(() => decodeSymbols(bytes, { decoder: "fast" as "js" })).toThrow(/decoder must be/);
  });
});
