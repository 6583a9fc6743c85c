const DAY_MS = 86_400_000;
const cache = new Map<string, string>();

/**
 * The Monday (`YYYY-MM-DD`, UTC) of the ISO week a delivered timestamp falls in; the same rule as
 * the SQL `date(ts, 'weekday 0', '-6 days')` the views use. Votes share few distinct dates, so
 * results are cached by day.
 *
 * @example
 * weekOf("2021-01-03T12:00:00.000"); // "2020-12-28"
 */
export function weekOf(timestamp: string): string {
  const day = timestamp.slice(0, 10);
  let week = cache.get(day);
  if (week === undefined) {
    const time = Date.parse(`${day}T00:00:00Z`);
    const sinceMonday = (new Date(time).getUTCDay() + 6) % 7;
    week = new Date(time - sinceMonday * DAY_MS).toISOString().slice(0, 10);
    cache.set(day, week);
  }
  return week;
}
