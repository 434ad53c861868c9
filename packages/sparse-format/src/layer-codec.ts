import { encodeSymbolsDetailed, type ContextClasses } from "@dcnpi/arithmetic";
import { encodeDetailed } from "@dcnpi/huffman";
import { packBits } from "./bit-packing.js";
import { packCodebook, sortCodebook } from "./codebook-packing.js";
import { FORMAT_VERSION, FORMAT_VERSION_2, type FormatVersion } from "./container-constants.js";
import type { StreamEncoding } from "./container-schema.js";
import { gapStreamClasses, weightStreamClasses } from "./context-classes.js";
import { SparseFormatError } from "./errors.js";
import { encodeRelativeIndex } from "./relative-index.js";
import { elementCount } from "./shape.js";

/** Where a weight came from, when the model can tell (mirrors @dcnpi/tensor's WeightInfo). */
export interface EntryInfo {
  readonly layer?: string;
  readonly layerClass?: string;
  readonly role?: string;
}

export type CodeArray = Uint8Array | Uint16Array | Uint32Array;

/** How each of a layer's two symbol streams is stored. */
export interface HuffmanChoice {
  /** Huffman-code the weight-code stream (default true); false stores fixed `weightBits`-bit codes. */
  readonly weights?: boolean;
  /** Huffman-code the index-gap stream (default true); false stores fixed `indexBits`-bit gaps. */
  readonly indices?: boolean;
}

/**
 * One quantized weight tensor, as the pipeline has it after pruning and trained quantization.
 * - With `indexBits`: a **sparse** layer. `codes[i] = 0` means pruned; `codebook[0]` must be exactly
 *   0.0 (it is the value of pruned slots and of filler entries); real centroids are codes 1..2^b-1.
 * - Without `indexBits`: a **quantized** (not pruned) layer. Every weight is stored as its code,
 *   and any code, 0 included, may be any centroid.
 */
export interface LayerInput {
  readonly name: string;
  /** Stored layout, row-major; entries run over the tensor flattened in this order. */
  readonly shape: readonly number[];
  /** One code per weight, flattened row-major. */
  readonly codes: CodeArray;
  /** Centroid values; at most 2^weightBits of them, and every code must index one. */
  readonly codebook: Float32Array;
  /** Bits per weight code, 1..16 (the paper uses 8 for conv, 5 for fc). */
  readonly weightBits: number;
  /** Bits per relative index, 1..16 (the paper: 4 or 5); omit for a quantized, unpruned layer. */
  readonly indexBits?: number;
  readonly huffman?: HuffmanChoice;
  /**
   * `huffman` (default): each stream as `huffman` says (the paper's coder). `best`: each stream the
   * smallest of fixed width, Huffman and arithmetic coding (`@dcnpi/arithmetic`; ties go to the
   * faster decoder); needs `formatVersion: 2`.
   */
  readonly coder?: LayerCoder;
  /**
   * The container version the layer is for (default 1). Version 2 allows arithmetic-coded streams.
   * Both versions store tail fillers so that every declared shape is one the stored entries can
   * express, n ≤ (s + 1)·2^b (issue 16): version 1 only as many as that needs, version 2 until at most
   * 2^b positions follow the last entry. Version-1 files written before may leave a zero tail, which
   * readers refuse unless `maxZeroTailElements` allows it.
   */
  readonly formatVersion?: FormatVersion;
  readonly info?: EntryInfo;
}

/** Which coders a layer's streams may use (see `LayerInput.coder`). */
export type LayerCoder = "huffman" | "best";

/** A symbol stream as it goes into the file. */
export interface EncodedStream {
  readonly encoding: StreamEncoding;
  readonly symbolCount: number;
  readonly bytes: Uint8Array;
  /** Bits spent on the symbols themselves: Huffman codewords, or count * bits when fixed. */
  readonly payloadBits: number;
}

/**
 * Size of one compressed layer, two ways.
 * - `paper*`: what Deep Compression counts (§1.8/§2.6 of the notes): entries (non-zeros + fillers)
 *   times the weight-code bits (Huffman: the codewords actually spent), the same for the index
 *   gaps, and a codebook of 2^weightBits centroids at 32 bits each. Biases, Huffman tables and
 *   headers are left out. The baseline is `elementCount * 32` bits.
 * - `sectionBytes`: the true bytes of the layer's sections in the file (codebook as stored,
 *   streams with their Huffman tables, counts and padding). File-level overhead is separate.
 */
export interface LayerAccounting {
  readonly elementCount: number;
  readonly nonzeroCount: number;
  readonly fillerCount: number;
  readonly entryCount: number;
  readonly denseBits: number;
  readonly paperWeightBits: number;
  readonly paperIndexBits: number;
  readonly paperCodebookBits: number;
  readonly paperTotalBits: number;
  /** paperTotalBits / denseBits (the tables' "compress rate"). */
  readonly paperRate: number;
  /** Average bits per entry of the weight-code stream (the tables' "weight bits"). */
  readonly averageWeightBits: number;
  /** Average bits per entry of the index stream (the tables' "index bits"); 0 for quantized layers. */
  readonly averageIndexBits: number;
  readonly codebookBytes: number;
  readonly weightStreamBytes: number;
  readonly indexStreamBytes: number;
  readonly sectionBytes: number;
}

export interface EncodedLayer {
  readonly kind: "sparse" | "quantized";
  readonly name: string;
  readonly shape: readonly number[];
  readonly info: EntryInfo;
  readonly weightBits: number;
  /** null for quantized layers. */
  readonly indexBits: number | null;
  readonly codebook: Float32Array;
  /**
   * The codebook section's bytes when it is stored packed (version 2, `coder: "best"`, where smaller;
   * see codebook-packing.ts); absent: `codebook` as float32.
   */
  readonly packedCodebook?: Uint8Array;
  readonly weights: EncodedStream;
  /** null for quantized layers. */
  readonly indices: EncodedStream | null;
  readonly nonzeroCount: number;
  readonly fillerCount: number;
  readonly accounting: LayerAccounting;
  /** The container version this layer goes into (absent: 1); a container holds layers of its own version only. */
  readonly formatVersion?: FormatVersion;
}

function checkBits(bits: number, what: string): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what} must be an integer in 1..16, got ${bits}`);
  }
}

function encodeStream(symbols: Uint16Array, bits: number, huffman: boolean, what: string): EncodedStream {
  if (huffman) {
    const encoded = encodeDetailed(symbols, { alphabetSize: 2 ** bits });
    return { encoding: "huffman", symbolCount: symbols.length, bytes: encoded.bytes, payloadBits: encoded.payloadBits };
  }
  return { encoding: "fixed", symbolCount: symbols.length, bytes: packBits(symbols, bits, what), payloadBits: symbols.length * bits };
}

/**
 * The smallest of the four codings (issue 17): fixed width, Huffman, arithmetic, context-coded arithmetic
 * (`classes`, the format's classes for the stream's role; alphabets up to 256). Ties keep the faster
 * decoder (fixed, then Huffman, then plain arithmetic). The arithmetic stream's alphabet is the largest
 * symbol + 1 (its header stores it; the reader bounds it by 2^bits).
 */
function smallestStream(symbols: Uint16Array, bits: number, what: string, classes: ContextClasses): EncodedStream {
  let best = encodeStream(symbols, bits, false, what);
  if (symbols.length === 0) return best;
  const huffman = encodeStream(symbols, bits, true, what);
  if (huffman.bytes.length < best.bytes.length) best = huffman;
  const arithmetic = encodeSymbolsDetailed(symbols);
  if (arithmetic.bytes.length < best.bytes.length)
    best = { encoding: "arithmetic", symbolCount: symbols.length, bytes: arithmetic.bytes, payloadBits: arithmetic.bytes.length * 8 };
  if (arithmetic.alphabetSize <= CONTEXT_MAX_ALPHABET) {
    const context = encodeSymbolsDetailed(symbols, { classes });
    if (context.bytes.length < best.bytes.length)
      best = { encoding: "arithmetic-context", symbolCount: symbols.length, bytes: context.bytes, payloadBits: context.bytes.length * 8 };
  }
  return best;
}

/** Largest alphabet a class-coded arithmetic stream codes (@dcnpi/arithmetic's version-2 streams). */
const CONTEXT_MAX_ALPHABET = 256;

/** Computes both size accountings of a layer from its parts (also used by the reader). */
export function accountLayer(parts: {
  readonly elementCount: number;
  readonly nonzeroCount: number;
  readonly fillerCount: number;
  readonly weightBits: number;
  readonly codebookSize: number;
  /** The codebook section's bytes when packed (absent: 4 a centroid). */
  readonly codebookByteLength?: number;
  readonly weights: { readonly payloadBits: number; readonly byteLength: number };
  readonly indices: { readonly payloadBits: number; readonly byteLength: number } | null;
}): LayerAccounting {
  const entryCount = parts.nonzeroCount + parts.fillerCount;
  const denseBits = parts.elementCount * 32;
  const paperWeightBits = parts.weights.payloadBits;
  const paperIndexBits = parts.indices?.payloadBits ?? 0;
  const paperCodebookBits = 2 ** parts.weightBits * 32;
  const paperTotalBits = paperWeightBits + paperIndexBits + paperCodebookBits;
  const codebookBytes = parts.codebookByteLength ?? parts.codebookSize * 4;
  const weightStreamBytes = parts.weights.byteLength;
  const indexStreamBytes = parts.indices?.byteLength ?? 0;
  const symbols = parts.indices === null ? parts.elementCount : entryCount;
  return {
    elementCount: parts.elementCount,
    nonzeroCount: parts.nonzeroCount,
    fillerCount: parts.fillerCount,
    entryCount,
    denseBits,
    paperWeightBits,
    paperIndexBits,
    paperCodebookBits,
    paperTotalBits,
    paperRate: denseBits === 0 ? 0 : paperTotalBits / denseBits,
    averageWeightBits: symbols === 0 ? 0 : paperWeightBits / symbols,
    averageIndexBits: entryCount === 0 || parts.indices === null ? 0 : paperIndexBits / entryCount,
    codebookBytes,
    weightStreamBytes,
    indexStreamBytes,
    sectionBytes: codebookBytes + weightStreamBytes + indexStreamBytes,
  };
}

/**
 * Encodes one weight tensor: relative indices with fillers (sparse layers), then each stream
 * Huffman-coded or packed at fixed width. Deterministic: equal inputs give equal bytes.
 */
export function encodeLayer(input: LayerInput): EncodedLayer {
  const what = `layer "${input.name}"`;
  if (typeof input.name !== "string" || input.name.length === 0)
    throw new SparseFormatError("INVALID_ARGUMENT", "layer name must be a non-empty string");
  const n = elementCount(input.shape, what);
  checkBits(input.weightBits, `${what}: weightBits`);
  if (!(input.codes instanceof Uint8Array || input.codes instanceof Uint16Array || input.codes instanceof Uint32Array)) {
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: codes must be a Uint8Array, Uint16Array or Uint32Array`);
  }
  if (input.codes.length !== n) {
    throw new SparseFormatError(
      "INVALID_ARGUMENT",
      `${what}: shape [${input.shape.join(",")}] needs ${n} codes, got ${input.codes.length}`,
    );
  }
  if (!(input.codebook instanceof Float32Array))
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: codebook must be a Float32Array`);
  const codebookSize = input.codebook.length;
  if (codebookSize < 1 || codebookSize > 2 ** input.weightBits) {
    throw new SparseFormatError(
      "INVALID_ARGUMENT",
      `${what}: codebook has ${codebookSize} centroids, needs 1..${2 ** input.weightBits} for ${input.weightBits} bits`,
    );
  }
  for (let i = 0; i < codebookSize; i++) {
    if (!Number.isFinite(input.codebook[i]!))
      throw new SparseFormatError("INVALID_ARGUMENT", `${what}: centroid ${i} is ${input.codebook[i]}`);
  }
  for (let i = 0; i < n; i++) {
    if (input.codes[i]! >= codebookSize) {
      throw new SparseFormatError(
        "INVALID_ARGUMENT",
        `${what}: code ${input.codes[i]} at position ${i} has no centroid (codebook size ${codebookSize})`,
      );
    }
  }
  const huffmanWeights = input.huffman?.weights ?? true;
  const huffmanIndices = input.huffman?.indices ?? true;
  const info = { ...(input.info ?? {}) };
  const formatVersion = input.formatVersion ?? FORMAT_VERSION;
  if (formatVersion !== FORMAT_VERSION && formatVersion !== FORMAT_VERSION_2)
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: formatVersion must be 1 or 2, got ${String(formatVersion)}`);
  const coder = input.coder ?? "huffman";
  if (coder !== "huffman" && coder !== "best")
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: coder must be "huffman" or "best", got ${String(coder)}`);
  if (coder === "best" && formatVersion !== FORMAT_VERSION_2)
    throw new SparseFormatError("INVALID_ARGUMENT", `${what}: coder "best" (arithmetic coding) needs formatVersion 2`);
  const stream = (symbols: Uint16Array, bits: number, huffman: boolean, about: string, classes: () => ContextClasses) =>
    coder === "best" ? smallestStream(symbols, bits, about, classes()) : encodeStream(symbols, bits, huffman, about);
  // Version-1 layers carry no field, so their objects (and anything serialised from them) stay as they were.
  const version = formatVersion === FORMAT_VERSION ? {} : { formatVersion };

  const sparse = input.indexBits !== undefined;
  if (input.indexBits !== undefined) {
    checkBits(input.indexBits, `${what}: indexBits`);
    if (!Object.is(input.codebook[0], 0)) {
      throw new SparseFormatError(
        "INVALID_ARGUMENT",
        `${what}: a sparse layer's codebook[0] must be exactly 0 (pruned slots and fillers), got ${input.codebook[0]}`,
      );
    }
  }
  // "best" also stores the codebook in its smallest form: sorted, used centroids only, packed.
  const canonical = coder === "best" ? sortCodebook(input.codes, input.codebook, sparse) : null;
  const codebook = canonical?.codebook ?? input.codebook.slice();
  const packed = canonical === null ? null : packCodebook(codebook, sparse);
  const usePacked = packed !== null && packed.length < codebook.length * 4;
  const packedCodebook = usePacked ? { packedCodebook: packed } : {};
  const codebookByteLength = usePacked ? packed.length : codebook.length * 4;
  const inputCodes = canonical?.codes ?? input.codes;

  if (input.indexBits === undefined) {
    const codes = Uint16Array.from(inputCodes);
    const weights = stream(codes, input.weightBits, huffmanWeights, `${what} weight codes`, () =>
      weightStreamClasses(codebook, input.weightBits),
    );
    const accounting = accountLayer({
      elementCount: n,
      nonzeroCount: n,
      fillerCount: 0,
      weightBits: input.weightBits,
      codebookSize: codebook.length,
      codebookByteLength,
      weights: { payloadBits: weights.payloadBits, byteLength: weights.bytes.length },
      indices: null,
    });
    return {
      kind: "quantized",
      name: input.name,
      shape: [...input.shape],
      info,
      weightBits: input.weightBits,
      indexBits: null,
      codebook,
      ...packedCodebook,
      weights,
      indices: null,
      nonzeroCount: n,
      fillerCount: 0,
      accounting,
      ...version,
    };
  }

  // Tail fillers in every version, so a reader can hold the declared shape to what the bytes express:
  // version 1 only as many as that rule needs (files that met it keep their bytes), version 2 to the end.
  const entries = encodeRelativeIndex(inputCodes, input.indexBits, formatVersion === FORMAT_VERSION_2 ? true : "expressible");
  const indexBits = input.indexBits;
  const weights = stream(entries.codes, input.weightBits, huffmanWeights, `${what} weight codes`, () =>
    weightStreamClasses(codebook, input.weightBits, entries.gaps, indexBits),
  );
  const indices = stream(entries.gaps, indexBits, huffmanIndices, `${what} index gaps`, () => gapStreamClasses(indexBits));
  const accounting = accountLayer({
    elementCount: n,
    nonzeroCount: entries.nonzeroCount,
    fillerCount: entries.fillerCount,
    weightBits: input.weightBits,
    codebookSize: codebook.length,
    codebookByteLength,
    weights: { payloadBits: weights.payloadBits, byteLength: weights.bytes.length },
    indices: { payloadBits: indices.payloadBits, byteLength: indices.bytes.length },
  });
  return {
    kind: "sparse",
    name: input.name,
    shape: [...input.shape],
    info,
    weightBits: input.weightBits,
    indexBits: input.indexBits,
    codebook,
    ...packedCodebook,
    weights,
    indices,
    nonzeroCount: entries.nonzeroCount,
    fillerCount: entries.fillerCount,
    accounting,
    ...version,
  };
}
