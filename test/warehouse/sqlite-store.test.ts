import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StoredRecord } from "../../src/load/merge-rule.js";
import type { RecordId } from "../../src/load/merger.js";
import { openWarehouse } from "../../src/warehouse/open-warehouse.js";
import { SqliteStore } from "../../src/warehouse/sqlite-store.js";
import { tempDir } from "../helpers/temp-dir.js";

const BEYOND_DOUBLES = 2n ** 60n + 1n;

function vote(id: RecordId): StoredRecord {
  return {
    row: [id, 10, 2, null, null, "2021-03-01T00:00:00.000"],
    loadId: 1,
    deleted: false,
  };
}

async function storeWith(
  ids: readonly RecordId[],
  others: readonly StoredRecord[] = [],
): Promise<SqliteStore> {
  const db = openWarehouse(join(await tempDir(), "w.db"));
  db.pragma("foreign_keys = OFF"); // the records' load is beside the point here
  const store = new SqliteStore(db);
  await store.write("votes", [...ids.map(vote), ...others]);
  return store;
}

describe("SqliteStore.lookup", () => {
  it("finds the same records whether the ids asked for lie close together or far apart", async () => {
    const stored = Array.from({ length: 300 }, (_, index) => 1000 + 2 * index);
    const near = Array.from({ length: 100 }, (_, index) => BEYOND_DOUBLES + BigInt(index));
    const onBigPost: StoredRecord = {
      ...vote(1003),
      row: [1003, BEYOND_DOUBLES, 2, null, null, "2021-03-01T00:00:00.000"],
    };
    const store = await storeWith([...stored, 5, 9_000_000, ...near], [onBigPost]);
    const dense = Array.from({ length: 200 }, (_, index) => 1001 + index).filter(
      (id) => id % 10 !== 0,
    );
    const sparse = Array.from({ length: 100 }, (_, index) => 1000 + 40 * index);

    const inRange = await store.lookup("votes", dense);
    expect([...inRange.keys()]).toEqual(dense.filter((id) => id % 2 === 0 || id === 1003));
    expect(inRange.has(1010)).toBe(false);
    expect(inRange.get(1003)).toEqual(onBigPost);
    expect(inRange.get(1002)).toEqual(vote(1002));
    const apart = await store.lookup("votes", [...sparse, 5, 9_000_000, BEYOND_DOUBLES]);
    expect([...apart.keys()].map(String).sort()).toEqual(
      [...sparse.filter((id) => id < 1600), 5, 9_000_000, BEYOND_DOUBLES].map(String).sort(),
    );
    expect(apart.get(BEYOND_DOUBLES)?.row[0]).toBe(BEYOND_DOUBLES);
    const plain = Array.from({ length: 100 }, (_, index) => 1100 + index);
    const onlySafe = await store.lookup("votes", plain);
    expect([...onlySafe.values()]).toEqual(plain.filter((id) => id % 2 === 0).map(vote));
    const big = await store.lookup("votes", near);
    expect([...big.values()].map((record) => record.row[0])).toEqual(near);
  });
});
