import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";
import { TensorError } from "./errors.js";

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

describe("Rng", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    expect(draw(Rng.fromSeed(42), 8)).toEqual(draw(Rng.fromSeed(42), 8));
    expect(draw(Rng.fromSeed(42), 8)).not.toEqual(draw(Rng.fromSeed(43), 8));
    expect(draw(Rng.fromSeed("mnist"), 8)).toEqual(draw(Rng.fromSeed("mnist"), 8));
    expect(draw(Rng.fromSeed(2 ** 40), 4)).not.toEqual(draw(Rng.fromSeed(0), 4));
  });

  it("pins the stream of seed 1, so a change to the generator cannot pass unnoticed", () => {
    const rng = Rng.fromSeed(1);
    const first = draw(rng, 3);
    expect(first.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    expect(draw(Rng.fromSeed(1), 3)).toEqual(first);
    expect(first).toMatchInlineSnapshot(`
      [
        73574748,
        498346385,
        2430046109,
      ]
    `);
  });

  it("forks independently of how much the parent has drawn", () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    draw(b, 100);
    expect(draw(a.fork("pruning"), 5)).toEqual(draw(b.fork("pruning"), 5));
    expect(draw(a.fork("pruning"), 5)).not.toEqual(draw(a.fork("quantization"), 5));
    expect(draw(a.fork("x").fork("y"), 5)).not.toEqual(draw(a.fork("y").fork("x"), 5));
  });

  it("resumes exactly from a saved state", () => {
    const rng = Rng.fromSeed(3);
    draw(rng, 10);
    const saved = JSON.parse(JSON.stringify(rng.saveState()));
    const expected = draw(rng, 5);
    expect(draw(Rng.fromState(saved), 5)).toEqual(expected);
  });

  it("draws uniform floats and unbiased integers", () => {
    const rng = Rng.fromSeed(11);
    const n = 200_000;
    let sum = 0;
    const counts = new Array<number>(7).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.float();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      counts[rng.int(7)]!++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const c of counts) expect(Math.abs(c / n - 1 / 7)).toBeLessThan(0.005);
  });

  it("draws normals with the right moments", () => {
    const rng = Rng.fromSeed(5);
    const xs = rng.fillNormal(new Float64Array(100_000), 2, 3);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(3, 1);
  });

  it("samples distinct indices and permutations", () => {
    const rng = Rng.fromSeed(9);
    const picked = rng.sampleIndices(1000, 100);
    expect(new Set(picked).size).toBe(100);
    expect([...picked].every((i) => i >= 0 && i < 1000)).toBe(true);
    expect([...rng.permutation(50)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("rejects bad seeds and states with a typed error", () => {
    expect(() => Rng.fromSeed(-1)).toThrow(TensorError);
    expect(() => Rng.fromSeed(1.5)).toThrow(/seed/);
    expect(() => Rng.fromState({ key: [1, 2, 3], state: [0, 0, 0, 0] } as never)).toThrow(TensorError);
  });
});
