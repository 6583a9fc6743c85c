import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { generated, records, writeLayout } from "../helpers/deliveries.js";
import { ENGINES, type TestWarehouse } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";

/** What analysts read of a warehouse, whichever loads brought it there. */
async function contents(warehouse: TestWarehouse): Promise<Record<string, unknown[] | undefined>> {
  const { posts, votes, post_tags, weekly_votes_all_weeks } = await warehouse.dump({
    posts: ["load_id"],
    votes: ["load_id"],
  });
  return { posts, votes, post_tags, weekly_votes_all_weeks };
}

describe.each(ENGINES)("deliveries of any shape on $name", (engine) => {
  it("votes alone, then posts alone, give the warehouse one delivery of both gives", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    const both = await engine.fresh(join(dir, "both"));
    await ingest({ warehouse: both.destination, files: [delivery.posts, delivery.votes] });

    const apart = await engine.fresh(join(dir, "apart"));
    const votesOnly = await ingest({ warehouse: apart.destination, files: [delivery.votes] });
    expect(votesOnly.files.map((file) => file.kind)).toEqual(["votes"]);
    const postsOnly = await ingest({ warehouse: apart.destination, files: [delivery.posts] });
    expect(postsOnly.files.map((file) => file.kind)).toEqual(["posts"]);

    expect(await contents(apart)).toEqual(await contents(both));
  });

  it("takes several files of a kind in any order, each classified by its content", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    const { votes } = records();
    const half = Math.floor(votes.length / 2);
    const early = await writeLayout(join(dir, "part-a.json"), votes.slice(0, half), "supplier");
    const late = await writeLayout(join(dir, "part-b.json"), votes.slice(half), "ndjson.gz");

    const whole = await engine.fresh(join(dir, "whole"));
    await ingest({ warehouse: whole.destination, files: [delivery.posts, delivery.votes] });
    const parts = await engine.fresh(join(dir, "parts"));
    const report = await ingest({
      warehouse: parts.destination,
      files: [late, delivery.posts, early],
    });

    expect(report.files.map((file) => [file.kind, file.read])).toEqual([
      ["posts", expect.any(Number)],
      ["votes", votes.length - half],
      ["votes", half],
    ]);
    expect(await contents(parts)).toEqual(await contents(whole));
  });

  it("merges two versions of the same records in one run as two runs would", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const apart = await engine.fresh(join(dir, "apart"));
    await ingest({ warehouse: apart.destination, files: [first.posts, first.votes] });
    await ingest({ warehouse: apart.destination, files: [second.posts, second.votes] });
    const together = await engine.fresh(join(dir, "together"));
    const report = await ingest({
      warehouse: together.destination,
      files: [first.posts, second.posts, first.votes, second.votes],
    });
    expect(report.files[1]?.updated).toBeGreaterThan(0);
    expect(await contents(together)).toEqual(await contents(apart));
  });
});
