import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDelivery, type DeliveryFormat } from "../../tools/generate/index.js";
import { SMALL } from "../helpers/deliveries.js";
import { ENGINES, type TestWarehouse } from "../helpers/engines.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

/** What analysts read: the records, their tags and the weekly answer, in a stable order. */
const ANALYST_TABLES = {
  posts: "SELECT * FROM posts ORDER BY id",
  votes: "SELECT * FROM votes ORDER BY id",
  post_tags: "SELECT * FROM post_tags ORDER BY post_id, tag",
  weekly_votes_all_weeks: "SELECT * FROM weekly_votes_all_weeks ORDER BY week_start",
  post_weekly_votes: "SELECT * FROM post_weekly_votes ORDER BY post_id, week_start",
  counts:
    "SELECT kind, records_read, inserted, updated, unchanged, rejected FROM loads ORDER BY load_id",
} as const;

async function analystTables(warehouse: TestWarehouse): Promise<Record<string, unknown>> {
  const tables: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(ANALYST_TABLES)) {
    tables[name] = await warehouse.rows(sql);
  }
  return tables;
}

/** The files to give `ingest` for snapshot `snapshot` of the small site, in one layout. */
async function delivery(
  dir: string,
  snapshot: number,
  format: DeliveryFormat,
  gzip = false,
): Promise<string[]> {
  const outDir = join(dir, `${format}${gzip ? ".gz" : ""}-${String(snapshot)}`);
  const result = await generateDelivery({ ...SMALL, snapshot, outDir, format, gzip });
  return result.archivePath === undefined
    ? [result.postsPath, result.votesPath]
    : [result.archivePath];
}

async function ingestAll(warehouse: TestWarehouse, deliveries: readonly string[][]) {
  for (const files of deliveries) {
    const run = await cli("ingest", ...warehouse.args, "--no-checks", ...files);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  }
}

describe.each(ENGINES)("the Stack Exchange data dump on $name", (engine) => {
  it("gives the same tables and weekly answer from XML, .xml.gz and a site's .7z as from JSON, merged into each other", async () => {
    const dir = await tempDir();
    const json = await engine.fresh(join(dir, "json"));
    await ingestAll(json, [await delivery(dir, 1, "json"), await delivery(dir, 2, "json")]);
    const expected = await analystTables(json);
    expect((expected.posts as unknown[]).length).toBeGreaterThan(100);

    const xml = await engine.fresh(join(dir, "xml"));
    await ingestAll(xml, [await delivery(dir, 1, "xml"), await delivery(dir, 2, "xml", true)]);
    expect(await analystTables(xml)).toEqual(expected);

    const intoJson = await engine.fresh(join(dir, "into-json"));
    await ingestAll(intoJson, [await delivery(dir, 1, "json"), await delivery(dir, 2, "xml")]);
    expect(await analystTables(intoJson)).toEqual(expected);

    const mixed = await engine.fresh(join(dir, "mixed"));
    await ingestAll(mixed, [await delivery(dir, 1, "7z"), await delivery(dir, 2, "json")]);
    expect(await analystTables(mixed)).toEqual(expected);
  });

  it("loads a site's .7z, names the files it skips, and is rebuilt from the archived .7z after the database is dropped", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(join(dir, "site"));
    const [archive = ""] = await delivery(dir, 1, "7z");
    const run = await cli("ingest", ...warehouse.args, "--no-checks", archive);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${archive}#Posts.xml`);
    expect(run.stdout).toContain(`${archive}#Votes.xml`);
    expect(run.stdout).toContain(`note: ${archive}#Users.xml skipped: neither posts nor votes`);

    const again = await cli("ingest", ...warehouse.args, "--no-checks", archive);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/already-loaded/g)).toHaveLength(2);
    const before = await analystTables(warehouse);

    await warehouse.drop();
    const rebuilt = await cli("rebuild", ...warehouse.args);
    expect(rebuilt.stderr).toBe("");
    expect(rebuilt.code).toBe(0);
    const after = await analystTables(warehouse);
    expect(after).toEqual(before);
  });
});
