import { StackhouseError } from "../errors.js";

/** Where a ClickHouse warehouse lives. */
export interface ClickHouseTarget {
  /** HTTP endpoints of the servers: one, or one per shard of the cluster. */
  readonly hosts: readonly string[];
  readonly database: string;
  /** The cluster of `remote_servers` whose shards hold the tables; undefined for one server. */
  readonly cluster: string | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME]`: the HTTP ports of the
 * servers (all shards' when a cluster is named, since tables are created on each shard; one
 * without a cluster), the database, and the cluster. Names must be plain identifiers: they are
 * embedded in SQL.
 *
 * @example
 * parseTarget("clickhouse://127.0.0.1:8123,127.0.0.1:8124/stackhouse?cluster=two_shards");
 */
export function parseTarget(text: string): ClickHouseTarget {
  const match = /^clickhouse:\/\/([^/?]+)\/([^/?]+)(?:\?cluster=([^&]+))?$/.exec(text);
  const hosts = match?.[1]?.split(",") ?? [];
  const database = match?.[2] ?? "";
  const cluster = match?.[3];
  const valid =
    match !== null &&
    hosts.every((host) => /^[\w.-]+:\d+$/.test(host)) &&
    NAME.test(database) &&
    (cluster === undefined || NAME.test(cluster));
  if (!valid) {
    throw new StackhouseError(
      "USAGE",
      `${text}: a ClickHouse target is clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME]`,
    );
  }
  if (cluster === undefined && hosts.length > 1) {
    throw new StackhouseError(
      "USAGE",
      `${text}: ${String(hosts.length)} servers without ?cluster=NAME; name the cluster whose shards they are, or give one server`,
    );
  }
  return { hosts: hosts.map((host) => `http://${host}`), database, cluster };
}
