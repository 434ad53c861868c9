/**
 * Where the bits of every code and index stream of a `.dcnpi` file go under each coder, so a coder's
 * gain is measured, not claimed (issue 17): the order-0 entropy bound, fixed-width bits, Huffman
 * (`@dcnpi/huffman` as the container stores it, table included) and context-adaptive binary arithmetic
 * coding (`@dcnpi/arithmetic`, its stream header included), plain and context-coded (the container's
 * `"arithmetic-context"` streams, as `coder: "best"` writes them where smaller). The streams are rebuilt
 * from the file's codes exactly as the encoder builds them (relative indices with fillers, in the stored layout).
 */
import { encodeSymbols, type ContextClasses } from "@dcnpi/arithmetic";
import { encodeCodes } from "@dcnpi/deep-compression";
import { encodeRelativeIndex, gapStreamClasses, toLayerInput, weightStreamClasses, type ContainerContentsRead } from "@dcnpi/sparse-format";

export interface StreamSize {
  readonly layer: string;
  readonly stream: "weights" | "indices";
  readonly symbols: number;
  /** Bits per symbol when stored fixed-width. */
  readonly bits: number;
  /** symbols × order-0 empirical entropy, in bytes (rounded up): no order-0 coder without side information does better. */
  readonly entropyBytes: number;
  readonly fixedBytes: number;
  readonly huffmanBytes: number;
  readonly arithmeticBytes: number;
  /**
   * The context-coded stream (container version 2's `"arithmetic-context"`: classes from the gaps and the
   * centroids' signs, FORMAT.md), coded as the v2 writer codes it (alphabet = largest symbol + 1), on the
   * same entries as the other columns (the v2 file may hold a few more tail fillers).
   */
  readonly contextBytes: number;
}

function entropyBytes(symbols: Uint16Array, alphabet: number): number {
  const counts = new Float64Array(alphabet);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]!]!++;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= c * Math.log2(c / symbols.length);
  return Math.ceil(bits / 8);
}

/** The context-coded stream's bytes; where a symbol is ≥ 256 (no class-coded stream exists) the plain arithmetic bytes. */
function contextBytes(symbols: Uint16Array, classes: ContextClasses): number {
  const wide = symbols.some((s) => s >= 256);
  return encodeSymbols(symbols, wide ? {} : { classes }).length;
}

/** Every stream of every compressed layer of `contents`, weights first then indices, in file order. */
export function streamSizes(contents: ContainerContentsRead): StreamSize[] {
  const out: StreamSize[] = [];
  for (const layer of contents.layers) {
    const input = toLayerInput(layer);
    const fixed = encodeCodes(input, "never");
    const huffman = encodeCodes(input, "always");
    const weightAlphabet = 2 ** layer.weightBits;
    let weights: Uint16Array = layer.codes;
    let weightClasses = weightStreamClasses(layer.codebook, layer.weightBits);
    if (layer.indexBits !== null) {
      // With the tail fillers the file stores (issue 16: version 1 the few the shape needs, version 2 up
      // to the end; older files none), so the streams measured are the file's.
      const stored = layer.codes.length + layer.fillerCount;
      const entries =
        (["expressible", true, false] as const)
          .map((tail) => encodeRelativeIndex(input.codes, layer.indexBits!, tail))
          .find((e) => e.codes.length === stored) ?? encodeRelativeIndex(input.codes, layer.indexBits, "expressible");
      weights = entries.codes;
      weightClasses = weightStreamClasses(layer.codebook, layer.weightBits, entries.gaps, layer.indexBits);
      const indexAlphabet = 2 ** layer.indexBits;
      out.push({
        layer: layer.name,
        stream: "indices",
        symbols: entries.gaps.length,
        bits: layer.indexBits,
        entropyBytes: entropyBytes(entries.gaps, indexAlphabet),
        fixedBytes: fixed.indices!.bytes.length,
        huffmanBytes: huffman.indices!.bytes.length,
        arithmeticBytes: encodeSymbols(entries.gaps, { alphabetSize: indexAlphabet }).length,
        contextBytes: contextBytes(entries.gaps, gapStreamClasses(layer.indexBits)),
      });
    }
    out.splice(out.length - (layer.indexBits === null ? 0 : 1), 0, {
      layer: layer.name,
      stream: "weights",
      symbols: weights.length,
      bits: layer.weightBits,
      entropyBytes: entropyBytes(weights, weightAlphabet),
      fixedBytes: fixed.weights.bytes.length,
      huffmanBytes: huffman.weights.bytes.length,
      arithmeticBytes: encodeSymbols(weights, { alphabetSize: weightAlphabet }).length,
      contextBytes: contextBytes(weights, weightClasses),
    });
  }
  return out;
}
