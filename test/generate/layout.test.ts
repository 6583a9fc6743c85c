import { describe, expect, it } from "vitest";
import {
  ndjsonLayout,
  postRecords,
  supplierLayout,
  toNdjson,
  toSupplierJson,
  voteRecords,
} from "../../tools/generate/index.js";

const options = { posts: 400, votes: 1500, seed: 3 };

describe("supplier layout", () => {
  it("writes one JSON array with one record per line, as the real delivery does", () => {
    const text = toSupplierJson([{ Id: "1" }, { Id: "2" }, { Id: "3" }]);
    expect(text).toBe('[{"Id":"1"}\n,{"Id":"2"}\n,{"Id":"3"}\n]');
  });

  it("writes an empty array for no records", () => {
    expect(toSupplierJson([])).toBe("[]");
  });

  it("yields one chunk per record plus the closing bracket, so it can stream", () => {
    expect([...supplierLayout([{ Id: "1" }, { Id: "2" }])]).toEqual([
      '[{"Id":"1"}',
      '\n,{"Id":"2"}',
      "\n]",
    ]);
  });

  it.each([
    ["posts", () => [...postRecords(options)]],
    ["votes", () => [...voteRecords(options)]],
  ])("lays out generated %s line by line, all values strings", (_name, produce) => {
    const records = produce();
    const text = toSupplierJson(records);
    const lines = text.split("\n");
    expect(lines).toHaveLength(records.length + 1);
    expect(lines[0]?.startsWith("[{")).toBe(true);
    expect(lines.slice(1, -1).every((line) => line.startsWith(",{"))).toBe(true);
    expect(lines.at(-1)).toBe("]");
    expect(text.endsWith("}\n]")).toBe(true);
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    expect(parsed).toEqual(records);
    expect(
      parsed.every((record) => Object.values(record).every((v) => typeof v === "string")),
    ).toBe(true);
  });
});

describe("NDJSON layout", () => {
  it("writes one object per line, each ending in a newline", () => {
    expect(toNdjson([{ Id: "1" }, { Id: "2" }])).toBe('{"Id":"1"}\n{"Id":"2"}\n');
    expect(toNdjson([])).toBe("");
  });

  it("holds the same records as the supplier layout", () => {
    const records = [...postRecords(options)];
    const fromNdjson = [...ndjsonLayout(records)].map((line) => JSON.parse(line) as unknown);
    expect(fromNdjson).toEqual(JSON.parse(toSupplierJson(records)));
  });
});
