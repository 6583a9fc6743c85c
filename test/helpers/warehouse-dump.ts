import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import Database from "better-sqlite3";

const TABLES = [
  "posts",
  "votes",
  "post_tags",
  "loads",
  "rejected_records",
  "load_unknown_keys",
] as const;

export type Dump = Record<string, unknown[]>;

/** Every row of every stackhouse table, in a stable order: compare warehouses with `toEqual`. */
export function dumpWarehouse(
  path: string,
  omit: Partial<Record<string, readonly string[]>> = {},
): Dump {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const dump: Dump = {};
    for (const table of TABLES) {
      const rows = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all() as Record<
        string,
        unknown
      >[];
      const dropped = omit[table] ?? [];
      dump[table] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([column]) => !dropped.includes(column))),
      );
    }
    return dump;
  } finally {
    db.close();
  }
}

/** Rows of one query, for quick checks. */
export function queryRows(
  path: string,
  sql: string,
  ...params: unknown[]
): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Every file under a folder with the sha256 of its content (empty when the folder is absent). */
export function listFiles(dir: string): Record<string, string> {
  const listing: Record<string, string> = {};
  if (!existsSync(dir)) return listing;
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        listing[relative(dir, path)] = createHash("sha256")
          .update(readFileSync(path))
          .digest("hex");
    }
  };
  walk(dir);
  return listing;
}
