import { describe, expect, it } from "vitest";
import { AdaptiveContexts, MAX_PROBABILITY, MIN_PROBABILITY, PROBABILITY_ONE } from "./adaptive-contexts.js";
import { ArithmeticError } from "./errors.js";
import { seededRandom } from "./test-random.js";

describe("AdaptiveContexts (the probability model alone)", () => {
  it("starts at 1/2 and keeps contexts independent", () => {
    const contexts = new AdaptiveContexts(3);
    for (let i = 0; i < 50; i++) contexts.update(1, 1);
    expect(contexts.probability(0)).toBe(PROBABILITY_ONE / 2);
    expect(contexts.probability(1)).toBeGreaterThan(0.8 * PROBABILITY_ONE);
    expect(contexts.probability(2)).toBe(PROBABILITY_ONE / 2);
    contexts.reset();
    expect(contexts.probability(1)).toBe(PROBABILITY_ONE / 2);
  });

  it("never leaves [MIN_PROBABILITY, MAX_PROBABILITY], and reaches both ends on long runs", () => {
    expect(MIN_PROBABILITY).toBe(71);
    const contexts = new AdaptiveContexts(1);
    const random = seededRandom(3);
    let low = PROBABILITY_ONE;
    let high = 0;
    for (let i = 0; i < 20_000; i++) {
      const phase = Math.floor(i / 2500) % 3; // runs of zeros, runs of ones, noise
      contexts.update(0, phase === 0 ? 0 : phase === 1 ? 1 : random() < 0.5 ? 1 : 0);
      low = Math.min(low, contexts.probability(0));
      high = Math.max(high, contexts.probability(0));
    }
    expect(low).toBe(MIN_PROBABILITY);
    expect(high).toBe(MAX_PROBABILITY);
  });

  it("tracks a stationary frequency and follows a change quickly (the fast half)", () => {
    const contexts = new AdaptiveContexts(1);
    const random = seededRandom(11);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      contexts.update(0, random() < 0.2 ? 1 : 0);
      if (i >= 10_000) sum += contexts.probability(0);
    }
    expect(sum / 10_000 / PROBABILITY_ONE).toBeCloseTo(0.2, 1);
    for (let i = 0; i < 40; i++) contexts.update(0, 1);
    expect(contexts.probability(0) / PROBABILITY_ONE).toBeGreaterThan(0.5);
  });

  it("rejects a bad context count", () => {
    expect(() => new AdaptiveContexts(0)).toThrow(ArithmeticError);
  });
});
