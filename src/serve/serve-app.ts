import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono, type Context } from "hono";
import type { WarehouseFlags } from "../cli/warehouse-option.js";
import { withWarehouse } from "../cli/warehouse-option.js";
import { StackhouseError } from "../errors.js";
import { renderHtmlReport } from "../report/html-report.js";
import { shippedDictionary, shippedQuestions } from "./docs-catalog.js";
import { queryPage, queryRequest, streamQuery, type QuerySettings } from "./query-api.js";
import { readSchema } from "./schema-api.js";
import { webAssets } from "./web-assets.js";

/** What the server answers from. */
export interface ServeSettings extends QuerySettings {
  readonly warehouse: WarehouseFlags;
  /** How the pages name the warehouse. */
  readonly name: string;
  /** Queries that may run at once; one more is answered 503, busy. */
  readonly maxRunning: number;
  /** Tells whether a request's `Host` is one this server answers to. */
  readonly hostAllowed: (host: string | undefined) => boolean;
  /** Aborted when the server closes: every query under way is stopped. */
  readonly closing: AbortSignal;
  /** Where failures the client is not shown (an internal error's stack) are written. */
  readonly log: (line: string) => void;
}

/**
 * The headers of every answer: the pages may load only their own scripts, styles and data, no
 * frame may hold them, and no answer is guessed to be another type than it says.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** The page each path shows, as an asset name. */
const PAGES: Readonly<Record<string, string>> = { "/": "query.html", "/schema": "schema.html" };

type Bindings = { Bindings: { outgoing: ServerResponse } };

/**
 * The web app of `stackhouse serve`: the pages, their assets, and the JSON API, all read-only.
 * Requests for another `Host` than the server's (DNS rebinding) and any method but GET are
 * refused; errors are one line of JSON with a non-2xx status, never a stack trace.
 *
 * @example
 * const app = serveApp(settings);
 * serve({ fetch: app.fetch, port: 8017, hostname: "127.0.0.1" });
 */
export function serveApp(settings: ServeSettings): Hono<Bindings> {
  const assets = webAssets();
  const questions = shippedQuestions();
  const dictionary = shippedDictionary();
  let running = 0;
  const app = new Hono<Bindings>();

  app.use(async (c, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    if (!settings.hostAllowed(c.req.header("host"))) {
      return c.json({ error: "this server answers only for its own address", code: "HOST" }, 403);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.json({ error: "read-only: only GET requests are answered", code: "METHOD" }, 405);
    }
    await next();
  });

  for (const [path, name] of Object.entries(PAGES)) app.get(path, (c) => sendAsset(c, name));
  app.get("/assets/:name", (c) => sendAsset(c, c.req.param("name")));

  app.get("/weekly", async (c) => {
    const answer = await withWarehouse(settings.warehouse, "read", (warehouse) =>
      warehouse.weeklyAnswer(),
    );
    const nav = [
      ["/", "Query"],
      ["/schema", "Schema"],
    ] as const;
    return c.html(
      renderHtmlReport(answer, { title: settings.name }, { linkedFrom: "/assets/", nav }),
    );
  });

  app.get("/api/info", (c) =>
    c.json({
      warehouse: settings.name,
      engine: onClickHouse ? "clickhouse" : "sqlite",
      sede: !onClickHouse,
      timeout_seconds: settings.timeoutSeconds,
      page_rows: settings.pageRows,
    }),
  );
  const onClickHouse = settings.source.target !== undefined;
  const examples = questions.map(({ title, sql, clickhouse }) => ({
    title,
    sql: onClickHouse ? (clickhouse ?? sql) : sql,
  }));
  app.get("/api/examples", (c) => c.json(examples));
  app.get("/api/schema", async (c) =>
    c.json(await readSchema(settings.source, dictionary, settings.timeoutSeconds)),
  );

  app.get("/api/query", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const request = queryRequest(params);
    if (running >= settings.maxRunning) {
      throw new StackhouseError(
        "BUSY",
        `busy: ${String(running)} queries are running; try again when one has ended`,
      );
    }
    running++;
    // A client that goes away, or the server closing, stops the query.
    const signal = AbortSignal.any([settings.closing, c.req.raw.signal]);
    try {
      if (request.format === "json" && !request.download) {
        return c.json(await queryPage(settings, request, params, signal));
      }
      await streamQuery(settings, request, c.env.outgoing, SECURITY_HEADERS, signal);
      return RESPONSE_ALREADY_SENT;
    } finally {
      running--;
    }
  });

  app.notFound((c) => c.json({ error: `no such page: ${c.req.path}`, code: "NOT_FOUND" }, 404));
  app.onError((error, c) => {
    if (error instanceof StackhouseError) {
      return c.json({ error: error.message, code: error.code }, statusOf(error));
    }
    settings.log(`internal error: ${error.stack ?? error.message}`);
    return c.json(
      { error: "internal error (the server's output has the details)", code: "INTERNAL" },
      500,
    );
  });

  function sendAsset(c: Context<Bindings>, name: string): Response {
    const asset = assets.get(name);
    if (asset === undefined)
      return c.json({ error: `no such asset: ${name}`, code: "NOT_FOUND" }, 404);
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  }

  return app;
}

/** The status of a refusal: the request's fault, or the warehouse's state. */
function statusOf(error: StackhouseError): 400 | 503 {
  return error.code === "USAGE" || error.code === "QUERY_FAILED" ? 400 : 503;
}
