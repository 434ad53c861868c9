import { ArithmeticError } from "./errors.js";

/*
 * The probability model: a set of adaptive binary contexts, each a dual-rate estimator as in
 * VVC's CABAC and the NNR standard (two exponentially decaying estimates of P(bin = 1), one fast,
 * one slow, used through their mean). The fast one follows a change within tens of bins, the slow
 * one averages the noise away over hundreds; the mean codes better than either on streams whose
 * statistics drift (fillers in a long sparse layer) and costs one extra add and shift per bin.
 * Both windows are fixed here (NNR tunes them per context; see the README's deviations).
 *
 * State is kept in two Uint16Arrays indexed by context number, so a context is an integer and
 * the model holds no objects (the decode loop touches two typed arrays per bin).
 */

/** Probability scale: states hold P(bin = 1) * 2^15. */
export const PROBABILITY_ONE = 1 << 15;
/** Window of the fast estimator: it moves 1/2^4 of the way towards each new bin. */
export const FAST_RATE_SHIFT = 4;
/** Window of the slow estimator: 1/2^7 per bin. */
export const SLOW_RATE_SHIFT = 7;
/**
 * Extremes the mean can reach: the fast state stops at 2^4 - 1 from either end (the update
 * becomes 0), the slow one at 2^7 - 1, so p1 = (fast + slow) >> 1 lies in [71, 2^15 - 71]. The
 * engine needs p1 in [1, 2^15 - 1]; the stream format needs the bound to limit how many
 * symbols a byte can hold (MAX_SYMBOLS_PER_PAYLOAD_BYTE).
 */
export const MIN_PROBABILITY = ((1 << FAST_RATE_SHIFT) - 1 + (1 << SLOW_RATE_SHIFT) - 1) >> 1;
export const MAX_PROBABILITY = PROBABILITY_ONE - MIN_PROBABILITY;

export class AdaptiveContexts {
  private readonly fast: Uint16Array;
  private readonly slow: Uint16Array;

  /** `count` contexts, each starting at P(1) = 1/2. */
  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 1 || count > 65_536) {
      throw new ArithmeticError("INVALID_ARGUMENT", `context count must be an integer in 1..65536, got ${count}`);
    }
    this.fast = new Uint16Array(count).fill(PROBABILITY_ONE >> 1);
    this.slow = new Uint16Array(count).fill(PROBABILITY_ONE >> 1);
  }

  /** P(bin = 1) of context `i`, times 2^15, in [MIN_PROBABILITY, MAX_PROBABILITY]. */
  probability(i: number): number {
    return (this.fast[i]! + this.slow[i]!) >>> 1;
  }

  /** Moves context `i` towards the bin just coded. */
  update(i: number, bin: number): void {
    const fast = this.fast[i]!;
    const slow = this.slow[i]!;
    if (bin !== 0) {
      this.fast[i] = fast + ((PROBABILITY_ONE - fast) >>> FAST_RATE_SHIFT);
      this.slow[i] = slow + ((PROBABILITY_ONE - slow) >>> SLOW_RATE_SHIFT);
    } else {
      this.fast[i] = fast - (fast >>> FAST_RATE_SHIFT);
      this.slow[i] = slow - (slow >>> SLOW_RATE_SHIFT);
    }
  }

  /** Back to P(1) = 1/2 everywhere (a new stream). */
  reset(): void {
    this.fast.fill(PROBABILITY_ONE >> 1);
    this.slow.fill(PROBABILITY_ONE >> 1);
  }
}
