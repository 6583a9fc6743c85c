const TWO_POW_32 = 4_294_967_296;

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Reduces any safe integer seed to the 32-bit key that all other hashes start from, so that seeds
 * above 2^32 still give different data.
 *
 * @example
 * const key = seedKey(1);
 */
export function seedKey(seed: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  return fmix32(fmix32(low ^ 0x2545f491) ^ Math.imul(high, 0x9e3779b9));
}

/**
 * A 32-bit hash of (key, stream, id, round). Every random decision about a record is derived from
 * such a hash, so any record can be produced on its own, in any order, with no state carried
 * between records: this is what keeps generation streaming.
 *
 * @example
 * const isDeleted = hash32(key, Stream.postShape, postId, 0) / 2 ** 32 < 0.1;
 */
export function hash32(key: number, stream: number, id: number, round: number): number {
  let h = fmix32(key ^ Math.imul(stream + 1, 0x9e3779b9));
  h = fmix32(h ^ Math.imul(id >>> 0, 0x85ebca6b) ^ Math.floor(id / TWO_POW_32));
  return fmix32(h ^ Math.imul(round + 1, 0xc2b2ae35));
}

/**
 * Maps a 32-bit hash to a float in [0, 1).
 *
 * @example
 * unit(hash32(key, 3, 7, 0)) < 0.05;
 */
export function unit(hash: number): number {
  return hash / TWO_POW_32;
}

/**
 * A small seeded generator (mulberry32) for the sequence of decisions inside one record. Seed it
 * from {@link hash32} so each record has its own independent sequence.
 *
 * @example
 * const rng = new Rng(hash32(key, Stream.vote, voteId, 0));
 * const score = rng.int(-2, 10);
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An exponentially distributed float with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A log-normally distributed float: half the draws fall below `median`; `sigma` sets the tail. */
  logNormal(median: number, sigma: number): number {
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    return median * Math.exp(sigma * radius * Math.cos(2 * Math.PI * this.next()));
  }

  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) {
      throw new RangeError("cannot pick from an empty list");
    }
    return item;
  }
}

/**
 * A fixed table of values with relative weights, for drawing realistic mixes (vote types, tag
 * counts) from one uniform number.
 *
 * @example
 * const bounty = new WeightedTable([["50", 60], ["100", 12]] as const);
 * bounty.pick(rng.next()); // "50" about 83% of the time
 */
export class WeightedTable<T> {
  private readonly values: readonly T[];
  private readonly cumulative: readonly number[];

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) {
      throw new RangeError("a weighted table needs at least one entry");
    }
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let running = 0;
    this.values = entries.map(([value]) => value);
    this.cumulative = entries.map(([, weight]) => (running += weight) / total);
  }

  /** The value whose cumulative weight band contains `u`, a float in [0, 1). */
  pick(u: number): T {
    const index = this.cumulative.findIndex((bound) => u < bound);
    const value = this.values[index === -1 ? this.values.length - 1 : index];
    if (value === undefined) {
      throw new RangeError("weighted table is empty");
    }
    return value;
  }
}
