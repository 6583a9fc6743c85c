const DAY_MS = 86_400_000;
const cache = new Map<string, string>();

/**
 * The week rule, the only one: a week is an ISO week, Monday to Sunday in UTC, named by its
 * Monday (`YYYY-MM-DD`). Every engine groups by this day; the SQL below says the same in each
 * engine's dialect, and the tests hold them to {@link weekOf}. Votes share few distinct days, so
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

/** {@link weekOf} in each engine's SQL, for grouping rows by week where they are stored. */
export const WEEK_OF_SQL = {
  sqlite: (column: string): string => `date(${column}, 'weekday 0', '-6 days')`,
  clickhouse: (column: string): string => `toString(toMonday(toDate(substring(${column}, 1, 10))))`,
} as const;
