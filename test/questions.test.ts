import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { prepareReadQuery } from "../src/query/read-only-query.js";
import { workedQuestions } from "../src/serve/docs-catalog.js";
import { ingest } from "../src/run/ingest.js";
import { generated } from "./helpers/deliveries.js";
import { tempDir } from "./helpers/temp-dir.js";

const page = readFileSync(new URL("../docs/questions.md", import.meta.url), "utf8");
const queries = workedQuestions(page).map(({ title, sql }) => ({ question: title, sql }));

describe("the worked questions in docs/questions.md", () => {
  it("has queries to run", () => {
    expect(queries.length).toBeGreaterThanOrEqual(7);
  });

  it.each(queries)("answers: $question", async ({ sql }) => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    await ingest({ warehouse, ...(await generated(dir, 1)) });
    await ingest({ warehouse, ...(await generated(dir, 2)) });
    const db = new Database(warehouse, { readonly: true });
    try {
      const { columns, rows } = prepareReadQuery(db, sql);
      const all = [...rows];
      expect(columns.length).toBeGreaterThan(0);
      expect(all.length).toBeGreaterThan(0);
      expect(all.flat().some((value) => value !== null)).toBe(true);
    } finally {
      db.close();
    }
  });
});
