import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { reportAssets } from "../report/html-report.js";

/** A file the server sends as it is. */
export interface Asset {
  readonly body: string;
  readonly type: string;
}

/** The page's own files, shipped in the package's `web/` folder. */
const WEB_FILES = ["query.html", "schema.html", "app.css", "query.js", "schema.js"] as const;

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/**
 * Every file the pages load, by name, read once: the page's own (`web/`), the report's style and
 * chart script, and Chart.js from its installed package. Nothing comes from the network, and only
 * these names can be asked for.
 *
 * @example
 * const page = webAssets().get("query.html");
 */
export function webAssets(): ReadonlyMap<string, Asset> {
  const files: [string, string][] = [
    ...WEB_FILES.map((name): [string, string] => [
      name,
      readFileSync(new URL(`../../web/${name}`, import.meta.url), "utf8"),
    ]),
    ...Object.entries(reportAssets()),
  ];
  return new Map(
    files.map(([name, body]) => [name, { body, type: TYPES[extname(name)] ?? "text/plain" }]),
  );
}
