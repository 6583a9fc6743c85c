import type { QueryValue } from "../query/read-only-query.js";
import { startQuery, type QuerySource } from "../query/start-query.js";
import type { DictionaryEntry } from "./docs-catalog.js";

/** A table or view as the schema browser shows it. */
export interface SchemaTable {
  readonly name: string;
  readonly kind: "table" | "view";
  /** What the data dictionary says it holds; empty for the warehouse's own bookkeeping. */
  readonly description: string;
  readonly documented: boolean;
  readonly columns: readonly { name: string; type: string; description: string }[];
}

/** Each engine's catalog, as rows of table, kind, column and type, columns in their order. */
const SQLITE_COLUMNS = `SELECT m.name, m.type, c.name, c.type
FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS c
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite%'
ORDER BY m.name, c.cid`;
const CLICKHOUSE_COLUMNS = `SELECT table_name, if(engine = 'View', 'view', 'table'), name, type
FROM (SELECT table AS table_name, name, type FROM system.columns WHERE database = currentDatabase())
ANY LEFT JOIN (SELECT name AS table_name, engine FROM system.tables WHERE database = currentDatabase())
USING table_name`;

/**
 * Every table and view of the warehouse with its columns, as the engine reports them, described
 * from the data dictionary: the documented ones first, in the dictionary's order, then the rest.
 *
 * @example
 * const tables = await readSchema({ db: "w.db" }, shippedDictionary(), 60, signal);
 */
export async function readSchema(
  source: QuerySource,
  dictionary: readonly DictionaryEntry[],
  timeoutSeconds: number,
  signal: AbortSignal,
): Promise<SchemaTable[]> {
  const sql = source.target === undefined ? SQLITE_COLUMNS : CLICKHOUSE_COLUMNS;
  const { batches } = await startQuery(source, sql, {
    sede: false,
    limit: 0,
    timeoutSeconds,
    signal,
  });
  const tables = new Map<string, { kind: SchemaTable["kind"]; columns: [string, string][] }>();
  for await (const batch of batches) {
    for (const [table, kind, column, type] of batch.map((row) => row.map(text))) {
      const entry = tables.get(table ?? "") ?? {
        kind: kind === "view" ? "view" : "table",
        columns: [],
      };
      entry.columns.push([column ?? "", type ?? ""]);
      tables.set(table ?? "", entry);
    }
  }
  const documented = new Map(dictionary.map((entry, index) => [entry.name, { entry, index }]));
  const position = (name: string): number => documented.get(name)?.index ?? Infinity;
  return [...tables.entries()]
    .sort(([a], [b]) => position(a) - position(b) || a.localeCompare(b))
    .map(([name, { kind, columns }]) => {
      const entry = documented.get(name)?.entry;
      return {
        name,
        kind,
        description: entry?.description ?? "",
        documented: entry !== undefined,
        columns: columns.map(([column, type]) => ({
          name: column,
          type,
          description: entry?.columns[column] ?? "",
        })),
      };
    });
}

function text(value: QueryValue): string {
  return value === null ? "" : String(value);
}
