import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { inspectDelivery, readDelivery } from "../../src/extract/read-delivery.js";
import { tempDir } from "../helpers/temp-dir.js";
import { rejection } from "../helpers/errors.js";

const text = '[{"Id":"1","PostId":"7"}\n,{"Id":"2","PostId":"8"}\n]';

async function readAll(path: string): Promise<{ ids: unknown[]; sha256: string }> {
  const reading = readDelivery(await inspectDelivery(path), { batchSize: 1 });
  const ids: unknown[] = [];
  for await (const batch of reading.batches) {
    ids.push(...batch.map((record) => ("value" in record ? record.value.Id : record.row[0])));
  }
  return { ids, sha256: reading.digest().sha256 };
}

describe("readDelivery", () => {
  it("detects gzip from the content, not the name, and hashes the file's bytes", async () => {
    const dir = await tempDir();
    const zipped = gzipSync(Buffer.from(text));
    const path = join(dir, "Votes.json");
    await writeFile(path, zipped);
    expect((await inspectDelivery(path)).gzip).toBe(true);
    const { ids, sha256 } = await readAll(path);
    expect(ids).toEqual(["1", "2"]);
    expect(sha256).toBe(createHash("sha256").update(zipped).digest("hex"));
  });

  it("reports the text scanned so far, decompressed, before yielding the records in it", async () => {
    const dir = await tempDir();
    const records = Array.from({ length: 120_000 }, (_, index) => {
      return `{"Id":"${String(index + 1)}","PostId":"${String(index % 97)}"}`;
    });
    const big = `[${records.join("\n,")}\n]`;
    /** Where each record's text ends in the file. */
    const ends: number[] = [];
    records.reduce((end, record) => {
      ends.push(end + record.length);
      return end + record.length + 2;
    }, 1);
    const path = join(dir, "Votes.json.gz");
    await writeFile(path, gzipSync(Buffer.from(big)));
    const reported: number[] = [];
    const reading = readDelivery(await inspectDelivery(path), {
      onText: (bytes) => reported.push(bytes),
    });
    let recordsSoFar = 0;
    for await (const batch of reading.batches) {
      recordsSoFar += batch.length;
      expect(ends[recordsSoFar - 1]).toBeLessThanOrEqual(reported.at(-1) ?? 0);
    }
    expect(recordsSoFar).toBe(120_000);
    expect(reported.length).toBeGreaterThan(3);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.at(-1)).toBe(Buffer.byteLength(big));
    expect(reading.digest().bytesRead).toBeLessThan(Buffer.byteLength(big));
  });

  it("names the file for a missing file, a folder, corrupt gzip and bad JSON", async () => {
    const dir = await tempDir();
    const missing = await rejection(inspectDelivery(join(dir, "nope.json")));
    expect(missing.message).toBe(`${join(dir, "nope.json")}: no such file`);
    expect(missing.exitCode).toBe(1);
    expect((await rejection(inspectDelivery(dir))).message).toBe(`${dir}: not a regular file`);

    const corrupt = join(dir, "corrupt.json.gz");
    const zipped = gzipSync(Buffer.from(text.repeat(50)));
    zipped.fill(0x41, 20, 40);
    await writeFile(corrupt, zipped);
    const gzipError = await rejection(readAll(corrupt));
    expect(gzipError.message).toMatch(
      /corrupt\.json\.gz: corrupt gzip data near byte \d+ of \d+: /,
    );

    const truncated = join(dir, "truncated.json.gz");
    await writeFile(truncated, gzipSync(Buffer.from(text)).subarray(0, 30));
    expect((await rejection(readAll(truncated))).message).toContain(
      "truncated.json.gz: corrupt gzip data",
    );

    const badJson = join(dir, "bad.json");
    await writeFile(badJson, '[{"Id":"1"}\n,{"Id":}\n]');
    expect((await rejection(readAll(badJson))).message).toBe(
      `${badJson}: line 2, column 2: record 2 is not valid JSON: Unexpected token '}'`,
    );
  });
});
