import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { ENGINES, type Engine } from "../helpers/engines.js";
import { rejection } from "../helpers/errors.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { listFiles } from "../helpers/warehouse-dump.js";

const VOTE = '{"Id":"100","PostId":"1","VoteTypeId":"2","CreationDate":"2019-02-04T00:00:00.000"}';

/** A warehouse with the fixture delivery in it, and a way to try a broken delivery against it. */
async function setUp(engine: Engine) {
  const dir = await tempDir();
  const warehouse = await engine.fresh(dir);
  const archive = warehouse.destination.archive.dir;
  const fixture = await fixtureDelivery(dir);
  expect((await cli(...warehouse.args, fixture.posts, fixture.votes)).code).toBe(0);
  const before = { warehouse: await warehouse.dump(), archive: listFiles(archive) };

  /** Ingests, expects a refusal naming `broken`, and checks nothing changed. */
  const refuses = async (posts: string, votes: string, broken: string): Promise<string> => {
    const result = await cli(...warehouse.args, posts, votes);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? "";
    expect(line.startsWith(`stackhouse: ${broken}: `)).toBe(true);
    expect(line).not.toMatch(/\n\s+at /);
    expect(await warehouse.dump()).toEqual(before.warehouse);
    expect(listFiles(archive)).toEqual(before.archive);
    return line.slice(`stackhouse: ${broken}: `.length);
  };
  return { dir, warehouse, fixture, refuses };
}

describe.each(ENGINES)(
  "a broken delivery file ends the run and changes nothing, on $name",
  (engine) => {
    it("refuses a missing file", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const missing = join(dir, "nowhere", "Votes.json");
      expect(await refuses(fixture.posts, missing, missing)).toBe("no such file");
    });

    it("refuses a file that cannot be read", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const folder = join(dir, "a-folder.json");
      await mkdir(folder);
      expect(await refuses(fixture.posts, folder, folder)).toBe("not a regular file");
      if (process.getuid?.() === 0) {
        console.info("skipped the permission case: root can read any file");
        return;
      }
      const locked = await fileWith(dir, "locked.json", `[${VOTE}]`);
      await chmod(locked, 0o000);
      expect(await refuses(fixture.posts, locked, locked)).toBe("permission denied");
    });

    it("refuses an empty file, but accepts [] as an empty delivery", async () => {
      const { dir, warehouse, fixture, refuses } = await setUp(engine);
      const empty = await fileWith(dir, "empty.json", "");
      expect(await refuses(fixture.posts, empty, empty)).toBe(
        "line 1, column 1: the file is empty",
      );
      const noPosts = await fileWith(dir, "posts-none.json", "[]");
      const noVotes = await fileWith(dir, "Votes-none.json", "[]");
      const result = await cli(...warehouse.args, noVotes, noPosts);
      expect(result.code).toBe(0);
      expect(
        await warehouse.rows("SELECT records_read FROM loads WHERE run_id = 2 ORDER BY load_id"),
      ).toEqual([{ records_read: 0 }, { records_read: 0 }]);
    });

    it("refuses text that is not JSON", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const text = await fileWith(dir, "notes.txt", "Id,PostId\n1,2\n");
      expect(await refuses(fixture.posts, text, text)).toBe(
        "line 1, column 1: expected '[' or '{' (JSON) or '<' (XML) at the start of the file, found 'I'",
      );
    });

    it("refuses truncated JSON, naming where it stops", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const cut = await fileWith(dir, "cut.json", `[${VOTE}\n,${VOTE.slice(0, 30)}`);
      expect(await refuses(fixture.posts, cut, cut)).toBe(
        "line 2, column 2: truncated: record 2 is not closed",
      );
      const unclosed = await fileWith(dir, "unclosed.json", `[${VOTE}\n`);
      expect(await refuses(fixture.posts, unclosed, unclosed)).toBe(
        "line 2, column 1: truncated: the JSON array is not closed with ']'",
      );
    });

    it("refuses a record that is not valid JSON", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const bad = await fileWith(dir, "bad.json", `[${VOTE}\n,{"Id":"101","PostId":1,}\n]`);
      expect(await refuses(fixture.posts, bad, bad)).toBe(
        "line 2, column 25: record 2 is not valid JSON: Expected double-quoted property name",
      );
    });

    it("refuses corrupt gzip", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const zipped = gzipSync(`[${Array.from({ length: 200 }, () => VOTE).join("\n,")}\n]`);
      zipped.fill(0, 12, 40);
      const corrupt = await fileWith(dir, "Votes.json.gz", zipped);
      expect(await refuses(fixture.posts, corrupt, corrupt)).toMatch(
        /^corrupt gzip data near byte \d+ of \d+: /,
      );
    });

    it("refuses a file that holds neither posts nor votes, and a library caller's swapped kinds", async () => {
      const { dir, warehouse, fixture, refuses } = await setUp(engine);
      const neither = await fileWith(dir, "x.json", '[{"Id": "1", "Score": "3"}]');
      expect(await refuses(fixture.posts, neither, neither)).toBe(
        "line 1: record 1 has neither PostTypeId nor VoteTypeId, so it is neither a posts nor a votes file",
      );
      const swapped = ingest({
        warehouse: warehouse.destination,
        posts: fixture.votes,
        votes: fixture.posts,
      });
      expect((await rejection(swapped)).message).toBe(
        `${fixture.votes}: line 1: this looks like a votes file (record 1 has VoteTypeId, not PostTypeId), but a posts file was expected here`,
      );
    });

    it("refuses an element that is not an object", async () => {
      const { dir, fixture, refuses } = await setUp(engine);
      const mixed = await fileWith(dir, "mixed.json", `[${VOTE}\n,["Id","101"]\n]`);
      expect(await refuses(fixture.posts, mixed, mixed)).toBe(
        "line 2, column 2: record 2 is not a JSON object (found '[')",
      );
      const scalar = await fileWith(dir, "scalar.ndjson", `${VOTE}\n42\n`);
      expect(await refuses(fixture.posts, scalar, scalar)).toBe(
        "line 2, column 1: record 2 is not a JSON object (found '4')",
      );
    });

    // What the reader accepts, the same whatever the engine: the records it yields are loaded alike.
    if (engine.name === "sqlite") {
      it("accepts a UTF-8 byte order mark and CRLF line ends", async () => {
        const { dir, warehouse, fixture } = await setUp(engine);
        const windows = await fileWith(dir, "windows.json", `\uFEFF[${VOTE}\r\n]\r\n`);
        const result = await cli(...warehouse.args, fixture.posts, windows);
        expect(result.stderr).toBe("");
        expect(await warehouse.rows("SELECT id FROM votes WHERE id = 100")).toEqual([{ id: 100 }]);
      });
    }
  },
);
