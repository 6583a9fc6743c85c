import type { SnapshotPlan } from "./snapshot-plan.js";

/** The Community user, owner of tag wikis and some edits. */
export const COMMUNITY_USER_ID = "-1";

/**
 * A user id active at `ms`: ids grow with the site's age and low (early, heavy) users are the most
 * active. `u` in [0, 1) selects the user.
 *
 * @example
 * userIdAt(plan, Date.UTC(2019, 0, 1), rng.next()); // "214"
 */
export function userIdAt(plan: SnapshotPlan, ms: number, u: number): string {
  const registered = 10 + Math.floor(((ms - plan.startMs) / plan.msPerPost) * 0.8);
  return String(1 + Math.floor(u * u * registered));
}
