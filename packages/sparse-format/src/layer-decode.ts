import { ArithmeticError, decodeSymbolsInto, readStreamHeader as readArithmeticHeader, type ContextClasses } from "@dcnpi/arithmetic";
import { HuffmanError, decodeInto, readStreamHeader } from "@dcnpi/huffman";
import { unpackBits } from "./bit-packing.js";
import { FORMAT_VERSION_2, type FormatVersion } from "./container-constants.js";
import type { StreamEncoding } from "./container-schema.js";
import { gapStreamClasses, weightStreamClasses } from "./context-classes.js";
import { SparseFormatError } from "./errors.js";
import type { EncodedLayer, EntryInfo, LayerInput } from "./layer-codec.js";
import { decodeRelativeIndex } from "./relative-index.js";
import { elementCount } from "./shape.js";

/** A compressed layer back in memory: its codebook and, per stored weight, a code. */
export interface DecodedLayer {
  readonly kind: "sparse" | "quantized";
  readonly name: string;
  readonly shape: readonly number[];
  readonly info: EntryInfo;
  readonly weightBits: number;
  readonly indexBits: number | null;
  readonly codebook: Float32Array;
  readonly elementCount: number;
  /** Sparse: flattened positions of the non-zero entries, ascending (fillers dropped). Quantized: null. */
  readonly positions: Int32Array | null;
  /** Sparse: the code of each non-zero entry (never 0). Quantized: one code per element. */
  readonly codes: Uint16Array;
  readonly fillerCount: number;
}

/** Everything needed to decode a layer's streams, as the file header (or an EncodedLayer) gives it. */
export interface LayerStreams {
  readonly kind: "sparse" | "quantized";
  readonly name: string;
  readonly shape: readonly number[];
  readonly info: EntryInfo;
  readonly weightBits: number;
  readonly indexBits: number | null;
  readonly nonzeroCount: number;
  readonly fillerCount: number;
  readonly codebook: Float32Array;
  readonly weights: StreamBytes;
  readonly indices: StreamBytes | null;
  /** The container version the layer came from (absent: 1); version 2 allows no unstored zero tail. */
  readonly formatVersion?: FormatVersion;
}

export interface StreamBytes {
  readonly encoding: StreamEncoding;
  readonly symbolCount: number;
  readonly payloadBits: number;
  readonly bytes: Uint8Array;
}

function corrupt(what: string, message: string, cause?: unknown): SparseFormatError {
  return new SparseFormatError("CORRUPT_STREAM", `${what}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Decodes one symbol stream, checking it against what the header declared. `classes`: the format's
 * context classes for the stream's role, used (and needed) by `"arithmetic-context"` streams only.
 */
export function decodeStream(stream: StreamBytes, bits: number, what: string, classes?: () => ContextClasses): Uint16Array {
  // An arithmetic-coded symbol may cost far less than a bit: its own header bounds the count instead.
  if (stream.encoding === "arithmetic") return decodeArithmetic(stream, bits, what);
  if (stream.encoding === "arithmetic-context") {
    if (classes === undefined) throw corrupt(what, "a context-coded stream where the format defines no classes");
    return decodeArithmetic(stream, bits, what, classes);
  }
  // Every symbol costs at least one bit either way, so the bytes bound the allocation below.
  if (!Number.isSafeInteger(stream.symbolCount) || stream.symbolCount < 0 || stream.symbolCount > stream.bytes.length * 8) {
    throw corrupt(what, `declares ${stream.symbolCount} symbols, more than its ${stream.bytes.length} bytes can hold`);
  }
  const out = new Uint16Array(stream.symbolCount);
  if (stream.encoding === "fixed") {
    if (stream.payloadBits !== stream.symbolCount * bits)
      throw corrupt(what, `declares ${stream.payloadBits} payload bits, fixed width needs ${stream.symbolCount * bits}`);
    return unpackBits(stream.bytes, bits, stream.symbolCount, out, what);
  }
  try {
    const header = readStreamHeader(stream.bytes, { maxSymbols: stream.symbolCount, maxAlphabetSize: 2 ** bits, what });
    if (header.symbolCount !== stream.symbolCount)
      throw corrupt(what, `holds ${header.symbolCount} symbols, the header declares ${stream.symbolCount}`);
    decodeInto(stream.bytes, out, { maxSymbols: stream.symbolCount, maxAlphabetSize: 2 ** bits, what });
    let payloadBits = 0;
    const lengths = header.code.lengths;
    for (let i = 0; i < out.length; i++) payloadBits += lengths[out[i]!]!;
    if (payloadBits !== stream.payloadBits)
      throw corrupt(what, `spends ${payloadBits} bits on codewords, the header declares ${stream.payloadBits}`);
  } catch (error) {
    if (error instanceof HuffmanError) {
      // The Huffman decoder was given `what` and already starts its message with it.
      const message = error.message.startsWith(`${what}: `) ? error.message.slice(what.length + 2) : error.message;
      throw corrupt(what, `${message} (${error.code})`, error);
    }
    throw error;
  }
  return out;
}

/**
 * An `@dcnpi/arithmetic` stream: its count must be the declared one, its alphabet at most 2^bits, and
 * it must fill the section exactly. The stream's own header is checked (count against its payload's
 * capacity) before the output is allocated.
 */
function decodeArithmetic(stream: StreamBytes, bits: number, what: string, classes?: () => ContextClasses): Uint16Array {
  if (stream.payloadBits !== stream.bytes.length * 8)
    throw corrupt(
      what,
      `declares ${stream.payloadBits} payload bits, an arithmetic-coded section of ${stream.bytes.length} bytes has ${stream.bytes.length * 8}`,
    );
  const options = { maxCount: stream.symbolCount, maxAlphabetSize: 2 ** bits, what };
  try {
    const header = readArithmeticHeader(stream.bytes, options);
    if (header.symbolCount !== stream.symbolCount)
      throw corrupt(what, `holds ${header.symbolCount} symbols, the header declares ${stream.symbolCount}`);
    const out = new Uint16Array(stream.symbolCount);
    // The classes are built only once the stream's own header has bounded its count.
    decodeSymbolsInto(stream.bytes, out, classes === undefined ? options : { ...options, classes: classes() });
    return out;
  } catch (error) {
    if (error instanceof ArithmeticError) {
      const message = error.message.startsWith(`${what}: `) ? error.message.slice(what.length + 2) : error.message;
      throw corrupt(what, `${message} (${error.code})`, error);
    }
    throw error;
  }
}

/** Decodes a layer's streams into positions and codes, validating every count against the header. */
export function decodeLayerStreams(layer: LayerStreams): DecodedLayer {
  const what = `layer "${layer.name}"`;
  const n = elementCount(layer.shape, what);
  const codebookSize = layer.codebook.length;
  for (let c = 0; c < codebookSize; c++) {
    if (!Number.isFinite(layer.codebook[c]!)) throw corrupt(what, `centroid ${c} is ${layer.codebook[c]}`);
  }
  // A context-coded weight stream of a sparse layer takes its side classes from the gaps: decode them first.
  const gapsFirst = layer.kind === "sparse" && layer.weights.encoding === "arithmetic-context";
  const early = gapsFirst ? decodeGaps(layer, what) : undefined;
  const weights = decodeStream(layer.weights, layer.weightBits, `${what} weight codes`, () =>
    weightStreamClasses(layer.codebook, layer.weightBits, early, layer.indexBits ?? undefined),
  );
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! >= codebookSize)
      throw corrupt(what, `entry ${i} has code ${weights[i]}, but the codebook has ${codebookSize} centroids`);
  }
  if (layer.kind === "quantized") {
    if (weights.length !== n) throw corrupt(what, `${weights.length} codes for ${n} weights`);
    return {
      kind: "quantized",
      name: layer.name,
      shape: [...layer.shape],
      info: layer.info,
      weightBits: layer.weightBits,
      indexBits: null,
      codebook: layer.codebook,
      elementCount: n,
      positions: null,
      codes: weights,
      fillerCount: 0,
    };
  }
  const gaps = early ?? decodeGaps(layer, what);
  if (!Object.is(layer.codebook[0], 0)) throw corrupt(what, `codebook[0] of a sparse layer must be exactly 0, got ${layer.codebook[0]}`);
  if (layer.indexBits === null) throw corrupt(what, "a sparse layer needs index bits");
  const maxTail = layer.formatVersion === FORMAT_VERSION_2 ? 2 ** layer.indexBits : Number.POSITIVE_INFINITY;
  const decoded = decodeRelativeIndex(weights, gaps, n, what, maxTail);
  if (decoded.positions.length !== layer.nonzeroCount || decoded.fillerCount !== layer.fillerCount) {
    throw corrupt(
      what,
      `decodes to ${decoded.positions.length} non-zeros and ${decoded.fillerCount} fillers, the header declares ${layer.nonzeroCount} and ${layer.fillerCount}`,
    );
  }
  return {
    kind: "sparse",
    name: layer.name,
    shape: [...layer.shape],
    info: layer.info,
    weightBits: layer.weightBits,
    indexBits: layer.indexBits,
    codebook: layer.codebook,
    elementCount: n,
    positions: decoded.positions,
    codes: decoded.codes,
    fillerCount: decoded.fillerCount,
  };
}

function decodeGaps(layer: LayerStreams, what: string): Uint16Array {
  const indexBits = layer.indexBits;
  if (layer.indices === null || indexBits === null) throw corrupt(what, "a sparse layer needs an index stream");
  return decodeStream(layer.indices, indexBits, `${what} index gaps`, () => gapStreamClasses(indexBits));
}

/** Decodes an `EncodedLayer` straight from memory (the same path the file reader takes). */
export function decodeLayer(encoded: EncodedLayer): DecodedLayer {
  return decodeLayerStreams(encoded);
}

/** The dense float32 weights of a decoded layer (pruned slots 0, every other weight its centroid). */
export function toDense(layer: DecodedLayer): Float32Array {
  const out = new Float32Array(layer.elementCount);
  const { codebook, codes, positions } = layer;
  if (positions === null) {
    for (let i = 0; i < out.length; i++) out[i] = codebook[codes[i]!]!;
  } else {
    for (let k = 0; k < positions.length; k++) out[positions[k]!] = codebook[codes[k]!]!;
  }
  return out;
}

/** The code of every element (0 where pruned), flattened: the inverse of `encodeLayer`'s input. */
export function toDenseCodes(layer: DecodedLayer): Uint16Array {
  if (layer.positions === null) return layer.codes.slice();
  const out = new Uint16Array(layer.elementCount);
  for (let k = 0; k < layer.positions.length; k++) out[layer.positions[k]!] = layer.codes[k]!;
  return out;
}

/**
 * A decoded layer as `encodeLayer`'s input again (its stored shape, codes, codebook, bits and info), to
 * write it with another coder or container version; the caller adds `coder`, `formatVersion`, `huffman`.
 */
export function toLayerInput(layer: DecodedLayer): LayerInput {
  return {
    name: layer.name,
    shape: layer.shape,
    codes: toDenseCodes(layer),
    codebook: layer.codebook,
    weightBits: layer.weightBits,
    ...(layer.indexBits === null ? {} : { indexBits: layer.indexBits }),
    info: layer.info,
  };
}
