import type { DeliveryKind } from "../../src/model/kinds.js";

/** One measured run of one loader. */
export interface BenchRow {
  readonly size: string;
  readonly kind: DeliveryKind;
  readonly scenario: "first load" | "re-delivery" | "incremental";
  readonly loader: string;
  readonly file: string;
  readonly records: number;
  readonly mb: number;
  readonly seconds: number;
  readonly peakRssMib: number;
  readonly ok: boolean;
  readonly error: string;
}

/** The time to read the whole weekly_votes view. */
export interface WeeklyTiming {
  readonly size: string;
  readonly votes: number;
  readonly seconds: number;
  /** The same view on the ClickHouse cluster, when the run had one. */
  readonly clickhouseSeconds?: number;
}

/** DuckDB's simplest keyed load: what a user would type (`INSERT OR REPLACE ... read_json`). */
export const DUCKDB_SIMPLE = "duckdb (simple key)";
/** The peak memory stackhouse may use at any size. */
export const MEMORY_BOUND_MIB = 256;
/** The same simple load, its `memory_limit` set to the memory stackhouse is held to. */
export const DUCKDB_BOUNDED = `duckdb (simple key, ${String(MEMORY_BOUND_MIB)} MiB)`;
/** The error of a load not run because the first load it needs failed. */
export const NOT_RUN = "not run: its first load failed";
/** DuckDB doing stackhouse's merge: typed, one row per id, the freshness rule's upsert. */
export const DUCKDB_KEY = "duckdb (same work)";
const FLOOR = "sqlite floor";
const STACKHOUSE = "stackhouse";
/** stackhouse loading the same records in the Stack Exchange data dump's XML layout. */
export const STACKHOUSE_XML = "stackhouse (XML dump)";
/** How much slower than the same records as JSON an XML load may be. */
const XML_TARGET = 1.5;

/** The row of another loader (or scenario) for the same size and kind, whether it ran or not. */
function findRun(
  rows: readonly BenchRow[],
  like: BenchRow,
  loader: string,
  scenario = like.scenario,
) {
  return rows.find(
    (row) =>
      row.size === like.size &&
      row.kind === like.kind &&
      row.scenario === scenario &&
      row.loader === loader,
  );
}

/** {@link findRun}, when that load succeeded. */
function find(rows: readonly BenchRow[], like: BenchRow, loader: string, scenario = like.scenario) {
  const run = findRun(rows, like, loader, scenario);
  return run?.ok === true ? run : undefined;
}

/** The ratio to DuckDB's simple load within the memory bound, or that DuckDB failed there. */
function boundedRatio(rows: readonly BenchRow[], row: BenchRow): string {
  const bounded = findRun(rows, row, DUCKDB_BOUNDED);
  if (bounded === undefined || row.scenario === "re-delivery") return "";
  return bounded.ok ? ratio(row.seconds, bounded.seconds) : failureWords(bounded.error);
}

/** Why a load has no time, in a few words: not run, out of memory, or the error's start. */
function failureWords(error: string): string {
  if (error === NOT_RUN) return "not run";
  if (/out of memory/i.test(error)) return "out of memory";
  return `failed: ${error.replaceAll("|", "/").slice(0, 80)}`;
}

function ratio(value: number, reference: number | undefined): string {
  return reference === undefined || !Number.isFinite(reference) || reference <= 0
    ? ""
    : `${(value / reference).toFixed(2)}×`;
}

/** The results as Markdown: one table of loads, one of weekly query times, and the targets. */
export function renderResults(
  rows: readonly BenchRow[],
  weekly: readonly WeeklyTiming[],
  machine: string,
): string {
  const lines = [
    `Machine: ${machine}. Files in the page cache; each loader in its own process; peak RSS of that process tree.`,
    "",
    `| size | file | scenario | loader | seconds | records/s | MB/s | peak RSS MiB | × DuckDB simple key | × DuckDB simple key, ${String(MEMORY_BOUND_MIB)} MiB | × DuckDB same work | × floor |`,
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    if (!row.ok) {
      lines.push(
        `| ${row.size} | ${row.kind} (${row.mb.toFixed(0)} MB) | ${row.scenario} | ${row.loader} | ${failureWords(row.error)} | | | | | | | |`,
      );
      continue;
    }
    const redelivery = row.scenario === "re-delivery";
    const simple = redelivery
      ? find(rows, row, STACKHOUSE, "first load")
      : find(rows, row, DUCKDB_SIMPLE);
    const same = redelivery ? undefined : find(rows, row, DUCKDB_KEY);
    const floor = redelivery ? undefined : find(rows, row, FLOOR);
    lines.push(
      `| ${row.size} | ${row.kind} (${row.mb.toFixed(0)} MB) | ${row.scenario} | ${row.loader} | ${row.seconds.toFixed(2)} | ${Math.round(row.records / row.seconds).toLocaleString("en-US")} | ${(row.mb / row.seconds).toFixed(1)} | ${row.peakRssMib.toFixed(0)} | ${ratio(row.seconds, simple?.seconds)} | ${boundedRatio(rows, row)} | ${ratio(row.seconds, same?.seconds)} | ${ratio(row.seconds, floor?.seconds)} |`,
    );
  }
  lines.push(
    "",
    "A re-delivery's ratio (in the DuckDB simple key column) is to stackhouse's own first load of the same file.",
    "",
  );
  lines.push(
    "| size | votes in warehouse | `SELECT * FROM weekly_votes` seconds (SQLite) | the same on ClickHouse |",
    "|---|---:|---:|---:|",
  );
  for (const timing of weekly) {
    const clickhouse = timing.clickhouseSeconds ?? Number.NaN;
    const shown = Number.isFinite(clickhouse) ? clickhouse.toFixed(3) : "not run";
    lines.push(
      `| ${timing.size} | ${timing.votes.toLocaleString("en-US")} | ${timing.seconds.toFixed(3)} | ${shown} |`,
    );
  }
  lines.push("", ...targets(rows, weekly), "");
  return `${lines.join("\n")}\n`;
}

/** Each target of the performance brief, held or missed, from this run's figures. */
function targets(rows: readonly BenchRow[], weekly: readonly WeeklyTiming[]): string[] {
  const ours = rows.filter((row) => row.loader === STACKHOUSE && row.ok);
  const verdict = (held: boolean): string => (held ? "holds" : "missed");
  const lines = ["Targets (this run):", ""];
  for (const row of ours) {
    if (row.scenario === "re-delivery") {
      const firstLoad = find(rows, row, STACKHOUSE, "first load");
      if (firstLoad !== undefined) {
        const share = row.seconds / firstLoad.seconds;
        lines.push(
          `- ${row.size} ${row.kind} re-delivery ≤ 0.05× first load: ${share.toFixed(3)}× — ${verdict(share <= 0.05)}`,
        );
      }
      continue;
    }
    const duck = find(rows, row, DUCKDB_SIMPLE);
    if (duck !== undefined && row.size !== "S") {
      const times = row.seconds / duck.seconds;
      const bounded = boundedRatio(rows, row);
      const within =
        bounded === "" ? "" : ` (DuckDB within ${String(MEMORY_BOUND_MIB)} MiB: ${bounded})`;
      lines.push(
        `- ${row.size} ${row.kind} ${row.scenario} ≤ 1.0× DuckDB's simple keyed load: ${times.toFixed(2)}× — ${verdict(times <= 1)}${within}`,
      );
    }
  }
  for (const row of rows.filter((each) => each.loader === STACKHOUSE_XML && each.ok)) {
    const json = find(rows, row, STACKHOUSE);
    if (json === undefined) continue;
    const times = row.seconds / json.seconds;
    lines.push(
      `- ${row.size} ${row.kind} first load from XML ≤ ${XML_TARGET}× the same records as JSON: ${times.toFixed(2)}× — ${verdict(times <= XML_TARGET)}`,
    );
  }
  const loads = rows.filter(
    (row) => (row.loader === STACKHOUSE || row.loader === STACKHOUSE_XML) && row.ok,
  );
  const peak = Math.max(...loads.map((row) => row.peakRssMib));
  lines.push(
    `- peak memory ≤ ${String(MEMORY_BOUND_MIB)} MiB: ${peak.toFixed(0)} MiB at most — ${verdict(peak <= MEMORY_BOUND_MIB)}`,
  );
  for (const timing of weekly) {
    lines.push(
      `- ${timing.size} weekly_votes over ${timing.votes.toLocaleString("en-US")} votes < 1 s: ${timing.seconds.toFixed(3)} s — ${verdict(timing.seconds < 1)}`,
    );
  }
  return lines;
}
