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
  const dictionary = shippedDictionary();
  const onClickHouse = settings.source.target !== undefined;
  const examples = shippedQuestions().map(({ title, sql, clickhouse }) => ({
    title,
    sql: onClickHouse ? (clickhouse ?? sql) : sql,
  }));
  const slots = new QuerySlots(settings.maxRunning, settings.closing);
  const app = new Hono<Bindings>();

  app.use(async (c, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    const refusal = refused(c, settings);
    if (refusal !== undefined) return c.json(refusal.body, refusal.status);
    await next();
  });

  for (const [path, name] of Object.entries(PAGES)) app.get(path, (c) => sendAsset(c, name));
  app.get("/assets/:name", (c) => sendAsset(c, c.req.param("name")));

  app.get("/weekly", (c) =>
    slots.run(c.req.raw.signal, async () => {
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
    }),
  );

  app.get("/api/info", (c) =>
    c.json({
      warehouse: settings.name,
      engine: onClickHouse ? "clickhouse" : "sqlite",
      sede: !onClickHouse,
      timeout_seconds: settings.timeoutSeconds,
      page_rows: settings.pageRows,
    }),
  );
  app.get("/api/examples", (c) => c.json(examples));
  app.get("/api/schema", (c) =>
    slots.run(c.req.raw.signal, async (signal) =>
      c.json(await readSchema(settings.source, dictionary, settings.timeoutSeconds, signal)),
    ),
  );

  app.get("/api/query", (c) => {
    const params = new URL(c.req.url).searchParams;
    const request = queryRequest(params);
    return slots.run(c.req.raw.signal, async (signal) => {
      if (request.format === "json" && !request.download) {
        return c.json(await queryPage(settings, request, params, signal));
      }
      await streamQuery(settings, request, c.env.outgoing, SECURITY_HEADERS, signal);
      return RESPONSE_ALREADY_SENT;
    });
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
    if (asset === undefined) {
      return c.json({ error: `no such asset: ${name}`, code: "NOT_FOUND" }, 404);
    }
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  }

  return app;
}

/** Why a request is refused before it is routed, if it is. */
function refused(
  c: Context<Bindings>,
  settings: ServeSettings,
): { body: { error: string; code: string }; status: 403 | 405 } | undefined {
  if (!settings.hostAllowed(c.req.header("host"))) {
    return {
      body: { error: "this server answers only for its own address", code: "HOST" },
      status: 403,
    };
  }
  const api = c.req.path.startsWith("/api/");
  // The API only from the server's own pages (or typed in): another site cannot run queries.
  const site = c.req.header("sec-fetch-site");
  if (api && site !== undefined && site !== "same-origin" && site !== "none") {
    return {
      body: { error: "queries are answered only for this server's own pages", code: "CROSS_SITE" },
      status: 403,
    };
  }
  // HEAD of a page is harmless; of a query it would run the query for nothing.
  if (c.req.method !== "GET" && (api || c.req.method !== "HEAD")) {
    return {
      body: { error: "read-only: only GET requests are answered", code: "METHOD" },
      status: 405,
    };
  }
  return undefined;
}

/**
 * The queries the server runs at once, at most `size`: one more is answered busy, not queued.
 * Each runs with a signal aborted when its client goes away or the server closes.
 */
class QuerySlots {
  private running = 0;

  constructor(
    private readonly size: number,
    private readonly closing: AbortSignal,
  ) {}

  async run(
    client: AbortSignal,
    work: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Response> {
    if (this.running >= this.size) {
      throw new StackhouseError(
        "BUSY",
        `busy: ${String(this.running)} queries are running; try again when one has ended`,
      );
    }
    this.running++;
    const stop = new AbortController();
    const abort = (): void => {
      stop.abort();
    };
    for (const signal of [client, this.closing]) {
      signal.addEventListener("abort", abort, { once: true });
      if (signal.aborted) abort();
    }
    try {
      return await work(stop.signal);
    } finally {
      this.running--;
      for (const signal of [client, this.closing]) signal.removeEventListener("abort", abort);
    }
  }
}

/** The status of a refusal: the request's fault, or the warehouse's state. */
function statusOf(error: StackhouseError): 400 | 503 {
  return error.code === "USAGE" || error.code === "QUERY_FAILED" ? 400 : 503;
}
