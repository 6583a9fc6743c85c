import { existsSync, readdirSync } from "node:fs";
import { copyFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated } from "./helpers/deliveries.js";
import { cli, fileWith } from "./helpers/fixtures.js";
import { tempDir } from "./helpers/temp-dir.js";
import { queryRows } from "./helpers/warehouse-dump.js";

const COMMANDS = ["ingest", "rebuild", "check", "query", "report"] as const;
const VOTE = JSON.stringify({
  Id: "1",
  PostId: "1",
  VoteTypeId: "2",
  CreationDate: "2021-01-04T00:00:00.000",
});

describe("stackhouse command line", () => {
  it.each(COMMANDS)("has --help for %s", async (command) => {
    const result = await cli(command, "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: stackhouse ${command}`);
    expect(result.stdout).toMatch(
      /\nGlobal Options:\n(.*\n)* {2}--db <path> (.*\n)* {2}--target <url> /,
    );
    const examples = result.stdout.split("\nExamples:\n")[1] ?? "";
    expect(examples.match(/^ {2}\$ npx stackhouse /gm)?.length).toBeGreaterThanOrEqual(2);
    const prose = result.stdout.split("\n").filter((line) => !line.startsWith("  $ "));
    expect(prose.filter((line) => line.length > 80)).toEqual([]);
  });

  it("lists every command in the top-level help, with examples", async () => {
    const result = await cli("--help");
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command);
    const examples = result.stdout.split("\nExamples:\n")[1] ?? "";
    expect(examples.match(/^ {2}\$ npx stackhouse /gm)?.length).toBeGreaterThanOrEqual(3);
  });

  it("ingests a delivery with --db anywhere on the line, and prints the weekly answer", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    for (const [index, argv] of [
      ["--db", join(dir, "a.db"), delivery.posts, delivery.votes],
      [delivery.posts, "--db", join(dir, "b.db"), delivery.votes],
      ["ingest", delivery.posts, delivery.votes, "--db", join(dir, "c.db")],
    ].entries()) {
      const result = await cli(...argv);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("What is the mean votes per post per week?");
      expect(result.stdout).toMatch(/posts\s+\S+Posts\.json\s+loaded/);
      expect(existsSync(join(dir, `${"abc"[index] ?? ""}.db`))).toBe(true);
    }
  });

  it("ingests the bundled sample when no files are given", async () => {
    const db = join(await tempDir(), "sample.db");
    const result = await cli("--db", db);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("What is the mean votes per post per week?");
    const [counts] = queryRows(
      db,
      "SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM votes) AS votes",
    );
    expect(counts?.posts).toBeGreaterThan(1000);
    expect(counts?.votes).toBeGreaterThan(1000);
  });

  it("prints the report as JSON with --json", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    const result = await cli(
      "ingest",
      "--json",
      "--db",
      join(dir, "w.db"),
      delivery.posts,
      delivery.votes,
    );
    const report = JSON.parse(result.stdout) as { runId: number; files: { kind: string }[] };
    expect(report.runId).toBe(1);
    expect(report.files.map((file) => file.kind)).toEqual(["posts", "votes"]);
  });

  it("exits 2 with one line for usage errors", async () => {
    const dir = await tempDir();
    for (const argv of [["xyzzy"], ["--no-such-flag"], ["ingest", "--db"]]) {
      const result = await cli(...argv, "--db", join(dir, "w.db"));
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^stackhouse: [^\n]+\n$/);
      expect(result.stdout).toBe("");
    }
    expect(existsSync(join(dir, "w.db"))).toBe(false);
  });

  it("exits 1 with one line naming the file for a bad delivery, and no stack trace", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    const missing = join(dir, "missing.json");
    const result = await cli("--db", join(dir, "w.db"), missing, delivery.votes);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `stackhouse: ${missing}: no such file\n`,
    });
    const empty = await fileWith(dir, "delivery.json", "[]");
    const neither = await fileWith(dir, "x.json", '[{"Id": "1"}]');
    const copy = join(dir, "copy.json");
    await copyFile(delivery.votes, copy);
    const link = join(dir, "link.json");
    await symlink(delivery.votes, link);
    const refusals: [string[], number, string][] = [
      [
        [neither],
        1,
        `${neither}: line 1: record 1 has neither PostTypeId nor VoteTypeId, so it is neither a posts nor a votes file`,
      ],
      [
        [empty],
        1,
        `${empty}: it holds no records, so neither its content nor its name (no 'posts' or 'votes' in it) says which kind it is`,
      ],
      [
        [delivery.votes, delivery.votes],
        2,
        `${delivery.votes} is given twice; a run loads each file once`,
      ],
      [[delivery.votes, link], 2, `${link} is given twice; a run loads each file once`],
      [
        [delivery.posts, "--expect-votes", "5"],
        2,
        `--expect-votes is the count of one votes file, but this run has 0 (${delivery.posts} holds posts)`,
      ],
      [
        [delivery.votes, copy, "--snapshot"],
        2,
        `--snapshot: a full snapshot of votes is one file, but this run has 2 (${delivery.votes} holds votes, ${copy} holds votes)`,
      ],
    ];
    for (const [argv, code, message] of refusals) {
      const result = await cli("--db", join(dir, "w.db"), ...argv);
      expect(result, argv.join(" ")).toEqual({
        code,
        stdout: "",
        stderr: `stackhouse: ${message}\n`,
      });
    }
    expect(existsSync(join(dir, "w.db"))).toBe(false);
  });

  it("takes a delivery's files in any order, and one kind alone", async () => {
    const dir = await tempDir();
    const delivery = await generated(dir);
    const swapped = await cli("--db", join(dir, "w.db"), delivery.votes, delivery.posts);
    expect(swapped.code).toBe(0);
    expect(swapped.stdout).toMatch(/\nposts +\S+ +loaded .*\nvotes +\S+ +loaded /);
    const votesOnly = await cli("--db", join(dir, "v.db"), delivery.votes);
    expect(votesOnly.code).toBe(0);
    expect(votesOnly.stdout).not.toMatch(/\nposts /);
  });

  it("rebuilds from the archive on demand", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const delivery = await generated(dir);
    await cli("--db", db, delivery.posts, delivery.votes);
    const result = await cli("rebuild", "--db", db);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Rebuilt ${db} from 1 archived run(s)`);
  });
});

describe("the command line's rough edges", () => {
  it("says what is wrong, on one line, for mistakes a new user makes", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const cases: [string[], number, string][] = [
      [
        ["reprot", "--db", db],
        2,
        "stackhouse: 'reprot' is not a command or a file; did you mean 'stackhouse report'?\n",
      ],
      [
        ["injest", "A.json", "B.json", "--db", db],
        2,
        "stackhouse: 'injest' is not a command or a file; did you mean 'stackhouse ingest'?\n",
      ],
      [
        ["querry", "select 1", "--db", db],
        2,
        "stackhouse: 'querry' is not a command or a file; did you mean 'stackhouse query'?\n",
      ],
      [
        ["query", "--limt", "5", "select 1", "--db", db],
        2,
        "stackhouse: unknown option '--limt' (Did you mean --limit?) (see --help)\n",
      ],
      [
        ["xyzzy", "--db", db],
        2,
        "stackhouse: 'xyzzy' is neither a command (ingest, rebuild, check, query, report, serve) nor a file\n",
      ],
      [["Votes3.json", "--db", db], 1, "stackhouse: Votes3.json: no such file\n"],
      [["ingest", "xyzzy", "--db", db], 1, "stackhouse: xyzzy: no such file\n"],
      [["--db", "--no-checks"], 2, ""],
      [["query", "--db", db], 2, "stackhouse: give the query as an argument or with --file\n"],
      [
        ["query", "SELECT 1", "--db", db],
        3,
        `stackhouse: ${db}: no warehouse here; ingest a delivery first\n`,
      ],
      [
        ["report", "--db", db],
        3,
        `stackhouse: ${db}: no warehouse here; ingest a delivery first\n`,
      ],
    ];
    for (const [argv, code, stderr] of cases) {
      const result = await cli(...argv);
      expect(result.code, argv.join(" ")).toBe(code);
      if (stderr !== "") expect(result.stderr).toBe(stderr);
      else expect(result.stderr).toMatch(/^stackhouse: [^\n]+\n$/);
    }
    expect(existsSync(join(process.cwd(), "--no-checks"))).toBe(false);
  });

  it("takes one warehouse: --db and --target together are refused, and --db beats STACKHOUSE_TARGET", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const target = "clickhouse://127.0.0.1:1/nowhere";
    const both = "stackhouse: --db and --target name two warehouses: give one of them\n";
    for (const argv of [
      ["--db", db, "--target", target, "query", "SELECT 1"],
      ["check", "--target", target, "--db", db],
    ]) {
      expect(await cli(...argv), argv.join(" ")).toEqual({ code: 2, stdout: "", stderr: both });
    }
    expect(await cli("query", "--db", db, "--archive", dir, "SELECT 1")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "stackhouse: --archive moves a ClickHouse target's landing archive; a SQLite warehouse keeps its archive beside the file\n",
    });

    const fixture = await fileWith(dir, "v.json", `[${VOTE}\n]`);
    process.env.STACKHOUSE_TARGET = target;
    try {
      const ingested = await cli("--db", db, "--no-checks", fixture);
      expect(ingested.stderr).toBe("");
      expect(ingested.code).toBe(0);
      expect(queryRows(db, "SELECT count(*) AS votes FROM votes")).toEqual([{ votes: 1 }]);
      // With no --db, the variable names the warehouse: here a server that is not there.
      const named = await cli("query", "SELECT 1");
      expect(named.code).toBe(3);
      expect(named.stderr).toContain("127.0.0.1:1");
    } finally {
      delete process.env.STACKHOUSE_TARGET;
    }
  });

  it("exits 0 for help and the version", async () => {
    expect((await cli("help", "query")).code).toBe(0);
    const version = await cli("--version");
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("reports an output file it cannot write as one line, leaving nothing behind", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const delivery = await generated(dir);
    await cli("--db", db, delivery.posts, delivery.votes);
    const noFolder = ": cannot write this file: its folder does not exist (ENOENT)\n";
    for (const [argv, why] of [
      [["report", "--html", join(dir, "missing", "r.html")], noFolder],
      [["query", "SELECT * FROM votes", "--output", join(dir, "missing", "out.csv")], noFolder],
      [
        ["query", "SELECT * FROM votes", "--output", dir],
        ": cannot write this file: it is a folder (EISDIR)\n",
      ],
    ] as const) {
      const result = await cli(...argv, "--db", db);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^stackhouse: [^\n]+\n$/);
      expect(result.stderr.endsWith(why), result.stderr).toBe(true);
    }
    expect(readdirSync(dir).filter((name) => name.includes(".partial-"))).toEqual([]);
  });
});
