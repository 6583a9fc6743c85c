import { describe, expect, it } from "vitest";
import { RecordScanner } from "../../src/extract/record-scanner.js";
import {
  PositionError,
  type RawRecord,
  type ScannedRecord,
} from "../../src/extract/scanned-record.js";

/** Without a fast decoder, every record takes the exact path. */
function raw(record: ScannedRecord): RawRecord {
  if ("row" in record) throw new Error("a scanner without a decoder decoded a record");
  return record;
}

function scan(text: string | Buffer, chunkSize = Infinity): RawRecord[] {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const scanner = new RecordScanner();
  const records: RawRecord[] = [];
  const size = Math.min(chunkSize, bytes.length || 1);
  for (let start = 0; start < bytes.length; start += size) {
    records.push(...scanner.push(bytes.subarray(start, start + size)).map(raw));
  }
  scanner.end();
  return records;
}

function scanError(text: string | Buffer): PositionError {
  try {
    scan(text);
  } catch (error) {
    if (error instanceof PositionError) return error;
    throw error;
  }
  throw new Error("expected a PositionError");
}

const supplier = '[{"Id":"1","Body":"a \\"quoted\\" }{ ]["}\n,{"Id":"2","Body":"é — 🚀 \\\\"}\n]';

describe("RecordScanner", () => {
  it("reads the supplier layout: one record per line, later lines starting with a comma", () => {
    const records = scan(supplier);
    expect(records.map((record) => record.value)).toEqual([
      { Id: "1", Body: 'a "quoted" }{ ][' },
      { Id: "2", Body: "é — 🚀 \\" },
    ]);
    expect(records.map((record) => [record.number, record.line])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(records[1]?.text).toBe('{"Id":"2","Body":"é — 🚀 \\\\"}');
  });

  it("gives the same records whatever the chunk boundaries", () => {
    const whole = scan(supplier).map((record) => record.value);
    for (const size of [1, 2, 3, 7, 16]) {
      expect(scan(supplier, size).map((record) => record.value)).toEqual(whole);
    }
  });

  it("keeps nothing that refers to a chunk, so the reader may reuse its buffer", () => {
    const text = Buffer.from(
      '[{"Id":"1","Body":"caf\u00e9 ☕"}\n,{"Id":"2","Body":"a long body that spans chunks"}\n]',
    );
    const expected = scan(text);
    for (const size of [1, 3, 7, 16]) {
      const scanner = new RecordScanner();
      const reused = Buffer.alloc(size);
      const records: RawRecord[] = [];
      for (let start = 0; start < text.length; start += size) {
        const count = text.copy(reused, 0, start, start + size);
        records.push(...scanner.push(reused.subarray(0, count)).map(raw));
        reused.fill(0x7b);
      }
      scanner.end();
      expect(records).toEqual(expected);
    }
  });

  it("reads other layouts of a JSON array: one line, pretty printed, nested values", () => {
    expect(scan('[{"Id":"1"},{"Id":"2"}]').map((record) => record.value.Id)).toEqual(["1", "2"]);
    const pretty =
      '[\n  {\n    "Id": "1",\n    "Extra": {"a": [1, {"b": "}"}]}\n  },\n  {\n    "Id": "2"\n  }\n]\n';
    const records = scan(pretty);
    expect(records.map((record) => [record.value.Id, record.line])).toEqual([
      ["1", 2],
      ["2", 6],
    ]);
  });

  it("reads NDJSON, a byte order mark, CRLF line ends and an empty array", () => {
    const ndjson = '\uFEFF{"Id":"1"}\r\n{"Id":"2"}\r\n\r\n';
    expect(scan(ndjson).map((record) => [record.value.Id, record.line])).toEqual([
      ["1", 1],
      ["2", 2],
    ]);
    expect(scan("[]")).toEqual([]);
    expect(scan(" [ \n ] \n")).toEqual([]);
  });

  it("names the line and column of structural errors", () => {
    expect(scanError("").message).toBe("the file is empty");
    expect(scanError("  \n ").message).toBe("the file is empty");
    const truncated = scanError('[{"Id":"1"}\n,{"Id":"2"');
    expect([truncated.line, truncated.column, truncated.message]).toEqual([
      2,
      2,
      "truncated: record 2 is not closed",
    ]);
    const unclosed = scanError('[{"Id":"1"}\n');
    expect([unclosed.line, unclosed.message]).toEqual([
      2,
      "truncated: the JSON array is not closed with ']'",
    ]);
    const notObject = scanError('[{"Id":"1"}\n,"x"]');
    expect([notObject.line, notObject.column, notObject.message]).toEqual([
      2,
      2,
      `record 2 is not a JSON object (found '"')`,
    ]);
    const garbage = scanError("hello");
    expect([garbage.line, garbage.column]).toEqual([1, 1]);
    expect(garbage.message).toContain("expected '[' or '{'");
    const trailing = scanError('[{"Id":"1"}] x');
    expect([trailing.line, trailing.column]).toEqual([1, 14]);
    const missingComma = scanError('[{"Id":"1"}\n{"Id":"2"}]');
    expect([missingComma.line, missingComma.column]).toEqual([2, 1]);
  });

  it("reports invalid JSON inside a record at its position", () => {
    const error = scanError('[{"Id":"1"}\n,{"Id":"2",}\n]');
    expect(error.line).toBe(2);
    expect(error.column).toBe(12);
    expect(error.message).toBe("record 2 is not valid JSON: Expected double-quoted property name");
  });
});
