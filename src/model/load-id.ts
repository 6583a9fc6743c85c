/** A run numbers its loads from `run * LOAD_IDS_PER_RUN + 1`. */
export const LOAD_IDS_PER_RUN = 1_000_000;

/**
 * The id of a run's `place`-th load (counted from 1): unique across runs and ordered as they are,
 * on every engine, without reading the largest id so far.
 *
 * @example
 * loadIdOf(3, 2); // 3000002
 */
export function loadIdOf(runId: number, place: number): number {
  if (place < 1 || place >= LOAD_IDS_PER_RUN) {
    throw new RangeError(`a run holds at most ${String(LOAD_IDS_PER_RUN - 1)} loads`);
  }
  return runId * LOAD_IDS_PER_RUN + place;
}
