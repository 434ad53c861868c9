import { describe, expect, it } from "vitest";
import { adjustDropoutRate } from "./dropout.js";

describe("adjustDropoutRate", () => {
  it("scales the rate by the square root of the kept connection fraction", () => {
    // LeNet-300-100 ip1 keeps 8% of 784 x 300 connections: 0.5 x sqrt(0.08) = 0.1414.
    const original = 784 * 300;
    expect(adjustDropoutRate(0.5, { originalConnections: original, remainingConnections: Math.round(0.08 * original) })).toBeCloseTo(
      0.5 * Math.sqrt(0.08),
      4,
    );
    expect(adjustDropoutRate(0.5, { originalConnections: 100, remainingConnections: 100 })).toBe(0.5);
    expect(adjustDropoutRate(0.5, { originalConnections: 100, remainingConnections: 0 })).toBe(0);
    expect(adjustDropoutRate(0.5, { originalConnections: 100, remainingConnections: 25 })).toBe(0.25);
  });

  it("validates its inputs", () => {
    expect(() => adjustDropoutRate(1, { originalConnections: 1, remainingConnections: 1 })).toThrow(/\[0,1\)/);
    expect(() => adjustDropoutRate(0.5, { originalConnections: 10, remainingConnections: 11 })).toThrow(/\[0, 10\]/);
  });
});
