import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGenerateCommand } from "../../tools/generate/generate-command.js";

let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stackhouse-generate-cli-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runGenerateCommand(argv, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
  });
  return { code, out, err };
}

describe("generate command", () => {
  it("writes the delivery and reports paths, record counts and sizes", async () => {
    const outDir = join(root, "ok");
    const { code, out, err } = await run(["--posts", "200", "--votes", "800", "--out", outDir]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/^wrote .*Posts\.json: [\d,]+ records, [\d.]+ (B|KiB)\n/m);
    expect(out).toMatch(/^wrote .*Votes\.json: [\d,]+ records, [\d.]+ (B|KiB)\n/m);
    const votes = JSON.parse(await readFile(join(outDir, "Votes.json"), "utf8")) as unknown[];
    expect(out).toContain(`${votes.length} records`);
  });

  it("passes seed, snapshot and gzip through", async () => {
    const outDir = join(root, "gz");
    const argv = ["--posts", "50", "--votes", "100", "--out", outDir, "--seed", "9"];
    const { code, out } = await run([...argv, "--snapshot", "2", "--gzip"]);
    expect(code).toBe(0);
    expect(out).toContain("Posts.json.gz");
  });

  it("writes only the changes since the previous snapshot with --increment", async () => {
    const argv = ["--posts", "300", "--votes", "1200", "--snapshot", "3"];
    const full = await run([...argv, "--out", join(root, "full")]);
    const increment = await run([...argv, "--increment", "--out", join(root, "inc")]);
    expect([full.code, increment.code]).toEqual([0, 0]);
    const count = (dir: string): Promise<number> =>
      readFile(join(root, dir, "Posts.json"), "utf8").then(
        (text) => (JSON.parse(text) as unknown[]).length,
      );
    const [fullPosts, incrementPosts] = [await count("full"), await count("inc")];
    expect(incrementPosts).toBeGreaterThan(0);
    expect(incrementPosts).toBeLessThan(fullPosts * 0.3);
  });

  it("refuses --gzip with --format 7z, whose archive is compressed already", async () => {
    const outDir = join(root, "7z-gzip");
    const { code, err } = await run([
      "--posts",
      "20",
      "--votes",
      "80",
      "--out",
      outDir,
      "--format",
      "7z",
      "--gzip",
    ]);
    expect({ code, err }).toEqual({
      code: 2,
      err: "error: --gzip does not apply to --format 7z: the archive is compressed\n",
    });
  });

  it("shows help and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("--posts <n>");
    expect(out).toContain("--snapshot <k>");
    expect(out).toContain("--increment");
  });

  it.each([
    [["--votes", "1", "--out", "x"], /required option '--posts <n>'/],
    [["--posts", "ten", "--votes", "1", "--out", "x"], /--posts.*'ten' is invalid/],
    [["--posts", "0", "--votes", "1", "--out", "x"], /integer >= 1/],
    [["--posts", "5", "--votes", "1", "--out", "x", "--snapshot", "1.5"], /--snapshot/],
    [["--posts", "5", "--votes", "1", "--out", "x", "--colour"], /unknown option '--colour'/],
  ])("exits 2 with a one-line error for %j", async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(err.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 1 with a one-line error when the folder cannot be written", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    const { code, err } = await run(["--posts", "5", "--votes", "1", "--out", join(file, "sub")]);
    expect(code).toBe(1);
    expect(err).toMatch(/^error: cannot write the delivery to .*a-file.*\n$/);
  });
});
