import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { copyFile } from "../../src/archive/copy-file.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("copyFile", () => {
  it("compresses a file of several chunks into gzip members that read back as the whole file", async () => {
    const dir = await tempDir();
    const source = join(dir, "Posts.json");
    const text = Buffer.concat(Array.from({ length: 40 }, () => randomBytes(256 * 1024)));
    await writeFile(source, text);

    const sha256 = await copyFile(source, join(dir, "copy.gz"), { compress: true });
    const copy = await readFile(join(dir, "copy.gz"));

    expect(sha256).toBe(createHash("sha256").update(text).digest("hex"));
    expect(gunzipSync(copy).equals(text)).toBe(true);
    expect(copy.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it("copies byte for byte when asked not to compress, an empty file included", async () => {
    const dir = await tempDir();
    for (const size of [0, 5 * 1024 * 1024 + 3]) {
      const source = join(dir, `in-${String(size)}`);
      const bytes = randomBytes(size);
      await writeFile(source, bytes);
      const sha256 = await copyFile(source, join(dir, "out"), { compress: false });
      expect((await readFile(join(dir, "out"))).equals(bytes)).toBe(true);
      expect(sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
  });
});
