import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256File } from "../../src/extract/hash-file.js";
import { tempDir } from "../helpers/temp-dir.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("sha256File", () => {
  it("hashes every byte of a file of several read chunks, in order", async () => {
    const dir = await tempDir();
    const bytes = randomBytes(17 * 1024 * 1024 + 12_345);
    const path = join(dir, "Posts.json");
    await writeFile(path, bytes);
    expect(await sha256File(path)).toBe(sha256(bytes));
  });

  it("hashes an empty file and a file of one byte", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "empty.json"), "");
    await writeFile(join(dir, "one.json"), "[");
    expect(await sha256File(join(dir, "empty.json"))).toBe(sha256(Buffer.alloc(0)));
    expect(await sha256File(join(dir, "one.json"))).toBe(sha256(Buffer.from("[")));
  });
});
