import { KINDS, type DeliveryKind } from "../../src/model/kinds.js";

/**
 * The SQL of the reference loaders the benchmark compares stackhouse with: each loads the same
 * delivery into the same typed tables with the same "newest version wins" upsert.
 */
const SQLITE_TYPE = {
  id: "INTEGER",
  integer: "INTEGER",
  count: "INTEGER",
  timestamp: "TEXT",
  text: "TEXT",
} as const;
const DUCKDB_TYPE = {
  id: "BIGINT",
  integer: "BIGINT",
  count: "BIGINT",
  timestamp: "VARCHAR",
  text: "VARCHAR",
} as const;

function fields(kind: DeliveryKind) {
  return KINDS[kind].fields;
}

/** Key as it appears in generated files (the real delivery's misspelling included). */
function deliveredKey(kind: DeliveryKind, index: number): string {
  const field = fields(kind)[index];
  if (field === undefined) throw new Error("no such field");
  return field.aliases?.[0] ?? field.key;
}

function freshness(kind: DeliveryKind, table: string): string {
  const differs = fields(kind)
    .map((field) => `${table}.${field.column} IS DISTINCT FROM excluded.${field.column}`)
    .join(" OR ");
  const version =
    kind === "posts" ? `excluded.last_activity_date >= ${table}.last_activity_date AND ` : "";
  return `${version}(${differs})`;
}

function updateSet(kind: DeliveryKind): string {
  return fields(kind)
    .filter((field) => field.column !== "id")
    .map((field) => `${field.column} = excluded.${field.column}`)
    .join(", ");
}

/** CREATE TABLE for a kind, with or without the primary key. */
export function createTable(
  kind: DeliveryKind,
  dialect: "sqlite" | "duckdb",
  withKey = true,
): string {
  const types = dialect === "sqlite" ? SQLITE_TYPE : DUCKDB_TYPE;
  const columns = fields(kind).map(
    (field) =>
      `${field.column} ${types[field.type]}${field.column === "id" && withKey ? " PRIMARY KEY" : ""}`,
  );
  return `CREATE TABLE ${kind} (${columns.join(", ")})`;
}

/** The sqlite3 shell's loader: json_each over readfile(), cast, upsert. */
export function sqliteShellLoad(kind: DeliveryKind, path: string): string {
  const select = fields(kind)
    .map((field, index) => {
      const value = `value->>'${deliveredKey(kind, index)}'`;
      return SQLITE_TYPE[field.type] === "INTEGER" ? `CAST(${value} AS INTEGER)` : value;
    })
    .join(", ");
  const upsert = `ON CONFLICT (id) DO UPDATE SET ${updateSet(kind)} WHERE ${freshness(kind, kind)}`;
  const quoted = path.replaceAll("'", "''");
  return `INSERT INTO ${kind} SELECT ${select} FROM json_each(readfile('${quoted}')) WHERE true ${upsert};`;
}

/** The same upsert fed from an already typed table `staged`: SQLite's floor, no JSON at all. */
export function sqliteFloorUpsert(kind: DeliveryKind): string {
  return `INSERT INTO ${kind} SELECT * FROM staged WHERE true ON CONFLICT (id) DO UPDATE SET ${updateSet(kind)} WHERE ${freshness(kind, kind)}`;
}

/** DuckDB's read_json of a delivery, typed, one row per id (its upsert refuses repeats in one statement). */
export function duckdbSelect(kind: DeliveryKind, path: string): string {
  const columns = fields(kind)
    .map((_, index) => `'${deliveredKey(kind, index)}': 'VARCHAR'`)
    .join(", ");
  const select = fields(kind)
    .map(
      (field, index) =>
        `CAST("${deliveredKey(kind, index)}" AS ${DUCKDB_TYPE[field.type]}) AS ${field.column}`,
    )
    .join(", ");
  const order = kind === "posts" ? `"LastActivityDate" DESC` : "1";
  const quoted = path.replaceAll("'", "''");
  return `SELECT ${select} FROM read_json('${quoted}', format = 'auto', columns = {${columns}}) QUALIFY row_number() OVER (PARTITION BY "Id" ORDER BY ${order}) = 1`;
}

/** DuckDB's upsert of a delivery into the keyed table. */
export function duckdbUpsert(kind: DeliveryKind, path: string): string {
  return `INSERT INTO ${kind} ${duckdbSelect(kind, path)} ON CONFLICT (id) DO UPDATE SET ${updateSet(kind)} WHERE ${freshness(kind, kind)}`;
}

/** The type a user would give each column in DuckDB when typing the table by hand. */
const DUCKDB_USER_TYPE = {
  id: "BIGINT",
  integer: "BIGINT",
  count: "BIGINT",
  timestamp: "TIMESTAMP",
  text: "VARCHAR",
} as const;

/**
 * The simplest keyed load a user would type in DuckDB: a table with the delivery's own column
 * names, typed by hand, `Id` its primary key, filled (or refreshed) by `INSERT OR REPLACE ...
 * BY NAME` straight from `read_json`. No freshness rule, no validation, no history. With a
 * `memoryLimit` (DuckDB's `memory_limit`, which bounds its buffer manager, not the whole process),
 * the same load within the memory stackhouse is held to.
 */
export function duckdbSimpleLoad(kind: DeliveryKind, path: string, memoryLimit?: string): string[] {
  const columns = fields(kind).map(
    (field) =>
      `"${field.key}" ${DUCKDB_USER_TYPE[field.type]}${field.column === "id" ? " PRIMARY KEY" : ""}`,
  );
  const quoted = path.replaceAll("'", "''");
  return [
    ...(memoryLimit === undefined ? [] : [`SET memory_limit = '${memoryLimit}'`]),
    `CREATE TABLE IF NOT EXISTS ${kind} (${columns.join(", ")})`,
    `INSERT OR REPLACE INTO ${kind} BY NAME SELECT * FROM read_json('${quoted}')`,
  ];
}
