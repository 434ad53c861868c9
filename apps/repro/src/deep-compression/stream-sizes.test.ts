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
});
