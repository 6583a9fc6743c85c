import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { StackhouseError } from "../errors.js";
import { sha256File } from "../extract/hash-file.js";
import { inspectDelivery, type DeliveryFile } from "../extract/read-delivery.js";
import { splitTags } from "../load/split-tags.js";
import type { Row } from "../model/field.js";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import { DEFAULT_MAX_REJECTED_SHARE, RejectTally } from "../validate/reject-threshold.js";
import { validateDelivery } from "../validate/validate-delivery.js";
import { countsError, validateInWorker } from "../validate/validate-in-worker.js";
import { CH_TABLES, schemaStatements } from "./clickhouse-schema.js";
import { sqlString } from "./sql-literal.js";
import type { ClickHouseTarget } from "./target-url.js";

/** What loading one file into ClickHouse did. */
export interface ClickHouseFileReport {
  readonly kind: DeliveryKind;
  readonly path: string;
  readonly outcome: "loaded" | "already-loaded";
  readonly loadId: number;
  readonly read: number;
  readonly written: number;
  readonly rejected: number;
  readonly seconds: number;
}

/** Settings every connection needs with the 18.16 servers stackhouse supports (see the docs). */
const SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  input_format_skip_unknown_fields: 1,
  insert_distributed_sync: 1,
} as const;

const INSERT_BATCH = 10_000;

/** A client for one of the target's servers. */
export function connectClickHouse(url: string, database?: string): ClickHouseClient {
  return createClient({
    url,
    clickhouse_settings: SETTINGS,
    request_timeout: 300_000,
    log: { level: ClickHouseLogLevel.OFF },
    ...(database === undefined ? {} : { database }),
  });
}

/** Creates the database, tables and views on every server of the target, if missing. */
export async function ensureClickHouseSchema(target: ClickHouseTarget): Promise<void> {
  for (const host of target.hosts) {
    const client = connectClickHouse(host);
    try {
      for (const statement of schemaStatements(target)) await client.command({ query: statement });
    } finally {
      await client.close();
    }
  }
}

/**
 * A validated row as ClickHouse's `JSONEachRow` takes it: 64-bit ids as text, a post's version and
 * tag array alongside.
 *
 * @example
 * clickHouseRow("votes", [1n, 7, 2, null, null, "2019-01-01T00:00:00.000"], 3);
 */
export function clickHouseRow(
  kind: DeliveryKind,
  row: Row,
  loadId: number,
): Record<string, unknown> {
  const record: Record<string, unknown> = { load_id: loadId };
  KINDS[kind].fields.forEach((field, index) => {
    const value = row[index] ?? null;
    record[field.column] = typeof value === "bigint" ? value.toString() : value;
  });
  if (kind === "posts") {
    record.version = Date.parse(`${String(record.last_activity_date)}Z`);
    record.tags_array = splitTags(typeof record.tags === "string" ? record.tags : null);
  }
  return record;
}

async function scalar(client: ClickHouseClient, query: string): Promise<number> {
  const rows = await (
    await client.query({ query, format: "JSONEachRow" })
  ).json<Record<string, unknown>>();
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

/**
 * Validates a whole file first, so a broken file or one over the reject threshold writes nothing;
 * ClickHouse has no transactions across inserts, and this is how a refused file leaves it as it was.
 */
async function validateWholeFile(
  file: DeliveryFile,
  kind: DeliveryKind,
  maxShare: number,
  now: number,
): Promise<void> {
  const rejects = new RejectTally();
  let read = 0;
  for await (const batch of validateDelivery(file, kind, { now }).batches) {
    read += batch.read;
    for (const rejection of batch.rejections) rejects.add(rejection.reason);
  }
  rejects.enforce(file.path, read, maxShare);
}

/**
 * Ingests a delivery into a ClickHouse warehouse (one server or a cluster's Distributed tables),
 * with the same reader, validation and quarantine as SQLite. The merge rule is ClickHouse's:
 * ReplacingMergeTree keeps each post's newest version and one copy of each vote, and readers take
 * the winning version with `latestRows`. A file already loaded (same sha256 and kind) is not read
 * again. Inserted and updated counts are not known on ClickHouse: the report says `written`.
 *
 * @example
 * await ingestClickHouse(parseTarget("clickhouse://127.0.0.1:8123/stackhouse"), { posts, votes });
 */
export async function ingestClickHouse(
  target: ClickHouseTarget,
  delivery: { readonly posts: string; readonly votes: string; readonly maxRejectedShare?: number },
): Promise<ClickHouseFileReport[]> {
  const files: [DeliveryKind, DeliveryFile][] = [
    ["posts", await inspectDelivery(delivery.posts)],
    ["votes", await inspectDelivery(delivery.votes)],
  ];
  const maxShare = delivery.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
  const now = Date.now();
  for (const [kind, file] of files) await validateWholeFile(file, kind, maxShare, now);
  const primary = target.hosts[0];
  if (primary === undefined) throw new StackhouseError("USAGE", "no ClickHouse server given");
  await ensureClickHouseSchema(target);
  const client = connectClickHouse(primary);
  const table = (name: string): string => `${target.database}.${name}`;
  try {
    const reports: ClickHouseFileReport[] = [];
    for (const [kind, file] of files) {
      const started = performance.now();
      const sha256 = await sha256File(file.path);
      const loadId =
        (await scalar(client, `SELECT max(load_id) FROM ${table(CH_TABLES.loads)}`)) + 1;
      const known = await scalar(
        client,
        `SELECT count() FROM ${table(CH_TABLES.loads)} WHERE sha256 = ${sqlString(sha256)} AND kind = ${sqlString(kind)}`,
      );
      if (known > 0) {
        reports.push({
          kind,
          path: file.path,
          outcome: "already-loaded",
          loadId,
          read: 0,
          written: 0,
          rejected: 0,
          seconds: (performance.now() - started) / 1000,
        });
        continue;
      }
      let read = 0;
      let written = 0;
      const rejected: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = [];
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        await client.insert({
          table: table(CH_TABLES[kind]),
          values: pending,
          format: "JSONEachRow",
        });
        written += pending.length;
        pending = [];
      };
      const validation = validateInWorker(file, kind, { now });
      for await (const { rows, rejections } of validation.batches) {
        for (const row of rows) pending.push(clickHouseRow(kind, row, loadId));
        for (const { record, reason } of rejections) {
          rejected.push({
            load_id: loadId,
            record_number: record.number,
            line: record.line,
            reason,
            raw: record.text,
          });
        }
        if (pending.length >= INSERT_BATCH) await flush();
      }
      await flush();
      read = validation.digest().records;
      if (read !== written + rejected.length) {
        throw countsError(
          file.path,
          `read ${read} = written ${written} + rejected ${rejected.length} does not hold`,
        );
      }
      if (rejected.length > 0) {
        await client.insert({
          table: table(CH_TABLES.rejected),
          values: rejected,
          format: "JSONEachRow",
        });
      }
      await client.insert({
        table: table(CH_TABLES.loads),
        values: [
          {
            load_id: loadId,
            kind,
            source_path: file.path,
            size_bytes: file.sizeBytes,
            sha256,
            arrived_at: new Date().toISOString(),
            records_read: read,
            rejected: rejected.length,
          },
        ],
        format: "JSONEachRow",
      });
      reports.push({
        kind,
        path: file.path,
        outcome: "loaded",
        loadId,
        read,
        written,
        rejected: rejected.length,
        seconds: (performance.now() - started) / 1000,
      });
    }
    return reports;
  } catch (error) {
    throw asClickHouseError(primary, error);
  } finally {
    await client.close();
  }
}

/** A failure talking to a ClickHouse server, as one line naming the server. */
function asClickHouseError(server: string, error: unknown): StackhouseError {
  if (error instanceof StackhouseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StackhouseError("WAREHOUSE", `ClickHouse ${server}: ${message.split("\n")[0] ?? ""}`, {
    cause: error,
  });
}

/** Reads `weekly_votes` from a ClickHouse warehouse, oldest week first. */
export async function clickHouseWeeklyVotes(
  target: ClickHouseTarget,
): Promise<
  { week_start: string; votes: number; posts_voted: number; mean_votes_per_post: number }[]
> {
  const client = connectClickHouse(target.hosts[0] ?? "");
  try {
    const result = await client.query({
      query: `SELECT week_start, votes, posts_voted, mean_votes_per_post FROM ${target.database}.weekly_votes ORDER BY week_start`,
      format: "JSONEachRow",
    });
    return await result.json();
  } finally {
    await client.close();
  }
}

/**
 * Fails with a one-line warehouse error when the target's database does not exist, or no
 * server answers: reading a warehouse that was never loaded is a mistake, not an empty answer.
 */
export async function requireClickHouseWarehouse(target: ClickHouseTarget): Promise<void> {
  const primary = target.hosts[0] ?? "";
  const client = connectClickHouse(primary);
  try {
    const found = await scalar(
      client,
      `SELECT count() FROM system.databases WHERE name = ${sqlString(target.database)}`,
    );
    if (found === 0) {
      throw new StackhouseError(
        "WAREHOUSE",
        `ClickHouse ${primary}: no warehouse ${target.database} here; ingest a delivery first`,
      );
    }
  } catch (error) {
    throw asClickHouseError(primary, error);
  } finally {
    await client.close();
  }
}

/** Drops a ClickHouse warehouse's database on every server (for tests). */
export async function dropClickHouseDatabase(target: ClickHouseTarget): Promise<void> {
  for (const host of target.hosts) {
    const client = connectClickHouse(host);
    try {
      await client.command({ query: `DROP DATABASE IF EXISTS ${target.database}` });
    } finally {
      await client.close();
    }
  }
}
