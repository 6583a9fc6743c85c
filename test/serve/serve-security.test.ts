import { request } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SECURITY_HEADERS } from "../../src/serve/serve-app.js";
import { hostsFor } from "../../src/serve/start-server.js";
import { SQLITE, type TestWarehouse } from "../helpers/engines.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { queryPath, serveWarehouse } from "../helpers/serve.js";
import { tempDir } from "../helpers/temp-dir.js";

async function fixtureWarehouse(): Promise<TestWarehouse> {
  const dir = await tempDir();
  const warehouse = await SQLITE.fresh(join(dir, "warehouse"));
  const { posts, votes } = await fixtureDelivery(dir);
  expect((await cli(...warehouse.args, posts, votes, "--no-checks")).code).toBe(0);
  return warehouse;
}

/** No row until it ends, which it never does: only the time limit or its client stops it. */
const RUNAWAY =
  "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r";

/** Rows for ever, one at a time: only a client that stops reading ends it. */
const ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r";

describe("stackhouse serve, at its edges", () => {
  it("answers only requests for its own address (DNS rebinding), on every path", async () => {
    const server = await serveWarehouse(await fixtureWarehouse());
    const port = new URL(server.url).port;
    for (const path of ["/", "/api/info", queryPath("SELECT 1"), "/assets/query.js"]) {
      for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, "127.0.0.1:1"]) {
        const reply = await server.get(path, { host });
        expect(reply.status, `${host}${path}`).toBe(403);
        expect(JSON.parse(reply.text)).toMatchObject({ code: "HOST" });
      }
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
        expect((await server.get(path, { host })).status, `${host}${path}`).toBe(200);
      }
    }
  });

  it("takes loopback names on loopback, and only the machine's own names elsewhere", () => {
    expect([...hostsFor("127.0.0.1", 8017)].sort()).toEqual([
      "127.0.0.1:8017",
      "[::1]:8017",
      "localhost:8017",
    ]);
    const wide = hostsFor("192.0.2.7", 9000);
    expect(wide.has("192.0.2.7:9000")).toBe(true);
    expect(wide.has("evil.example:9000")).toBe(false);
  });

  it("sets the same Content-Security-Policy and headers on pages, assets, answers and errors", async () => {
    const server = await serveWarehouse(await fixtureWarehouse());
    const paths = [
      "/",
      "/schema",
      "/weekly",
      "/assets/query.js",
      "/assets/chart.umd.min.js",
      "/api/info",
      queryPath("SELECT * FROM votes"),
      queryPath("SELECT * FROM votes", { format: "csv" }),
      queryPath("SELEC 1"),
      "/nothing-here",
    ];
    for (const path of paths) {
      const reply = await server.get(path);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(reply.headers[name.toLowerCase()], `${name} on ${path}`).toBe(value);
      }
    }
    expect(SECURITY_HEADERS["Content-Security-Policy"]).toMatch(/default-src 'none'/);
    expect(SECURITY_HEADERS["Content-Security-Policy"]).toMatch(/script-src 'self';/);
  });

  it("answers wrong requests with one line of JSON and a non-2xx status, never a stack", async () => {
    const server = await serveWarehouse(await fixtureWarehouse());
    const wrong: [string, number, string][] = [
      ["/api/query", 400, "USAGE"],
      [queryPath("SELECT 1", { format: "xml" }), 400, "USAGE"],
      [queryPath("SELECT 1", { page: "0" }), 400, "USAGE"],
      [queryPath("SELECT * FROM nowhere"), 400, "QUERY_FAILED"],
      [queryPath("SELECT * FROM nowhere", { format: "csv" }), 400, "QUERY_FAILED"],
      ["/assets/../package.json", 404, "NOT_FOUND"],
      ["/assets/secret.txt", 404, "NOT_FOUND"],
    ];
    for (const [path, status, code] of wrong) {
      const reply = await server.get(path);
      expect(reply.status, path).toBe(status);
      const body = JSON.parse(reply.text) as { error: string; code: string };
      expect(body.code, path).toBe(code);
      expect(body.error, path).not.toMatch(/\n|\.ts:\d+|node:internal/);
    }
    for (const method of ["POST", "PUT", "DELETE"]) {
      const reply = await server.get(queryPath("SELECT 1"), { method });
      expect(reply.status, method).toBe(405);
    }
  });

  it("is busy, not queued for ever, when every query slot is taken, and a client that leaves frees its slot", async () => {
    const server = await serveWarehouse(await fixtureWarehouse(), { maxRunning: 1 });
    const url = new URL(queryPath(ENDLESS, { format: "csv" }), server.url);
    let leave = (): void => undefined;
    const first = await new Promise<string>((resolve, reject) => {
      const sent = request(url, (response) => {
        response.once("data", (chunk: Buffer) => {
          resolve(chunk.toString());
        });
      });
      leave = () => sent.destroy();
      sent.on("error", (error) => {
        if (!sent.destroyed) reject(error);
      });
      sent.end();
    });
    expect(first.startsWith("n\r\n")).toBe(true);
    const busy = await server.get(queryPath("SELECT 1"));
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.text)).toMatchObject({ code: "BUSY" });
    leave();
    let reply = busy;
    for (let tries = 0; reply.status === 503 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await server.get(queryPath("SELECT 1"));
    }
    expect(reply.status).toBe(200);
  });

  it("stops a query whose client left before its page was ready", async () => {
    const server = await serveWarehouse(await fixtureWarehouse(), { maxRunning: 1 });
    const leaving = new AbortController();
    const page = fetch(new URL(queryPath(RUNAWAY), server.url), { signal: leaving.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await server.get(queryPath("SELECT 1"))).status).toBe(503);
    leaving.abort();
    await expect(page).rejects.toThrow();
    let reply = await server.get(queryPath("SELECT 1"));
    for (let tries = 0; reply.status === 503 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await server.get(queryPath("SELECT 1"));
    }
    expect(reply.status).toBe(200);
  });

  it("builds no element of its pages from data as HTML", () => {
    const web = new URL("../../web/", import.meta.url);
    const scripts = readdirSync(web).filter((name) => name.endsWith(".js"));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const name of scripts) {
      const code = readFileSync(new URL(name, web), "utf8");
      expect(code, name).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/,
      );
    }
  });
});
