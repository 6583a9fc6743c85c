import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ClickHouseServers } from "../../src/clickhouse/clickhouse-connection.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { ingest, type IngestReport } from "../../src/run/ingest.js";
import { snapshotChanges } from "../../tools/generate/index.js";
import { generated, records, SMALL, writeLayout, type Layout } from "../helpers/deliveries.js";
import { ENGINES, SQLITE, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse, listFiles, queryRows } from "../helpers/warehouse-dump.js";
import { rejection } from "../helpers/errors.js";

const MS_PER_DAY = 86_400_000;

function mondayOf(timestamp: string): string {
  const day = Date.parse(`${timestamp.slice(0, 10)}T00:00:00Z`);
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The databases on a ClickHouse warehouse's first server whose names begin with its own. */
async function databasesOf(warehouse: TestWarehouse): Promise<string[]> {
  const target = parseTarget(warehouse.args[1] ?? "");
  const servers = new ClickHouseServers(target, true);
  try {
    const rows = await servers.rows(
      `SELECT name FROM system.databases WHERE startsWith(name, '${target.database}')`,
    );
    return rows.map(([name]) => String(name));
  } finally {
    await servers.close();
  }
}

/** One generated delivery loaded into a new warehouse, shared by the tests that only read it. */
function sharedLoad(
  engine: Engine,
): () => Promise<{ warehouse: TestWarehouse; report: IngestReport }> {
  let loaded: Promise<{ warehouse: TestWarehouse; report: IngestReport }> | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return () =>
    (loaded ??= (async () => {
      dir = await mkdtemp(join(tmpdir(), "stackhouse-test-"));
      const warehouse = await engine.fresh(dir);
      const report = await ingest({ warehouse: warehouse.destination, ...(await generated(dir)) });
      return { warehouse, report };
    })());
}

describe.each(ENGINES)("ingest on $name", (engine) => {
  const loadedOnce = sharedLoad(engine);

  it("loads a generated delivery with its counts, values, NULLs and tags", async () => {
    const { warehouse, report } = await loadedOnce();
    const { posts, votes } = records();
    const distinctPosts = new Set(posts.map((post) => post.Id)).size;

    expect(report.created).toBe(true);
    const [postsReport, votesReport] = report.files;
    expect(postsReport).toMatchObject({
      kind: "posts",
      outcome: "loaded",
      read: posts.length,
      inserted: distinctPosts,
      updated: 0,
      unchanged: posts.length - distinctPosts,
      rejected: 0,
    });
    expect(votesReport).toMatchObject({
      kind: "votes",
      read: votes.length,
      inserted: votes.length,
      rejected: 0,
    });
    expect((await warehouse.rows("SELECT count(*) AS n FROM posts"))[0]?.n).toBe(distinctPosts);
    expect((await warehouse.rows("SELECT count(*) AS n FROM votes"))[0]?.n).toBe(votes.length);

    const first = posts.find((post) => post.Tags !== undefined && post.ViewCount !== undefined);
    if (first === undefined) throw new Error("the generator made no tagged question");
    const id = Number(first.Id);
    const [stored] = await warehouse.rows(`SELECT * FROM posts WHERE id = ${String(id)}`);
    expect(stored).toMatchObject({
      score: Number(first.Score),
      view_count: Number(first.ViewCount),
      body: first.Body,
      creation_date: first.CreationDate,
      content_license: first.ContentLIcense,
      parent_id: null,
    });
    const tags = await warehouse.rows(
      `SELECT tag FROM post_tags WHERE post_id = ${String(id)} ORDER BY tag`,
    );
    expect(tags.map((row) => row.tag)).toEqual(first.Tags?.slice(1, -1).split("><").sort());

    const emptyEditor = posts.find((post) => post.LastEditorDisplayName === "");
    expect(emptyEditor).toBeDefined();
    const editor = await warehouse.rows(
      `SELECT last_editor_display_name AS name FROM posts WHERE id = ${String(Number(emptyEditor?.Id))}`,
    );
    expect(editor).toEqual([{ name: "" }]);

    const orphans = (
      await warehouse.rows(
        "SELECT count(*) AS n FROM votes WHERE post_id NOT IN (SELECT id FROM posts)",
      )
    )[0]?.n;
    expect(orphans).toBeGreaterThan(0);
    const bounty = await warehouse.rows(
      "SELECT DISTINCT vote_type_id FROM votes WHERE bounty_amount IS NOT NULL ORDER BY 1",
    );
    expect(bounty.every((row) => row.vote_type_id === 8 || row.vote_type_id === 9)).toBe(true);
  });

  it("publishes weekly_votes matching an independent computation, orphans included", async () => {
    const { warehouse } = await loadedOnce();

    const weeks = new Map<string, { votes: number; posts: Set<string> }>();
    for (const vote of records().votes) {
      const week = mondayOf(vote.CreationDate ?? "");
      const entry = weeks.get(week) ?? { votes: 0, posts: new Set<string>() };
      entry.votes++;
      entry.posts.add(vote.PostId ?? "");
      weeks.set(week, entry);
    }
    const expected = [...weeks.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([week_start, { votes, posts }]) => ({
        week_start,
        votes,
        posts_voted: posts.size,
        mean_votes_per_post: votes / posts.size,
      }));
    const actual = await warehouse.rows("SELECT * FROM weekly_votes ORDER BY week_start");
    expect(actual).toHaveLength(expected.length);
    actual.forEach((row, index) => {
      const want = expected[index];
      expect(row).toMatchObject({
        week_start: want?.week_start,
        votes: want?.votes,
        posts_voted: want?.posts_voted,
      });
      expect(row.mean_votes_per_post).toBeCloseTo(want?.mean_votes_per_post ?? NaN, 12);
    });
  });

  it("changes nothing, not even load ids, when the same delivery arrives again", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const destination = warehouse.destination;
    const delivery = await generated(dir);
    await ingest({ warehouse: destination, ...delivery });
    const before = await warehouse.dump();

    const again = await ingest({ warehouse: destination, ...delivery });
    expect(again.files.map((file) => [file.outcome, file.inserted, file.updated])).toEqual([
      ["already-loaded", 0, 0],
      ["already-loaded", 0, 0],
    ]);
    const after = await warehouse.dump();
    expect({ ...after, loads: [] }).toEqual({ ...before, loads: [] });
    expect(after.loads?.slice(0, before.loads?.length)).toEqual(before.loads);

    // The same records in other bytes are parsed and merged again, and still change nothing.
    const { posts, votes } = records();
    const ndjson = await ingest({
      warehouse: destination,
      posts: await writeLayout(join(dir, "posts.ndjson"), posts, "ndjson"),
      votes: await writeLayout(join(dir, "votes.ndjson"), votes, "ndjson"),
    });
    expect(
      ndjson.files.map((file) => [file.outcome, file.inserted, file.updated, file.unchanged]),
    ).toEqual([
      ["loaded", 0, 0, posts.length],
      ["loaded", 0, 0, votes.length],
    ]);
    expect({ ...(await warehouse.dump()), loads: [] }).toEqual({ ...before, loads: [] });
  });

  it("records the sha256 of the bytes it read, and tells a file of a loaded size by its bytes", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const delivery = await generated(dir);
    const first = await ingest({ warehouse: warehouse.destination, ...delivery });
    const sha256Of = async (path: string): Promise<string> =>
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
    const expected = [await sha256Of(delivery.posts), await sha256Of(delivery.votes)];
    expect(first.files.map((file) => file.sha256)).toEqual(expected);
    const loads = (await warehouse.dump()).loads as { sha256: string }[];
    expect(loads.map((load) => load.sha256)).toEqual(expected);

    // The same size as the loaded votes, other bytes: one vote's type changes from 2 to 3.
    const text = await readFile(delivery.votes, "utf8");
    const changed = text.replace('"VoteTypeId":"2"', '"VoteTypeId":"3"');
    expect(changed).not.toEqual(text);
    const votes = join(dir, "Votes-changed.json");
    await writeFile(votes, changed);
    const second = await ingest({ warehouse: warehouse.destination, votes });
    expect(second.files.map((file) => [file.outcome, file.sha256, file.conflicts])).toEqual([
      ["loaded", await sha256Of(votes), 1],
    ]);
  });

  it("leaves the warehouse and the archive exactly as they were when a run fails", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const archive = warehouse.destination.archive.dir;
    await ingest({ warehouse: warehouse.destination, ...(await generated(dir, 1)) });
    const before = await warehouse.dump();
    const archiveBefore = listFiles(archive);

    const next = await generated(dir, 2);
    const broken = join(dir, "broken-votes.json");
    await writeFile(
      broken,
      '[{"Id":"1","PostId":"1","VoteTypeId":"2","CreationDate":"2020-01-01T00:00:00.000"}\n,{"Id":"2"',
    );
    const error = await rejection(
      ingest({ warehouse: warehouse.destination, posts: next.posts, votes: broken }),
    );

    expect(error.message).toBe(`${broken}: line 2, column 2: truncated: record 2 is not closed`);
    expect(await warehouse.dump()).toEqual(before);
    expect(listFiles(archive)).toEqual(archiveBefore);
  });

  it("leaves nothing behind when the first run into a new warehouse fails", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const delivery = await generated(dir);
    await rejection(
      ingest({ warehouse: warehouse.destination, posts: delivery.votes, votes: delivery.posts }),
    );
    // The SQLite file, its landing archive and lock, or ClickHouse's archive and lock, are in dir.
    expect(Object.keys(listFiles(dir)).filter((name) => !name.startsWith("snapshot-"))).toEqual([]);
    expect(await warehouse.destination.isMissing()).toBe(true);
    if (engine.name === "clickhouse") expect(await databasesOf(warehouse)).toEqual([]);
  });
});

// These pass on ClickHouse too, but take about 100 s more there; test/acceptance/engines.test.ts
// covers the same ground on ClickHouse: a full snapshot merged after an increment, deliveries in
// either order with a stale one, and a warehouse re-created from its archive after a drop.
describe.each([SQLITE])("ingest on $name (ClickHouse: in test/acceptance)", (engine) => {
  it("merges a later full snapshot: new records inserted, changed posts updated to the newer version", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    await ingest({ warehouse: warehouse.destination, ...(await generated(dir, 1)) });
    const report = await ingest({
      warehouse: warehouse.destination,
      ...(await generated(dir, 2)),
      snapshot: true,
    });

    const first = records(1);
    const second = records(2);
    const firstVotes = new Set(first.votes.map((vote) => vote.Id));
    const firstById = new Map(first.posts.map((post) => [post.Id, post]));
    const secondById = new Map(second.posts.map((post) => [post.Id, post]));
    const added = [...secondById.keys()].filter((id) => !firstById.has(id)).length;
    const changed = [...secondById.entries()].filter(
      ([id, post]) =>
        firstById.has(id) && JSON.stringify(firstById.get(id)) !== JSON.stringify(post),
    ).length;
    expect(added).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(0);
    expect(report.files[0]).toMatchObject({ inserted: added, updated: changed });
    expect(report.files[1]).toMatchObject({
      inserted: second.votes.filter((vote) => !firstVotes.has(vote.Id)).length,
      updated: 0,
    });

    const stored = await warehouse.rows(
      "SELECT id, last_activity_date, score FROM posts ORDER BY id",
    );
    expect(stored).toEqual(
      [...secondById.values()]
        .sort((a, b) => Number(a.Id) - Number(b.Id))
        .map((post) => ({
          id: Number(post.Id),
          last_activity_date: post.LastActivityDate,
          score: Number(post.Score),
        })),
    );
  });

  it("ignores a stale delivery and ends with the same posts whatever the delivery order", async () => {
    const dir = await tempDir();
    const older = await generated(dir, 1);
    const newer = await generated(dir, 2);
    const inOrder = await engine.fresh(join(dir, "in-order"));
    const reversed = await engine.fresh(join(dir, "reversed"));
    await ingest({ warehouse: inOrder.destination, ...older });
    await ingest({ warehouse: inOrder.destination, ...newer });
    await ingest({ warehouse: reversed.destination, ...newer });
    const afterNewer = await reversed.dump();
    const stale = await ingest({ warehouse: reversed.destination, ...older });

    // As increments, the older delivery brings back only what the newer one no longer holds.
    const gone = snapshotChanges({ ...SMALL, snapshot: 2 });
    expect(stale.files.map((file) => [file.inserted, file.updated])).toEqual([
      [gone.posts.deleted.length, 0],
      [gone.votes.deleted.length, 0],
    ]);
    // Each post the newer delivery changed comes back older: left as stored, and counted stale.
    const newerPosts = new Map(records(2).posts.map((post) => [post.Id, JSON.stringify(post)]));
    const outdated = records(1).posts.filter(
      (post) => newerPosts.has(post.Id) && newerPosts.get(post.Id) !== JSON.stringify(post),
    ).length;
    expect(outdated).toBeGreaterThan(0);
    expect(stale.files.map((file) => file.stale)).toEqual([outdated, 0]);
    const olderOnly = (rows: unknown[], ids: readonly number[]): unknown[] =>
      rows.filter((row) => !ids.includes((row as { id: number }).id));
    const afterStale = await reversed.dump();
    expect(olderOnly(afterStale.posts ?? [], gone.posts.deleted)).toEqual(afterNewer.posts);
    expect(olderOnly(afterStale.votes ?? [], gone.votes.deleted)).toEqual(afterNewer.votes);
    const content = { posts: ["load_id"], votes: ["load_id"], loads: ["load_id"] };
    const a = await inOrder.dump(content);
    const b = await reversed.dump(content);
    expect(b.posts).toEqual(a.posts);
    expect(b.votes).toEqual(a.votes);
    expect(b.post_tags).toEqual(a.post_tags);
  });

  it("re-creates a deleted warehouse from the landing archive with its whole history", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    // The reference is SQLite's, so the re-created warehouse is held to it on either engine.
    const reference = await SQLITE.fresh(join(dir, "reference"));
    const [first, second, third] = [
      await generated(dir, 1),
      await generated(dir, 2),
      await generated(dir, 3),
    ];
    for (const delivery of [first, second]) {
      await ingest({ warehouse: warehouse.destination, ...delivery });
    }
    for (const delivery of [first, second, third]) {
      await ingest({ warehouse: reference.destination, ...delivery });
    }
    const beforeDeletion = await warehouse.dump({ loads: ["loaded_at", "source"] });

    await warehouse.drop();
    expect(await warehouse.destination.isMissing()).toBe(true);
    const report = await ingest({ warehouse: warehouse.destination, ...third });

    expect(report.replayed?.runs).toBe(2);
    expect(report.runId).toBe(3);
    const rebuilt = await warehouse.dump({ loads: ["loaded_at", "source"] });
    expect(rebuilt.loads?.slice(0, 4)).toEqual(beforeDeletion.loads);
    const content = { loads: ["loaded_at", "arrived_at", "source", "source_path"] };
    expect(await warehouse.dump(content)).toEqual(await reference.dump(content));
    const sources = await warehouse.rows("SELECT run_id, source FROM loads ORDER BY load_id");
    expect(sources.map((row) => `${String(row.run_id)}:${String(row.source)}`)).toEqual([
      "1:archive",
      "1:archive",
      "2:archive",
      "2:archive",
      "3:delivery",
      "3:delivery",
    ]);
  });
});

describe("ingest into SQLite", () => {
  it("stores integers as integers and text as text", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "warehouse.db");
    await ingest({ warehouse, ...(await generated(dir)) });

    const types = queryRows(
      warehouse,
      `SELECT DISTINCT typeof(id) AS id, typeof(score) AS score, typeof(creation_date) AS created,
              typeof(comment_count) AS comments, typeof(content_license) AS license FROM posts`,
    );
    expect(types).toEqual([
      { id: "integer", score: "integer", created: "text", comments: "integer", license: "text" },
    ]);
  });

  // Reading the layouts happens before any engine is involved: one engine is enough.
  it.each<Layout>(["ndjson", "supplier.gz", "ndjson.gz"])(
    "gives the same rows from %s as from the supplier's JSON array",
    async (layout) => {
      const dir = await tempDir();
      const { posts, votes } = records();
      const reference = join(dir, "reference.db");
      const other = join(dir, "other.db");
      await ingest({
        warehouse: reference,
        posts: await writeLayout(join(dir, "p.json"), posts, "supplier"),
        votes: await writeLayout(join(dir, "v.json"), votes, "supplier"),
      });
      await ingest({
        warehouse: other,
        posts: await writeLayout(join(dir, "p.data"), posts, layout),
        votes: await writeLayout(join(dir, "v.data"), votes, layout),
      });
      const content = { loads: ["sha256", "size_bytes", "source_path", "loaded_at", "arrived_at"] };
      expect(dumpWarehouse(other, content)).toEqual(dumpWarehouse(reference, content));
    },
  );
});
