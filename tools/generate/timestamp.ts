const DAY_MS = 86_400_000;

let memoDay = Number.NaN;
let memoDate = "";

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Formats epoch milliseconds the way the supplier does: UTC, milliseconds, no zone suffix. The date
 * part of the last day formatted is remembered, because consecutive votes mostly share a day.
 *
 * @example
 * formatTimestamp(Date.UTC(2017, 1, 28)); // "2017-02-28T00:00:00.000"
 */
export function formatTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== memoDay) {
    const iso = new Date(ms).toISOString();
    memoDay = day;
    memoDate = iso.slice(0, 11);
    return iso.slice(0, 23);
  }
  const inDay = ms - day * DAY_MS;
  const seconds = Math.floor(inDay / 1000);
  return (
    memoDate +
    `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:` +
    `${pad(seconds % 60, 2)}.${pad(inDay % 1000, 3)}`
  );
}
