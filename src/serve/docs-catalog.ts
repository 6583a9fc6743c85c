import { readFileSync } from "node:fs";

/** A worked question of `docs/questions.md`: its title and the SQL that answers it. */
export interface WorkedQuestion {
  readonly title: string;
  /** SQLite's query. */
  readonly sql: string;
  /** ClickHouse's, where its dialect needs another. */
  readonly clickhouse?: string;
}

/** A table or view of `docs/data-dictionary.md`: what it holds, and what each column means. */
export interface DictionaryEntry {
  readonly name: string;
  readonly description: string;
  readonly columns: Readonly<Record<string, string>>;
}

/** The docs the package ships, beside `src/` and `dist/` alike. */
function shippedDoc(name: string): string {
  return readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");
}

/**
 * The worked questions of a page laid out as `docs/questions.md`: each SQL block under its `##`
 * heading, told apart by the bold lead-in before it when a heading has several, with the
 * `sql clickhouse` block that follows one, if any, as its ClickHouse version.
 *
 * @example
 * const [first] = workedQuestions(readFileSync("docs/questions.md", "utf8"));
 */
export function workedQuestions(markdown: string): WorkedQuestion[] {
  const found: WorkedQuestion[] = [];
  let heading = "";
  let lead = "";
  const parts = /^## (.+)$|^\*\*(.+?)\*\*|^```sql( clickhouse)?\n([\s\S]*?)^```/gm;
  for (const [, newHeading, newLead, dialect, sql] of markdown.matchAll(parts)) {
    if (newHeading !== undefined) [heading, lead] = [newHeading, ""];
    else if (newLead !== undefined) lead = newLead;
    else if (sql === undefined || heading === "") continue;
    else if (dialect === undefined) {
      found.push({ title: lead === "" ? heading : `${heading} (${lead.toLowerCase()})`, sql });
    } else {
      const last = found.pop();
      if (last !== undefined) found.push({ ...last, clickhouse: sql });
    }
  }
  return found;
}

/**
 * The tables and views of a page laid out as `docs/data-dictionary.md`: each `` ## `name` ``
 * section's first paragraph, and the meaning column of its table.
 *
 * @example
 * const posts = dataDictionary(readFileSync("docs/data-dictionary.md", "utf8")).find((entry) => entry.name === "posts");
 */
export function dataDictionary(markdown: string): DictionaryEntry[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .flatMap((section) => {
      const name = /^`([^`]+)`\n/.exec(section)?.[1];
      if (name === undefined) return [];
      const paragraphs = section.split(/\n\s*\n/).slice(1);
      const prose = paragraphs.find((paragraph) => !paragraph.trimStart().startsWith("|")) ?? "";
      const columns: Record<string, string> = {};
      for (const row of section.matchAll(/^\| `([^`]+)`\s*\|[^|]*\|\s*(.*?)\s*\|$/gm)) {
        const [, column, meaning] = row;
        if (column !== undefined && meaning !== undefined)
          columns[column] = meaning.replaceAll("\\|", "|");
      }
      const description = prose.replace(/\s*\n\s*/g, " ").trim();
      return [{ name, description, columns }];
    });
}

/** The worked questions stackhouse ships (`docs/questions.md`). */
export function shippedQuestions(): WorkedQuestion[] {
  return workedQuestions(shippedDoc("questions.md"));
}

/** The data dictionary stackhouse ships (`docs/data-dictionary.md`). */
export function shippedDictionary(): DictionaryEntry[] {
  return dataDictionary(shippedDoc("data-dictionary.md"));
}
