import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli.js";
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

  it("documents every table, view and column of the warehouse", async () => {
    const db = openWarehouse(join(await tempDir(), "w.db"));
    const objects = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name")
      .pluck()
      .all() as string[];
    const missing: string[] = [];
    for (const name of objects) {
      if (!readme.includes(`\`${name}\``)) missing.push(name);
      const columns = db
        .prepare("SELECT name FROM pragma_table_info(?)")
        .pluck()
        .all(name) as string[];
      for (const column of columns) {
        if (!readme.includes(`\`${column}\``)) missing.push(`${name}.${column}`);
      }
    }
    db.close();
    expect(missing).toEqual([]);
  });
});
