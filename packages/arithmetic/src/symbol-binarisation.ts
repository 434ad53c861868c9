import type { AdaptiveContexts } from "./adaptive-contexts.js";
import { ArithmeticError } from "./errors.js";
import type { RangeDecoder } from "./range-coder.js";

/*
 * Binarisation of one symbol s of an alphabet [0, A) around a centre m (the stream's most
 * frequent symbol, chosen by the encoder and stored in the header), in the manner of DeepCABAC's
 * weight levels: d = s - m, then
 *   sig    d != 0                                context: how large the previous |d| was (3)
 *   sign   d < 0 (only if both sides exist)      context: the previous symbol's sign (3)
 *   gt_k   |d| - 1 > k, k = 0..15, truncated at the side's largest magnitude
 *                                                context: (side, k), one per bin (2 x 16)
 *   rest   |d| - 17 as a truncated Exp-Golomb-0 number: unary prefix in contexts (side, j),
 *          suffix bits bypass-coded (p = 1/2)
 * With one context per unary position the gt bins model any distribution of |d| up to 16
 * exactly (an adaptive order-0 model per side), so a 5-bit code stream is fully context-coded;
 * wider alphabets fall back to Exp-Golomb for their rare tails, which bounds the bins per
 * symbol (at most 1 + 1 + 16 + 16 + 16). Every symbol has at least the sig bin, which is what
 * bounds a stream's symbol count by its bytes. The same binarisation codes index gaps (m = 0:
 * one side, no sign bin).
 */

/** Unary (gt_k) bins per side before the Exp-Golomb remainder. */
export const UNARY_BINS = 16;
/** Exp-Golomb prefix contexts per side (remainders < 2^16 need at most 16 prefix ones). */
const EG_PREFIX_CONTEXTS = 17;

const CTX_SIG = 0;
const CTX_SIGN = 3;
const CTX_GT = 6;
const CTX_EG = CTX_GT + 2 * UNARY_BINS;
/** Contexts the binarisation uses, whatever the alphabet: the model's memory is fixed. */
export const CONTEXT_COUNT = CTX_EG + 2 * EG_PREFIX_CONTEXTS;

/** Where coded bins go: the range encoder, or a meter that only adds up their cost. */
export interface BinSink {
  encodeBit(bit: number, p1: number): void;
  encodeBypass(bit: number): void;
}

/** Largest symbol a stream may declare: remainders then stay below 2^16. */
export const MAX_ALPHABET_SIZE = 65_536;

function magnitudeClass(magnitude: number): number {
  return magnitude === 0 ? 0 : magnitude <= 2 ? 1 : 2;
}

function encodeContextBin(sink: BinSink, contexts: AdaptiveContexts, ctx: number, bin: number): void {
  sink.encodeBit(bin, contexts.probability(ctx));
  contexts.update(ctx, bin);
}

function floorLog2(value: number): number {
  return 31 - Math.clz32(value);
}

/** Codes `symbols` (each < alphabetSize) around `center` into `sink`; `contexts` must be fresh. */
export function encodeSymbolBins(
  sink: BinSink,
  contexts: AdaptiveContexts,
  symbols: ArrayLike<number>,
  alphabetSize: number,
  center: number,
): void {
  const bothSides = center > 0 && center < alphabetSize - 1;
  let previousClass = 0;
  let previousSign = 0;
  for (let i = 0; i < symbols.length; i++) {
    const d = symbols[i]! - center;
    if (d === 0) {
      encodeContextBin(sink, contexts, CTX_SIG + previousClass, 0);
      previousClass = 0;
      previousSign = 0;
      continue;
    }
    encodeContextBin(sink, contexts, CTX_SIG + previousClass, 1);
    const negative = d < 0 ? 1 : 0;
    if (bothSides) encodeContextBin(sink, contexts, CTX_SIGN + previousSign, negative);
    const magnitude = negative ? -d : d;
    const rest = magnitude - 1;
    const restMax = (negative ? center : alphabetSize - 1 - center) - 1;
    const gtBase = CTX_GT + negative * UNARY_BINS;
    const unaryEnd = Math.min(UNARY_BINS, restMax);
    let k = 0;
    for (; k < unaryEnd; k++) {
      const bin = rest > k ? 1 : 0;
      encodeContextBin(sink, contexts, gtBase + k, bin);
      if (bin === 0) break;
    }
    if (rest >= UNARY_BINS) {
      encodeRemainder(sink, contexts, rest - UNARY_BINS, restMax - UNARY_BINS, CTX_EG + negative * EG_PREFIX_CONTEXTS);
    }
    previousClass = magnitudeClass(magnitude);
    previousSign = 1 + negative;
  }
}

function encodeRemainder(sink: BinSink, contexts: AdaptiveContexts, value: number, valueMax: number, ctxBase: number): void {
  const q = floorLog2(value + 1);
  const qMax = floorLog2(valueMax + 1);
  for (let j = 0; j < q; j++) encodeContextBin(sink, contexts, ctxBase + j, 1);
  if (q < qMax) encodeContextBin(sink, contexts, ctxBase + q, 0);
  const suffix = value + 1 - (1 << q);
  for (let j = q - 1; j >= 0; j--) sink.encodeBypass((suffix >>> j) & 1);
}

function decodeContextBin(decoder: RangeDecoder, contexts: AdaptiveContexts, ctx: number): number {
  const bin = decoder.decodeBit(contexts.probability(ctx));
  contexts.update(ctx, bin);
  return bin;
}

/** Output arrays a decoder can fill. */
export type SymbolArray = Uint8Array | Uint16Array | Uint32Array;

/**
 * Decodes `count` symbols into `out[0..count)`, mirroring `encodeSymbolBins` bin for bin. Every
 * loop is bounded (count symbols, at most 50 bins each), so a corrupt stream ends, with a
 * CORRUPT error when it decodes a value past the alphabet.
 */
export function decodeSymbolBins(
  decoder: RangeDecoder,
  contexts: AdaptiveContexts,
  out: SymbolArray,
  count: number,
  alphabetSize: number,
  center: number,
  what: string,
): void {
  const bothSides = center > 0 && center < alphabetSize - 1;
  const onlySide = center === 0 ? 0 : 1; // the negative flag when only one side exists
  let previousClass = 0;
  let previousSign = 0;
  for (let i = 0; i < count; i++) {
    if (decodeContextBin(decoder, contexts, CTX_SIG + previousClass) === 0) {
      out[i] = center;
      previousClass = 0;
      previousSign = 0;
      continue;
    }
    const negative = bothSides ? decodeContextBin(decoder, contexts, CTX_SIGN + previousSign) : onlySide;
    const restMax = (negative ? center : alphabetSize - 1 - center) - 1;
    if (restMax < 0) throw new ArithmeticError("CORRUPT", `${what}: symbol ${i} lies outside the alphabet of ${alphabetSize}`);
    const gtBase = CTX_GT + negative * UNARY_BINS;
    const unaryEnd = Math.min(UNARY_BINS, restMax);
    let rest = 0;
    while (rest < unaryEnd && decodeContextBin(decoder, contexts, gtBase + rest) === 1) rest++;
    if (rest === UNARY_BINS) {
      const valueMax = restMax - UNARY_BINS;
      const ctxBase = CTX_EG + negative * EG_PREFIX_CONTEXTS;
      const qMax = floorLog2(valueMax + 1);
      let q = 0;
      while (q < qMax && decodeContextBin(decoder, contexts, ctxBase + q) === 1) q++;
      let value = 1;
      for (let j = 0; j < q; j++) value = value * 2 + decoder.decodeBypass();
      value -= 1;
      if (value > valueMax) throw new ArithmeticError("CORRUPT", `${what}: symbol ${i} lies outside the alphabet of ${alphabetSize}`);
      rest += value;
    }
    const magnitude = rest + 1;
    out[i] = negative ? center - magnitude : center + magnitude;
    previousClass = magnitudeClass(magnitude);
    previousSign = 1 + negative;
  }
}
