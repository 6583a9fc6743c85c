import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, fileWith, fixtureDelivery, type CliResult } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

/** Longest line stackhouse may print about a delivery (ten cut keys and their counts fit). */
const MAX_LINE = 2_000;

const vote = (id: number, extra = ""): string =>
  `{"Id":"${String(id)}","PostId":"1","VoteTypeId":"2"${extra},"CreationDate":"2019-02-04T00:00:00.000"}`;

/** Ingests the fixture posts and 40 votes, the last with `extra` members; returns the output. */
async function ingestVoteWith(extra: string): Promise<CliResult & { db: string }> {
  const dir = await tempDir();
  const db = join(dir, "w.db");
  const { posts } = await fixtureDelivery(dir);
  const good = Array.from({ length: 39 }, (_, index) => vote(1000 + index));
  const votes = await fileWith(dir, "votes.json", `[${[...good, vote(5, extra)].join("\n,")}\n]`);
  return { ...(await cli("--db", db, posts, votes)), db };
}

/** Every printed line is bounded, and nothing a terminal would act on is printed raw. */
function expectTerminalSafe(result: CliResult): void {
  for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
    expect(line.length).toBeLessThanOrEqual(MAX_LINE);
    expect(line).not.toMatch(/\p{Cc}/u);
  }
}

const notes = (result: CliResult): string[] =>
  result.stdout.split("\n").filter((line) => line.includes("keys stackhouse does not know"));

describe("supplier text on the terminal (issue 11, item 10)", () => {
  it("shows a key named with escape sequences escaped, so it can neither clear the screen nor forge a line", async () => {
    const key = "\u001b[2J\u001b[H\rstackhouse: all good\n\u009b31m";
    const result = await ingestVoteWith(`,${JSON.stringify(key)}:"1"`);
    expect(result.code).toBe(0);
    expectTerminalSafe(result);
    expect(notes(result)).toEqual([
      expect.stringContaining(
        "not loaded: \\x1b[2J\\x1b[H\\rstackhouse: all good\\n\\x9b31m (1 records)",
      ),
    ]);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("stackhouse:"))).toEqual([]);
    expect(queryRows(result.db, "SELECT key FROM load_unknown_keys")).toEqual([{ key }]);
  });

  it("cuts a 5 MB key name in the note and in load_unknown_keys, saying how long it was", async () => {
    const key = "k".repeat(5_000_000);
    const result = await ingestVoteWith(`,"${key}":"1"`);
    expect(result.code).toBe(0);
    expectTerminalSafe(result);
    expect(notes(result)).toEqual([
      expect.stringContaining(`not loaded: ${"k".repeat(100)}…(5000000 characters) (1 records)`),
    ]);
    expect(queryRows(result.db, "SELECT key FROM load_unknown_keys")).toEqual([
      { key: `${"k".repeat(1_000)}…(5000000 characters)` },
    ]);
  });

  it("names ten of 200,000 unknown keys and counts the rest, all of them recorded", async () => {
    const keys = Array.from({ length: 200_000 }, (_, index) => `"key${String(index)}":"1"`);
    const result = await ingestVoteWith(`,${keys.join(",")}`);
    expect(result.code).toBe(0);
    expectTerminalSafe(result);
    const [note] = notes(result);
    expect(note).toContain(
      "not loaded: key0 (1 records), key1 (1 records), key2 (1 records), key3 (1 records), key4 (1 records), " +
        "key5 (1 records), key6 (1 records), key7 (1 records), key8 (1 records), key9 (1 records) " +
        "and 199990 more; see: SELECT * FROM load_unknown_keys WHERE load_id = 1000002",
    );
    expect(queryRows(result.db, "SELECT count(*) AS n FROM load_unknown_keys")).toEqual([
      { n: 200_000 },
    ]);
  });

  it("escapes what a parser quotes from a broken record in the one-line error", async () => {
    const result = await ingestVoteWith(`,"Weight":\u001b[2J`);
    expect(result.code).toBe(1);
    expectTerminalSafe(result);
    expect(result.stderr).toMatch(
      /^stackhouse: \S+votes\.json: line 40, column \d+: record 40 is not valid JSON: Unexpected token '\\x1b'\n$/,
    );
  });
});

describe("item 10: query tables on a terminal", () => {
  it("show delivery text escaped, so a value cannot clear the screen or forge a line", async () => {
    const { db } = await ingestVoteWith(`,${JSON.stringify("\u001b[2J\nstackhouse: forged")}:"1"`);
    const result = await cli(
      "query",
      "--db",
      db,
      "--format",
      "table",
      "SELECT key FROM load_unknown_keys",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\u001b");
    expect(result.stdout).toContain("\\x1b[2J\\nstackhouse: forged");
    expect(result.stdout.split("\n").some((line) => line.startsWith("stackhouse:"))).toBe(false);
  });
});
