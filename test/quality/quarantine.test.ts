import { describe, expect, it } from "vitest";
import { ENGINES } from "../helpers/engines.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { listFiles } from "../helpers/warehouse-dump.js";

const vote = (id: number, extra = ""): string =>
  `{"Id":"${String(id)}","PostId":"1","VoteTypeId":"2"${extra},"CreationDate":"2019-02-04T00:00:00.000"}`;

/** A votes file of `count` good votes with the given bad lines after them. */
function votesWith(count: number, ...bad: string[]): string {
  const good = Array.from({ length: count }, (_, index) => vote(1000 + index));
  return `[${[...good, ...bad].join("\n,")}\n]`;
}

describe.each(ENGINES)("records that fail validation, on $name", (engine) => {
  it("are quarantined with their load, position, reason and raw text while the rest loads", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { posts } = await fixtureDelivery(dir);
    const bad =
      '{"Id":"77","PostId":"1","VoteTypeId":"2","CreationDate":"2019-02-30T00:00:00.000"}';
    const votes = await fileWith(dir, "votes.json", votesWith(40, bad));

    const result = await cli(...warehouse.args, posts, votes);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/votes\s+\S+votes\.json\s+loaded\s+41\s+40\s+0\s+0\s+1/);
    expect(result.stdout).toContain(
      `note: ${votes}: 1 record(s) quarantined; see: SELECT * FROM rejected_records WHERE load_id = 1000002`,
    );
    expect(await warehouse.rows("SELECT * FROM rejected_records")).toEqual([
      {
        load_id: 1000002,
        record_number: 41,
        line: 41,
        reason: 'CreationDate: "2019-02-30T00:00:00.000" is not a real date and time',
        raw: bad,
      },
    ]);
    expect(await warehouse.rows("SELECT count(*) AS n FROM votes")).toEqual([{ n: 40 }]);
  });

  it("quarantines a record whose bytes are not valid UTF-8 instead of altering its text", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { posts } = await fixtureDelivery(dir);
    const text = Buffer.from(votesWith(30, vote(5, ',"Note":"caf\u00e9"')));
    const at = text.indexOf(Buffer.from("\u00e9"));
    text[at] = 0xff;
    const votes = await fileWith(dir, "votes.json", text);

    expect((await cli(...warehouse.args, posts, votes)).code).toBe(0);
    expect(await warehouse.rows("SELECT record_number, reason FROM rejected_records")).toEqual([
      { record_number: 31, reason: "the record is not valid UTF-8" },
    ]);
  });

  it("loads a well-formed unknown type id but rejects a malformed or non-positive one", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { posts } = await fixtureDelivery(dir);
    const unknown = vote(1).replace('"VoteTypeId":"2"', '"VoteTypeId":"99"');
    const zero = vote(2).replace('"VoteTypeId":"2"', '"VoteTypeId":"0"');
    const word = vote(3).replace('"VoteTypeId":"2"', '"VoteTypeId":"Up"');
    const votes = await fileWith(dir, "votes.json", votesWith(60, unknown, zero, word));

    const result = await cli(...warehouse.args, posts, votes);

    expect(result.code).toBe(0);
    expect(await warehouse.rows("SELECT vote_type_id FROM votes WHERE id = 1")).toEqual([
      { vote_type_id: 99 },
    ]);
    expect(
      await warehouse.rows("SELECT reason FROM rejected_records ORDER BY record_number"),
    ).toEqual([
      { reason: 'VoteTypeId: "0" is not a positive id' },
      { reason: 'VoteTypeId: "Up" is not an integer' },
    ]);
    expect(result.stdout).toMatch(/unknown_vote_types\s+warning\s+1\s+1\b/);
  });
});

describe.each(ENGINES)("the reject threshold, on $name", (engine) => {
  it("refuses the whole run when more than 5% of a file fails, saying how many and why", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    expect((await cli(...warehouse.args, fixture.posts, fixture.votes)).code).toBe(0);
    const archive = warehouse.destination.archive.dir;
    const before = { warehouse: await warehouse.dump(), archive: listFiles(archive) };
    const bad = [
      vote(1, ',"BountyAmount":"x"'),
      vote(2, ',"BountyAmount":"y"'),
      vote(3, ',"UserId":"1.5"'),
      '{"Id":"4","PostId":"1","CreationDate":"2019-02-04T00:00:00.000"}',
    ];
    const votes = await fileWith(dir, "votes.json", votesWith(36, ...bad));

    const result = await cli(...warehouse.args, fixture.posts, votes);

    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      `stackhouse: ${votes}: 4 of 40 records (10.0%) failed validation, more than the 5% allowed (--max-rejected); nothing was loaded. Top reasons: BountyAmount: … is not an integer (2); UserId: … is not an integer (1); VoteTypeId: required but missing (1). First at: record 37 (line 37), record 38 (line 38), record 39 (line 39)\n`,
    );
    expect(await warehouse.dump()).toEqual(before.warehouse);
    expect(listFiles(archive)).toEqual(before.archive);

    const allowed = await cli(...warehouse.args, "--max-rejected", "10%", fixture.posts, votes);
    expect(allowed.code).toBe(0);
    expect(await warehouse.rows("SELECT count(*) AS n FROM rejected_records")).toEqual([{ n: 4 }]);
  });

  // How the option reads and the share it allows do not depend on the engine; a refused run's
  // leaving each warehouse as it was is checked above.
  if (engine.name === "sqlite") {
    it("takes --max-rejected as a percentage or a fraction, and refuses anything else", async () => {
      const dir = await tempDir();
      const warehouse = await engine.fresh(dir);
      const fixture = await fixtureDelivery(dir);
      const votes = await fileWith(dir, "votes.json", votesWith(1, vote(2, ',"UserId":"u"')));
      expect(
        (await cli(...warehouse.args, "--max-rejected", "0.4", fixture.posts, votes)).code,
      ).toBe(5);
      expect(
        (await cli(...warehouse.args, "--max-rejected", "0.5", fixture.posts, votes)).code,
      ).toBe(0);
      for (const wrong of ["150%", "-1", "half", "2"]) {
        const result = await cli(...warehouse.args, "--max-rejected", wrong, fixture.posts, votes);
        expect(result.code, wrong).toBe(2);
      }
    });
  }
});

describe.each(ENGINES)("schema drift, on $name", (engine) => {
  it("reports unknown keys with their counts and records them per load; the known alias is silent", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { posts } = await fixtureDelivery(dir);
    const votes = await fileWith(
      dir,
      "votes.json",
      votesWith(3, vote(10, ',"Weight":"1"'), vote(11, ',"Weight":"2","Flag":""')),
    );

    const result = await cli(...warehouse.args, posts, votes);

    expect(result.stdout).toContain(
      `note: ${votes}: keys stackhouse does not know, not loaded: Weight (2 records), Flag (1 records)`,
    );
    expect(result.stdout).not.toContain("ContentLIcense");
    expect(
      await warehouse.rows("SELECT load_id, key, records FROM load_unknown_keys ORDER BY key"),
    ).toEqual([
      { load_id: 1000002, key: "Flag", records: 1 },
      { load_id: 1000002, key: "Weight", records: 2 },
    ]);
  });
});
