import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENGINES } from "../helpers/engines.js";
import { cli, fileWith } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

/** What is done to one record of an otherwise valid votes delivery. */
type Twist =
  | { readonly kind: "none" }
  | { readonly kind: "deep"; readonly depth: number; readonly invalid: boolean }
  | { readonly kind: "huge-key"; readonly length: number }
  | { readonly kind: "surrogate" }
  | { readonly kind: "bad-value" }
  | { readonly kind: "repeat" };

const twist: fc.Arbitrary<Twist> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "none" as const }) },
  fc.record({
    kind: fc.constant("deep" as const),
    depth: fc.integer({ min: 1_000, max: 120_000 }),
    invalid: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("huge-key" as const),
    length: fc.integer({ min: 1, max: 300_000 }),
  }),
  fc.constant({ kind: "surrogate" as const }),
  fc.constant({ kind: "bad-value" as const }),
  fc.constant({ kind: "repeat" as const }),
);

/** The record's JSON text, and whether it is a valid vote whose id must end up in `votes`. */
function voteText(id: number, change: Twist): { readonly text: string; readonly valid: boolean } {
  const vote: Record<string, string> = {
    Id: String(change.kind === "repeat" ? Math.max(1, id - 1) : id),
    PostId: String(1000 + (id % 17)),
    VoteTypeId: "2",
    CreationDate: `2019-03-${String(1 + (id % 28)).padStart(2, "0")}T00:00:00.000`,
  };
  if (change.kind === "bad-value") vote.VoteTypeId = "two";
  if (change.kind === "deep" && change.invalid) vote.CreationDate = "yesterday";
  let text = JSON.stringify(vote);
  if (change.kind === "surrogate") text = text.replace('"2"', '"2\\ud800"');
  if (change.kind === "deep") {
    const nested = `${'{"a":'.repeat(change.depth)}1${"}".repeat(change.depth)}`;
    text = `${text.slice(0, -1)},"Extra":${nested}}`;
  }
  if (change.kind === "huge-key") text = `${text.slice(0, -1)},"${"k".repeat(change.length)}":"1"}`;
  const valid = change.kind === "none" || change.kind === "huge-key" || change.kind === "repeat";
  return { text, valid: valid || (change.kind === "deep" && !change.invalid) };
}

interface FileCounts {
  readonly loadId: number;
  readonly read: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
}

/** Runs per engine: ClickHouse makes a database per run, so it tries fewer corruptions. */
const RUNS = { sqlite: 25, clickhouse: 6 } as const;

describe.each(ENGINES)("the accounting invariant on $name", (engine) => {
  it("holds for every file under random record corruptions, and no valid record goes missing", async () => {
    const dir = await tempDir();
    let attempt = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(twist, { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        async (twists, supplierLayout) => {
          attempt++;
          const warehouse = await engine.fresh(join(dir, `w${String(attempt)}`));
          const records = twists.map((change, index) => voteText(index + 1, change));
          const body = records.map((record) => record.text);
          const text = supplierLayout ? `[${body.join("\n,")}]\n` : `${body.join("\n")}\n`;
          const votes = await fileWith(dir, `votes-${String(attempt)}.json`, text);
          const posts = await fileWith(dir, `posts-${String(attempt)}.json`, "[]");

          const result = await cli(
            ...warehouse.args,
            posts,
            votes,
            "--json",
            "--no-checks",
            "--max-rejected",
            "100%",
          );

          expect(result.stderr.includes("internal error")).toBe(false);
          expect(result.code).toBe(0);
          const file = (JSON.parse(result.stdout) as { files: FileCounts[] }).files[1];
          if (file === undefined) throw new Error("no report for the votes file");
          expect(file.read).toBe(records.length);
          expect(file.inserted + file.updated + file.unchanged + file.rejected).toBe(file.read);
          const quarantined = await warehouse.rows(
            `SELECT count(*) AS n FROM rejected_records WHERE load_id = ${String(file.loadId)}`,
          );
          expect(quarantined).toEqual([{ n: file.rejected }]);
          const stored = new Set(
            (await warehouse.rows("SELECT id FROM votes")).map((row) => row.id),
          );
          records.forEach((record, index) => {
            if (record.valid)
              expect(
                stored.has(twists[index]?.kind === "repeat" ? Math.max(1, index) : index + 1),
              ).toBe(true);
          });
        },
      ),
      { numRuns: RUNS[engine.name], seed: 20261201 },
    );
  }, 180_000);
});
