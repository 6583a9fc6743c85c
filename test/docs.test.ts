import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
import { addSedeViews } from "../src/query/sede-views.js";
import { openWarehouse } from "../src/warehouse/open-warehouse.js";
import { tempDir } from "./helpers/temp-dir.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

async function helpText(...argv: string[]): Promise<string> {
  let text = "";
  await run([...argv, "--help"], {
    stdout: { write: (chunk: string) => (text += chunk) },
    stderr: { write: () => true },
  });
  return text;
}

describe("README", () => {
  it("opens with the two commands that set up and use a fresh clone", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm start");
    expect(firstBlock).toContain("npm ci && npm run check");
  });

  it("uses npx stackhouse in its Usage (no npm banner in piped output) and says what npm ci needs", () => {
    const usage = readme.slice(
      readme.indexOf("## Usage"),
      readme.indexOf("### `stackhouse ingest"),
    );
    const commands = (/```sh\n([\s\S]*?)```/.exec(usage)?.[1] ?? "")
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.filter((line) => !line.startsWith("npx stackhouse "))).toEqual([]);
    expect(usage).toContain("**What `npm ci` needs.**");
    expect(usage).toMatch(
      /compiles SQLite\s+from source, which needs `python3`, `make` and a C\+\+ compiler/,
    );
  });

  it("documents every command", async () => {
    const commands = [...(await helpText()).matchAll(/^ {2}([a-z]+) /gm)]
      .map((match) => match[1] ?? "")
      .filter((command) => command !== "help");
    expect(commands.length).toBeGreaterThan(1);
    for (const command of commands) {
      expect(readme, `command ${command}`).toContain(`### \`stackhouse ${command}`);
      const flags = [...(await helpText(command)).matchAll(/ (--[a-z-]+)/g)].map(
        (match) => match[1] ?? "",
      );
      for (const flag of flags.filter((name) => name !== "--help")) {
        expect(readme, `${command} ${flag}`).toContain(`\`${flag}`);
      }
    }
  });

  it("links the data dictionary and the worked questions", () => {
    expect(readme).toContain("(docs/data-dictionary.md)");
    expect(readme).toContain("(docs/questions.md)");
  });
});

describe("the data dictionary", () => {
  const dictionary = readFileSync(new URL("../docs/data-dictionary.md", import.meta.url), "utf8");

  /** The text of the section headed `## heading`. */
  function section(heading: string): string {
    const start = dictionary.indexOf(`\n## ${heading}\n`);
    if (start < 0) return "";
    const end = dictionary.indexOf("\n## ", start + 1);
    return dictionary.slice(start, end < 0 ? undefined : end);
  }

  it("documents every table, view and column of the warehouse, each in its own section", async () => {
    const db = openWarehouse(join(await tempDir(), "w.db"));
    const objects = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name")
      .pluck()
      .all() as string[];
    const missing: string[] = [];
    for (const name of objects) {
      const text = section(`\`${name}\``);
      if (text === "") missing.push(name);
      const columns = db
        .prepare("SELECT name FROM pragma_table_info(?)")
        .pluck()
        .all(name) as string[];
      for (const column of columns) {
        if (!text.includes(`| \`${column}\``)) missing.push(`${name}.${column}`);
      }
    }
    db.close();
    expect(missing).toEqual([]);
  });

  it("documents every SEDE view and column", async () => {
    const db = openWarehouse(join(await tempDir(), "w.db"));
    addSedeViews(db);
    const sede = section("SEDE names");
    const views = db
      .prepare("SELECT name FROM temp.sqlite_schema WHERE type = 'view'")
      .pluck()
      .all() as string[];
    const missing: string[] = [];
    for (const view of views) {
      const row = sede.split("\n").find((line) => line.startsWith(`| \`${view}\``)) ?? "";
      if (row === "") missing.push(view);
      for (const column of db
        .prepare(`SELECT name FROM pragma_table_info(?, 'temp')`)
        .pluck()
        .all(view) as string[]) {
        if (!row.includes(`\`${column}\``)) missing.push(`${view}.${column}`);
      }
    }
    db.close();
    expect(views.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});
