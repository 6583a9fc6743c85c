import { request } from "node:http";
import { afterEach } from "vitest";
import { DEFAULT_HOST } from "../../src/cli/serve-command.js";
import { startServer, type RunningServer } from "../../src/serve/start-server.js";
import type { TestWarehouse } from "./engines.js";

/** A served warehouse, and plain HTTP requests to it. */
export interface TestServer extends RunningServer {
  /** GETs a path; `host` replaces the Host header. */
  get(path: string, options?: RequestOptions): Promise<Reply>;
}

/** How a test request differs from a plain GET. */
export interface RequestOptions {
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
}

/** What an answer held. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** The body as text. */
  readonly text: string;
}

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

/** The `--db` / `--target` / `--archive` values of a test warehouse's arguments. */
export function warehouseFlags(args: readonly string[]): {
  db: string;
  target?: string;
  archive?: string;
} {
  const value = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index < 0 ? undefined : args[index + 1];
  };
  const target = value("--target");
  const archive = value("--archive");
  return {
    db: value("--db") ?? "warehouse.db",
    ...(target === undefined ? {} : { target }),
    ...(archive === undefined ? {} : { archive }),
  };
}

/** Serves a test warehouse on a free loopback port, closed when the test ends. */
export async function serveWarehouse(
  warehouse: TestWarehouse,
  options: {
    timeoutSeconds?: number;
    pageRows?: number;
    maxRunning?: number;
    log?: (line: string) => void;
  } = {},
): Promise<TestServer> {
  const flags = warehouseFlags(warehouse.args);
  const server = await startServer({
    warehouse: flags,
    source: flags,
    name: warehouse.destination.name,
    host: DEFAULT_HOST,
    port: 0,
    timeoutSeconds: options.timeoutSeconds ?? 60,
    pageRows: options.pageRows ?? 500,
    maxRunning: options.maxRunning ?? 4,
    log: options.log ?? (() => undefined),
  });
  running.push(server);
  return {
    ...server,
    get: (path, requestOptions) => get(new URL(path, server.url), requestOptions),
  };
}

function get(url: URL, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      {
        method: options.method ?? "GET",
        headers: {
          ...options.headers,
          ...(options.host === undefined ? {} : { host: options.host }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            text: body.toString("utf8"),
          });
        });
      },
    );
    sent.on("error", reject);
    sent.end();
  });
}

/** `/api/query` with these parameters. */
export function queryPath(sql: string, parameters: Record<string, string> = {}): string {
  return `/api/query?${new URLSearchParams({ sql, ...parameters }).toString()}`;
}

/** SQLite queries that never end: one computes for ever before its one row, one sends rows for ever. */
export const SQLITE_RUNAWAY = {
  silent: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
  endless: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
} as const;
