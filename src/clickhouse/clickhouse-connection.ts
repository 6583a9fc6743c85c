import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { StackhouseError } from "../errors.js";
import type { QueryValue } from "../query/read-only-query.js";
import type { ClickHouseTarget } from "./target-url.js";
import { tsvFields, typedValue } from "./tsv-values.js";

/** Settings every connection needs with the 18.16 servers stackhouse supports (see the docs). */
const SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  input_format_skip_unknown_fields: 1,
  insert_distributed_sync: 1,
} as const;

/** A client for one of the target's servers. */
export function connectClickHouse(url: string, database?: string): ClickHouseClient {
  return createClient({
    url,
    clickhouse_settings: SETTINGS,
    request_timeout: 600_000,
    log: { level: ClickHouseLogLevel.OFF },
    ...(database === undefined ? {} : { database }),
  });
}

/**
 * The servers of one ClickHouse target, as the pipeline talks to them: statements on the first
 * server or on every server, reads with exact 64-bit integers, and inserts. Every failure is one
 * line naming the server.
 *
 * @example
 * const servers = new ClickHouseServers(parseTarget("clickhouse://127.0.0.1:8123/stackhouse"));
 * const [[count]] = await servers.rows("SELECT count() FROM stackhouse.votes");
 */
export class ClickHouseServers {
  readonly target: ClickHouseTarget;
  private readonly clients: readonly ClickHouseClient[];

  /** `bare`: without the target's database as the default, for statements that create or drop it. */
  constructor(target: ClickHouseTarget, bare = false) {
    this.target = target;
    this.clients = target.hosts.map((host) =>
      connectClickHouse(host, bare ? undefined : target.database),
    );
  }

  /** Runs a statement on one server (the first by default). */
  async exec(query: string, server = 0): Promise<void> {
    await this.on(server, (client) => client.command({ query }));
  }

  /** Runs a statement on every server. */
  async everywhere(query: string): Promise<void> {
    for (let server = 0; server < this.clients.length; server++) await this.exec(query, server);
  }

  /** A query's rows, each value as a SQLite read gives it (exact integers, NULL as null). */
  async rows(query: string, server = 0): Promise<QueryValue[][]> {
    return (await this.result(query, server)).rows;
  }

  /** A query's rows as objects keyed by column name. */
  async records(query: string): Promise<Record<string, unknown>[]> {
    const { names, rows } = await this.result(query, 0);
    return rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
  }

  private async result(
    query: string,
    server: number,
  ): Promise<{ names: string[]; rows: QueryValue[][] }> {
    const text = await this.on(server, async (client) =>
      (await client.query({ query, format: "TabSeparatedWithNamesAndTypes" })).text(),
    );
    const [nameLine, typeLine, ...lines] = text.split("\n").filter((line) => line !== "");
    const types = tsvFields(typeLine ?? "");
    return {
      names: tsvFields(nameLine ?? "").map((name) => name ?? ""),
      rows: lines.map((line) =>
        tsvFields(line).map((field, index) => typedValue(types[index] ?? "", field)),
      ),
    };
  }

  /** The first value of a query's first row, as a number. */
  async count(query: string): Promise<number> {
    const [first] = await this.rows(query);
    return Number(first?.[0] ?? 0);
  }

  /** Inserts rows (objects keyed by column; 64-bit integers as text) on one server. */
  async insert(table: string, values: readonly object[], server = 0): Promise<void> {
    if (values.length === 0) return;
    await this.on(server, (client) =>
      client.insert({ table, values: values, format: "JSONEachRow" }),
    );
  }

  get servers(): number {
    return this.clients.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  private async on<T>(server: number, work: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    const client = this.clients[server];
    const host = this.target.hosts[server] ?? "";
    if (client === undefined) throw new StackhouseError("USAGE", "no ClickHouse server given");
    try {
      return await work(client);
    } catch (error) {
      throw asClickHouseError(host, error);
    }
  }
}

/** A failure talking to a ClickHouse server, as one line naming the server. */
export function asClickHouseError(server: string, error: unknown): unknown {
  if (error instanceof StackhouseError) return error;
  if (!(error instanceof Error)) return error;
  return new StackhouseError("WAREHOUSE", `ClickHouse ${server}: ${serverMessage(error)}`, {
    cause: error,
  });
}

/**
 * A ClickHouse error's text on one line, every line of it but a stack trace: a distributed
 * query's cause (`There is no table ... on server ...`) comes after its first line.
 *
 * @example
 * serverMessage(new Error("Code: 279, ...: All connection tries failed. Log: \n\nThere is no table s.t on server: h:9000\n"));
 * // "Code: 279, ...: All connection tries failed. Log: There is no table s.t on server: h:9000"
 */
export function serverMessage(error: Error): string {
  const [text = ""] = error.message.split("Stack trace:");
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

/**
 * A value as ClickHouse's `JSONEachRow` takes it: 64-bit integers as text, so they stay exact.
 *
 * @example
 * jsonValue(9007199254740993n); // "9007199254740993"
 */
export function jsonValue(value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
