import { decodeSymbols } from "@dcnpi/arithmetic";
import { loadMnist } from "@dcnpi/datasets";
import { encodeCodes } from "@dcnpi/deep-compression";
import { parseContainer, serializeContainer } from "@dcnpi/sparse-format";
import { describe, expect, it } from "vitest";
import { streamsTable } from "./beyond-report.js";
import { streamSizes } from "./stream-sizes.js";

/** 300 real MNIST test images as a sparse 3-bit layer: blank pixels are the pruned zeros, ink levels the codes. */
function mnistLayer(indexBits: number) {
  const test = loadMnist({ split: "test" });
  const pixels = test.images.subarray(0, 300 * 784);
  const codes = Uint8Array.from(pixels, (v) => Math.ceil(v * 7));
  const codebook = Float32Array.from({ length: 8 }, (_, j) => j / 7);
  return { name: "digits/kernel", shape: [300, 784], codes, codebook, weightBits: 3, indexBits };
}

describe("streamSizes", () => {
  it("measures every stream of a real file under each coder; the arithmetic bytes decode to the stream", async () => {
    const layer = mnistLayer(4);
    const file = await parseContainer(serializeContainer({ layers: [encodeCodes(layer, "smallest")] }));
    const [weights, indices] = streamSizes(file);
    const fixed = encodeCodes(layer, "never");
    const huffman = encodeCodes(layer, "always");
    expect(weights).toMatchObject({ layer: "digits/kernel", stream: "weights", bits: 3, fixedBytes: fixed.weights.bytes.length });
    expect(indices).toMatchObject({ stream: "indices", bits: 4, huffmanBytes: huffman.indices!.bytes.length });
    expect(weights!.huffmanBytes).toBe(huffman.weights.bytes.length);
    expect(weights!.symbols).toBe(indices!.symbols);
    expect(weights!.symbols).toBe(fixed.nonzeroCount + fixed.fillerCount);
    for (const s of [weights!, indices!]) {
      // Huffman with its table stays above the order-0 bound of the symbols alone.
      expect(s.entropyBytes).toBeLessThan(s.huffmanBytes);
      expect(s.entropyBytes).toBeLessThan(s.fixedBytes);
      expect(s.arithmeticBytes).toBeGreaterThan(0);
      expect(s.contextBytes).toBeGreaterThan(0);
    }
    // Bigger gaps, fewer fillers: the index stream shrinks in symbols.
    const [, wide] = streamSizes(await parseContainer(serializeContainer({ layers: [encodeCodes(mnistLayer(8), "smallest")] })));
    expect(wide!.symbols).toBeLessThan(indices!.symbols);
    const table = streamsTable([weights!, indices!]);
    expect(table).toContain("digits/kernel");
    expect(table.split("\n")).toHaveLength(5);
  });

  it("the arithmetic size is that of a stream that decodes back exactly", async () => {
    const { encodeSymbols } = await import("@dcnpi/arithmetic");
    const { encodeRelativeIndex } = await import("@dcnpi/sparse-format");
    const layer = mnistLayer(5);
    const entries = encodeRelativeIndex(layer.codes, 5, "expressible");
    const bytes = encodeSymbols(entries.gaps, { alphabetSize: 32 });
    expect([...decodeSymbols(bytes)]).toEqual([...entries.gaps]);
    const [, indices] = streamSizes(await parseContainer(serializeContainer({ layers: [encodeCodes(layer, "smallest")] })));
    expect(indices!.arithmeticBytes).toBe(bytes.length);
  });

  it("the context-coded size is that of the stream a version-2 file stores, decoded back exactly (real MNIST ink as a sparse layer)", async () => {
    const { decodeSymbols: decode } = await import("@dcnpi/arithmetic");
    const { encodeRelativeIndex, gapStreamClasses, weightStreamClasses, encodeLayer } = await import("@dcnpi/sparse-format");
    const layer = mnistLayer(4);
    const [weights, indices] = streamSizes(await parseContainer(serializeContainer({ layers: [encodeCodes(layer, "smallest")] })));
    const v2 = encodeLayer({ ...layer, formatVersion: 2, coder: "best" });
    // Blank pixels between strokes: fillers and zero gaps come in runs, so the writer picks the context-coded streams.
    expect(v2.weights.encoding).toBe("arithmetic-context");
    expect(v2.indices!.encoding).toBe("arithmetic-context");
    const entries = encodeRelativeIndex(layer.codes, 4, true);
    expect(Array.from(decode(v2.indices!.bytes, { classes: gapStreamClasses(4) }))).toEqual(Array.from(entries.gaps));
    const classes = weightStreamClasses(layer.codebook, 3, entries.gaps, 4);
    expect(Array.from(decode(v2.weights.bytes, { classes }))).toEqual(Array.from(entries.codes));
    // The table's column measures the same coder on the version-1 entries (at most a few tail fillers fewer).
    expect(Math.abs(weights!.contextBytes - v2.weights.bytes.length)).toBeLessThanOrEqual(4);
    expect(Math.abs(indices!.contextBytes - v2.indices!.bytes.length)).toBeLessThanOrEqual(4);
    expect(weights!.contextBytes).toBeLessThan(weights!.arithmeticBytes);
    expect(indices!.contextBytes).toBeLessThan(indices!.arithmeticBytes);
  });
});
