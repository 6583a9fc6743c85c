import { StackhouseError } from "../errors.js";

/** Share of a file's records that may be quarantined before the run fails (5%). */
export const DEFAULT_MAX_REJECTED_SHARE = 0.05;

const TOP_REASONS = 3;
const FIRST_PLACES = 3;
const VALUE = /"(?:[^"\\]|\\.)*"…?|(?<=text of )\d+/g;

/**
 * Tallies why a file's records were quarantined, grouped by kind of problem (the reason with its
 * value left out), so a run refused for too many rejections can say why in one line.
 *
 * @example
 * const tally = new RejectTally();
 * tally.add('Score: "x" is not an integer', { number: 7, line: 8 });
 * tally.enforce("Posts.json", 10, 0.05); // throws: 1 of 10 records (10.0%) quarantined ...
 */
export class RejectTally {
  private readonly byProblem = new Map<string, number>();
  private readonly firstPlaces: string[] = [];
  private total = 0;

  /** Counts a quarantined record: why, and where (its record number and line in the file). */
  add(reason: string, place: { readonly number: number; readonly line: number }): void {
    const problem = reason.replace(VALUE, "…");
    this.byProblem.set(problem, (this.byProblem.get(problem) ?? 0) + 1);
    this.total++;
    if (this.firstPlaces.length < FIRST_PLACES) {
      this.firstPlaces.push(`record ${String(place.number)} (line ${String(place.line)})`);
    }
  }

  get count(): number {
    return this.total;
  }

  /** Throws when more than `maxShare` of `read` records were quarantined. */
  enforce(path: string, read: number, maxShare: number): void {
    if (this.total === 0 || this.total <= maxShare * read) return;
    const problems = [...this.byProblem.entries()].sort(([, a], [, b]) => b - a);
    const others = problems.slice(TOP_REASONS).reduce((sum, [, count]) => sum + count, 0);
    const top = [
      ...problems.slice(0, TOP_REASONS).map(([problem, count]) => `${problem} (${count})`),
      ...(others > 0 ? [`${others} more of other kinds`] : []),
    ].join("; ");
    const share = ((100 * this.total) / read).toFixed(1);
    throw new StackhouseError(
      "TOO_MANY_REJECTED",
      `${path}: ${this.total} of ${read} records (${share}%) failed validation, more than the ${formatShare(maxShare)} allowed (--max-rejected); nothing was loaded. Top reasons: ${top}. First at: ${this.firstPlaces.join(", ")}`,
    );
  }
}

/** Parses `--max-rejected`: a percentage (`5%`) or a fraction (`0.05`), from 0 to 1. */
export function parseShare(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (match === null) return undefined;
  const share = match[2] === "%" ? Number(match[1]) / 100 : Number(match[1]);
  return share >= 0 && share <= 1 ? share : undefined;
}

/** A share as the options take it: 0.05 is "5%". */
export function formatShare(share: number): string {
  return `${String(Number((share * 100).toFixed(4)))}%`;
}
