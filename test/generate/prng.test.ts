import { describe, expect, it } from "vitest";
import { hash32, Rng, seedKey, unit, WeightedTable } from "../../tools/generate/prng.js";

describe("hash32", () => {
  it("is a pure function of its inputs", () => {
    expect(hash32(seedKey(1), 2, 3, 4)).toBe(hash32(seedKey(1), 2, 3, 4));
  });

  it("changes when any input changes", () => {
    const base = hash32(seedKey(1), 2, 3, 4);
    expect(hash32(seedKey(2), 2, 3, 4)).not.toBe(base);
    expect(hash32(seedKey(1), 5, 3, 4)).not.toBe(base);
    expect(hash32(seedKey(1), 2, 6, 4)).not.toBe(base);
    expect(hash32(seedKey(1), 2, 3, 7)).not.toBe(base);
  });

  it("tells seeds apart above 2^32", () => {
    expect(seedKey(2 ** 32 + 1)).not.toBe(seedKey(1));
  });

  it("spreads consecutive ids evenly over [0, 1)", () => {
    const key = seedKey(9);
    let below = 0;
    for (let id = 1; id <= 10_000; id++) {
      if (unit(hash32(key, 1, id, 0)) < 0.1) {
        below++;
      }
    }
    expect(below).toBeGreaterThan(900);
    expect(below).toBeLessThan(1100);
  });
});

describe("Rng", () => {
  it("repeats its sequence for the same seed", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect([a.next(), a.next(), a.next()]).toEqual([b.next(), b.next(), b.next()]);
  });

  it("keeps int() inside its inclusive bounds and reaches both ends", () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      seen.add(rng.int(-2, 2));
    }
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it("refuses to pick from an empty list", () => {
    expect(() => new Rng(1).pick([])).toThrow(RangeError);
  });
});

describe("WeightedTable", () => {
  it("draws values in proportion to their weights", () => {
    const table = new WeightedTable([
      ["a", 3],
      ["b", 1],
    ]);
    const rng = new Rng(3);
    let a = 0;
    for (let i = 0; i < 4000; i++) {
      if (table.pick(rng.next()) === "a") {
        a++;
      }
    }
    expect(a / 4000).toBeCloseTo(0.75, 1);
  });
});
