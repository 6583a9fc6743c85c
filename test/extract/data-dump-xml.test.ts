import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { sevenZip } from "../../src/extract/seven-zip.js";
import { XmlRowScanner } from "../../src/extract/xml-row-scanner.js";
import type { RawRecord } from "../../src/extract/scanned-record.js";
import { ingest } from "../../src/run/ingest.js";
import { rejection } from "../helpers/errors.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse, listFiles, queryRows } from "../helpers/warehouse-dump.js";

const FIXTURES = new URL("../fixtures/dump/", import.meta.url);
const HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';
const VOTE = 'PostId="1" VoteTypeId="2" CreationDate="2019-01-07T00:00:00.000"';

/** The dump-shaped fixtures (BOM, declaration, CRLF, `&#xA;`, both Tags forms) in `dir`. */
async function dumpFixtures(dir: string): Promise<{ posts: string; votes: string }> {
  const posts = join(dir, "Posts.xml");
  const votes = join(dir, "Votes.xml");
  await copyFile(new URL("Posts.xml", FIXTURES), posts);
  await copyFile(new URL("Votes.xml", FIXTURES), votes);
  return { posts, votes };
}

/** What a record says, read while its chunk is current (as the pipeline reads it). */
type Scanned = Pick<RawRecord, "value" | "keys" | "text" | "number" | "line" | "invalidUtf8">;

function scanAll(text: Buffer, chunkBytes: number): Scanned[] {
  const scanner = new XmlRowScanner();
  const records: Scanned[] = [];
  for (let start = 0; start < text.length; start += chunkBytes) {
    for (const { value, keys, text: raw, number, line, invalidUtf8 } of scanner.push(
      text.subarray(start, start + chunkBytes),
    )) {
      records.push({ value: { ...value }, keys, text: raw, number, line, invalidUtf8 });
    }
  }
  scanner.end();
  return records;
}

describe("the data dump's XML", () => {
  it("loads a dump-shaped file: entities and &#xA; decoded, both Tags forms, comments skipped", async () => {
    const dir = await tempDir();
    const { posts, votes } = await dumpFixtures(dir);
    const db = join(dir, "w.db");
    const run = await cli("ingest", "--db", db, posts, votes);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const rows = queryRows(
      db,
      "SELECT id, title, tags, body, content_license FROM posts ORDER BY id",
    );
    expect(rows[0]).toEqual({
      id: 1,
      title: "Pinning images & tags",
      tags: "<docker><ci>",
      body: '<p>How do I pin a Docker image?</p>\n\n<pre><code>FROM node:20 &amp;&amp; echo "hi"\n</code></pre>\n',
      content_license: "CC BY-SA 4.0",
    });
    expect(rows[1]?.body).toBe("<p>Use a digest: it's stable.</p>\n");
    expect(rows[2]?.body).toBe(
      "<p>Pin the tag and the digest: <code>image@sha256:…</code> ✓</p>\n",
    );
    expect(queryRows(db, "SELECT post_id, tag FROM post_tags ORDER BY post_id, tag")).toEqual([
      { post_id: 1, tag: "ci" },
      { post_id: 1, tag: "docker" },
      { post_id: 4, tag: "aws" },
      { post_id: 4, tag: "terraform" },
    ]);
    expect(queryRows(db, "SELECT id, user_id, bounty_amount FROM votes WHERE id = 4")).toEqual([
      { id: 4, user_id: 11, bounty_amount: 50 },
    ]);
  });

  it("reads the same records whatever the chunk boundaries, with the line each row starts on", async () => {
    const text = await readFile(new URL("Posts.xml", FIXTURES));
    const whole = scanAll(text, text.length);
    expect(whole.map((record) => [record.number, record.line, record.value.Id])).toEqual([
      [1, 3, "1"],
      [2, 4, "2"],
      [3, 6, "3"],
      [4, 7, "4"],
    ]);
    for (const size of [1, 7, 64]) expect(scanAll(text, size)).toEqual(whole);
  });

  it("takes literal line ends and tabs in a value as spaces, and character references as written", () => {
    const text = Buffer.from(
      `<votes>\n<row Id="1" A="x\r\ny\tz" B='&#x9;&#10;&quot;&apos;' />\n</votes>`,
    );
    const [odd] = scanAll(
      Buffer.from(`<votes><row __proto__="x" C="&#x1F600;&amp;lt;" /></votes>`),
      64,
    );
    expect(Object.keys(odd?.value ?? {})).toEqual(["__proto__", "C"]);
    expect(odd?.value.C).toBe("😀&lt;");
    const [record] = scanAll(text, text.length);
    expect(record?.value).toEqual({ Id: "1", A: "x y z", B: "\t\n\"'" });
    expect(record?.text).toBe(`<row Id="1" A="x\r\ny\tz" B='&#x9;&#10;&quot;&apos;' />`);
  });

  it("counts the lines of comments and rows that span several, for the next rows and errors", () => {
    const text = `<votes>\n<!-- two\nlines -->\n<row Id="1"\n  Note="a\nb" />\n<row Id="2" />\n<row Id="3" Note="&bad;" />\n</votes>`;
    const rows = scanAll(
      Buffer.from(
        `<votes>\n<!-- two\nlines -->\n<row Id="1"\n  Note="a\nb" />\n<row Id="2" />\n</votes>`,
      ),
      3,
    );
    expect(rows.map((row) => [row.value.Id, row.line])).toEqual([
      ["1", 4],
      ["2", 7],
    ]);
    expect(() => scanAll(Buffer.from(text), 5)).toThrow(
      expect.objectContaining({ line: 8, column: 19 }) as Error,
    );
  });

  it("reads a row written with an end tag as one written self-closed", () => {
    const text = Buffer.from(
      `<votes><row Id="1"></row><row Id="2" /><row Id="3" >\n</row ></votes>`,
    );
    expect(scanAll(text, 5).map((record) => record.value.Id)).toEqual(["1", "2", "3"]);
  });

  it.each([
    [
      "truncated inside a row",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE}`,
      "line 3, column 3: truncated: the file ends inside this tag",
    ],
    [
      "without its end tag",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE} />\n`,
      "line 4, column 1: truncated: the root element <votes> is not closed (no </votes>)",
    ],
    [
      "with an unclosed row",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE}>\n  <row Id="2" ${VOTE} />\n</votes>`,
      "line 4, column 3: unexpected element <row> inside <row>: only <row> elements hold records",
    ],
    [
      "with an unknown entity",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE} Note="a&nbsp;b" />\n</votes>`,
      "line 3, column 87: row 1 is not well-formed XML: unknown entity &nbsp;",
    ],
    [
      "with a bare ampersand",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE} Note="a & b" />\n</votes>`,
      "row 1 is not well-formed XML: '&' does not start an entity reference (write &amp;)",
    ],
    [
      "with '<' in a value",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE} Note="a<b" />\n</votes>`,
      "row 1 is not well-formed XML: '<' is not allowed in an attribute value (write &lt;)",
    ],
    [
      "with a wrong root",
      `${HEAD}<users>\n  <row Id="1" />\n</users>`,
      "line 2, column 1: the root element is <users>, but a data dump's is <posts> or <votes>",
    ],
    [
      "with text between rows",
      `${HEAD}<votes>\n  <row Id="1" ${VOTE} />\n  oops\n</votes>`,
      "line 4, column 3: unexpected text ('o') between rows",
    ],
    [
      "in another encoding",
      `<?xml version="1.0" encoding="windows-1252"?>\n<votes/>`,
      "line 1, column 1: the file declares encoding windows-1252; only UTF-8 is read",
    ],
    [
      "with a DOCTYPE",
      `${HEAD}<!DOCTYPE votes [<!ENTITY x "y">]>\n<votes/>`,
      "line 2, column 1: a DOCTYPE or declaration is not allowed in a data dump",
    ],
  ])("refuses a file %s with its line, loading nothing", async (_case, text, message) => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const { posts, votes } = await fixtureDelivery(dir);
    expect((await cli("ingest", "--db", db, posts, votes)).code).toBe(0);
    const before = { warehouse: dumpWarehouse(db), archive: listFiles(`${db}.landing`) };
    const bad = await fileWith(dir, "Votes.xml", text);
    const run = await cli("ingest", "--db", db, bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`stackhouse: ${bad}: `);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect({ warehouse: dumpWarehouse(db), archive: listFiles(`${db}.landing`) }).toEqual(before);
  });

  it("loads a Votes.xml named Posts.xml as votes, by its content, and says so", async () => {
    const dir = await tempDir();
    const renamed = await fileWith(
      dir,
      "Posts.xml",
      await readFile(new URL("Votes.xml", FIXTURES)),
    );
    const run = await cli("ingest", "--db", join(dir, "w.db"), "--no-checks", renamed);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `note: ${renamed} is named for posts but holds votes: loaded as votes\n`,
    );
  });

  it("refuses a Votes.xml given as posts, by its root element", async () => {
    const dir = await tempDir();
    const { votes } = await dumpFixtures(dir);
    const error = await rejection(ingest({ warehouse: join(dir, "w.db"), posts: votes }));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      `${votes}: line 2, column 1: this looks like a votes file (root element <votes>), but a posts file was expected here`,
    );
  });

  it("quarantines a bad row with its reason and its text as delivered, and reports unknown attributes", async () => {
    const dir = await tempDir();
    const rows = [
      `<row Id="1" ${VOTE} />`,
      `<row Id="2" PostId="x" VoteTypeId="2" CreationDate="2019-01-07T00:00:00.000" />`,
      `<row Id="3" Id="4" ${VOTE} />`,
      `<row Id="5" ${VOTE} Weight="3" />`,
    ];
    const path = await fileWith(dir, "Votes.xml", `${HEAD}<votes>\n${rows.join("\n")}\n</votes>\n`);
    const db = join(dir, "w.db");
    const run = await cli("ingest", "--db", db, "--max-rejected", "100%", path);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(queryRows(db, "SELECT id FROM votes ORDER BY id")).toEqual([{ id: 1 }, { id: 5 }]);
    expect(
      queryRows(db, "SELECT record_number, line, reason, raw FROM rejected_records ORDER BY 1"),
    ).toEqual([
      { record_number: 2, line: 4, reason: 'PostId: "x" is not an integer', raw: rows[1] },
      { record_number: 3, line: 5, reason: "Id: given twice in one record", raw: rows[2] },
    ]);
    expect(queryRows(db, "SELECT key, records FROM load_unknown_keys")).toEqual([
      { key: "Weight", records: 1 },
    ]);
  });

  it("keeps a record whose row a full snapshot sends but quarantines, as with JSON", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const vote = (id: number, postId: string) =>
      `{"Id":"${String(id)}","PostId":"${postId}","VoteTypeId":"2","CreationDate":"2019-01-07T00:00:00.000"}`;
    const first = await fileWith(
      dir,
      "Votes.json",
      `[${[1, 2, 3].map((id) => vote(id, "1")).join(",")}]`,
    );
    expect((await cli("ingest", "--db", db, first)).code).toBe(0);
    const rows = [
      `<row Id="1" ${VOTE} />`,
      `<row Id="2" ${VOTE} />`,
      `<row Id="3" PostId="x" VoteTypeId="2" CreationDate="2019-01-07T00:00:00.000" />`,
    ];
    const snapshot = await fileWith(
      dir,
      "Votes.xml",
      `${HEAD}<votes>\n${rows.join("\n")}\n</votes>`,
    );
    const run = await cli("ingest", "--db", db, "--snapshot", "--max-rejected", "50%", snapshot);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(queryRows(db, "SELECT id FROM votes ORDER BY id")).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    expect(
      queryRows(
        db,
        "SELECT rejected, deleted FROM loads WHERE load_id = (SELECT max(load_id) FROM loads)",
      ),
    ).toEqual([{ rejected: 1, deleted: 0 }]);
  });

  it("refuses a 7z archive that holds two files of a kind", async () => {
    const dir = await tempDir();
    const { votes } = await dumpFixtures(dir);
    const twin = await fileWith(dir, "votes.old.xml", await readFile(votes));
    const site = join(dir, "twins.7z");
    execFileSync(sevenZip(), ["a", "-bd", site, votes, twin]);
    const run = await cli("ingest", "--db", join(dir, "w.db"), site);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /twins\.7z: this 7z archive holds two votes files \((Votes\.xml and votes\.old\.xml|votes\.old\.xml and Votes\.xml)\)/,
    );
  });

  it("refuses a 7z archive that holds no posts or votes, and a damaged one", async () => {
    const dir = await tempDir();
    const users = await fileWith(dir, "Users.xml", `${HEAD}<users/>`);
    const empty = join(dir, "empty.7z");
    execFileSync(sevenZip(), ["a", "-bd", empty, users]);
    const run = await cli("ingest", "--db", join(dir, "w.db"), empty);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `stackhouse: ${empty}: this 7z archive holds no Posts or Votes file (it holds Users.xml)\n`,
    );

    const { votes } = await dumpFixtures(dir);
    const site = join(dir, "site.7z");
    execFileSync(sevenZip(), ["a", "-bd", site, votes]);
    const bytes = await readFile(site);
    bytes.fill(0x41, 40, 60);
    await writeFile(site, bytes);
    const damaged = await cli("ingest", "--db", join(dir, "w.db"), site);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(
      /^stackhouse: .*site\.7z#Votes\.xml: 7-Zip cannot read it: Data Error \(Votes\.xml\)\n$/,
    );

    const cut = join(dir, "cut.7z");
    await writeFile(cut, bytes.subarray(0, 100));
    expect((await cli("ingest", "--db", join(dir, "w.db"), cut)).stderr).toBe(
      `stackhouse: ${cut}: 7-Zip cannot read it: Can not open the file as [7z] archive; Unexpected end of archive\n`,
    );
    const fake = await fileWith(dir, "fake.7z", "hello\n");
    expect((await cli("ingest", "--db", join(dir, "w.db"), fake)).stderr).toBe(
      `stackhouse: ${fake}: is named .7z but is not a 7z archive (it lacks 7-Zip's signature)\n`,
    );
  });
});
