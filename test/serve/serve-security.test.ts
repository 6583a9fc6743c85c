import { request } from "node:http";
import { connect } from "node:net";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SECURITY_HEADERS } from "../../src/serve/serve-app.js";
import { hostsFor } from "../../src/serve/start-server.js";
import { SQLITE, type TestWarehouse } from "../helpers/engines.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { queryPath, serveWarehouse, SQLITE_RUNAWAY } from "../helpers/serve.js";
import { tempDir } from "../helpers/temp-dir.js";

async function fixtureWarehouse(): Promise<TestWarehouse> {
  const dir = await tempDir();
  const warehouse = await SQLITE.fresh(join(dir, "warehouse"));
  const { posts, votes } = await fixtureDelivery(dir);
  expect((await cli(...warehouse.args, posts, votes, "--no-checks")).code).toBe(0);
  return warehouse;
}

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
    const page = await server.get("/");
    expect(page.headers["content-security-policy"]).toMatch(
      /^default-src 'none'; script-src 'self'; style-src 'self';/,
    );
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
    const sede = await server.get(queryPath("SELECT TOP 5 Id FROM Posts", { sede: "1" }));
    expect(JSON.parse(sede.text)).toEqual({
      error:
        'SQL error: near "5": syntax error (SQL Server\'s SELECT TOP 5 is LIMIT 5 at the end in SQLite)',
      code: "QUERY_FAILED",
    });
    for (const method of ["POST", "PUT", "DELETE"]) {
      const reply = await server.get(queryPath("SELECT 1"), { method });
      expect(reply.status, method).toBe(405);
    }
  });

  it("is busy, not queued for ever, when every query slot is taken, and a client that leaves frees its slot", async () => {
    const server = await serveWarehouse(await fixtureWarehouse(), { maxRunning: 1 });
    const url = new URL(queryPath(SQLITE_RUNAWAY.endless, { format: "csv" }), server.url);
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
    expect(first.startsWith("n\n")).toBe(true);
    const busy = await server.get(queryPath("SELECT 1"));
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.text)).toMatchObject({ code: "BUSY" });
    leave();
    let reply = busy;
    for (let tries = 0; reply.status === 503 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await server.get(queryPath("SELECT 1"));
    }
    expect(reply.status, reply.text).toBe(200);
  });

  it("stops a query whose client left before its page was ready", async () => {
    const server = await serveWarehouse(await fixtureWarehouse(), { maxRunning: 1 });
    const leaving = new AbortController();
    const page = fetch(new URL(queryPath(SQLITE_RUNAWAY.silent), server.url), {
      signal: leaving.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await server.get(queryPath("SELECT 1"))).status).toBe(503);
    leaving.abort();
    await expect(page).rejects.toThrow();
    let reply = await server.get(queryPath("SELECT 1"));
    for (let tries = 0; reply.status === 503 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await server.get(queryPath("SELECT 1"));
    }
    expect(reply.status, reply.text).toBe(200);
  });

  it("refuses a request without a Host, and takes the loopback address or port 80 it serves on", async () => {
    const server = await serveWarehouse(await fixtureWarehouse());
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: Number(port) }, () => {
        socket.end("GET /api/info HTTP/1.0\r\n\r\n");
      });
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => {
        resolve(text);
      });
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 403 /);
    expect(hostsFor("127.0.0.2", 9000).has("127.0.0.2:9000")).toBe(true);
    expect(hostsFor("127.0.0.1", 80).has("localhost")).toBe(true);
    expect(hostsFor("127.0.0.1", 8017).has("localhost")).toBe(false);
  });

  it("runs queries only for its own pages, and HEAD runs none", async () => {
    const server = await serveWarehouse(await fixtureWarehouse());
    const query = queryPath("SELECT * FROM votes", { format: "csv" });
    for (const site of ["cross-site", "same-site"]) {
      const reply = await server.get(query, { headers: { "sec-fetch-site": site } });
      expect(reply.status, site).toBe(403);
      expect(JSON.parse(reply.text)).toMatchObject({ code: "CROSS_SITE" });
    }
    for (const site of ["same-origin", "none"]) {
      expect((await server.get(query, { headers: { "sec-fetch-site": site } })).status).toBe(200);
    }
    // A link from elsewhere may open the page itself, which then asks for its query.
    expect((await server.get("/", { headers: { "sec-fetch-site": "cross-site" } })).status).toBe(
      200,
    );
    expect((await server.get(query, { method: "HEAD" })).status).toBe(405);
    expect((await server.get("/", { method: "HEAD" })).status).toBe(200);
  });

  it("cuts the connection when a streamed answer fails after its first rows, rather than end it short", async () => {
    const logged: string[] = [];
    const server = await serveWarehouse(await fixtureWarehouse(), {
      log: (line) => logged.push(line),
    });
    // A row too big for query output, after 1,500 small ones: the first batches have gone out.
    const sql = `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1600)
      SELECT n, CASE WHEN n < 1500 THEN 'x' ELSE zeroblob(70000000) END AS v FROM r`;
    await expect(server.get(queryPath(sql, { format: "csv" }))).rejects.toThrow();
    expect(logged).toEqual([
      "a download was cut: row 1500, column v holds a value of 70000000 bytes, more than query output takes (64 MiB a row); select a part of it, e.g. with substr() or length()",
    ]);
    // A failure within the first rows, before the answer has begun, is an error answer instead.
    const early = `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10)
      SELECT n, CASE WHEN n < 4 THEN n ELSE abs(-9223372036854775807 - 1) END AS v FROM r`;
    const refused = await server.get(queryPath(early, { format: "csv", download: "1" }));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      error: "SQL error: integer overflow",
      code: "QUERY_FAILED",
    });
    const page = await server.get(queryPath(sql));
    expect(page.status).toBe(200);
    const failing = await server.get(queryPath(sql, { page: "3" }));
    expect(failing.status).toBe(400);
    expect(JSON.parse(failing.text)).toMatchObject({ code: "QUERY_FAILED" });
  });

  it("cuts off a download its client stopped reading, after the time limit, and frees its slot", async () => {
    // 3 s, not 1: a query's child process can take over a second to start while other test files run.
    const server = await serveWarehouse(await fixtureWarehouse(), {
      maxRunning: 1,
      timeoutSeconds: 3,
    });
    const url = new URL(queryPath(SQLITE_RUNAWAY.endless, { format: "csv" }), server.url);
    const stalled = request(url, (response) => {
      response.pause();
    });
    stalled.on("error", () => undefined);
    stalled.end();
    let reply = await server.get(queryPath("SELECT 1"));
    for (let tries = 0; reply.status === 503 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await server.get(queryPath("SELECT 1"));
    }
    expect(reply.status, reply.text).toBe(200);
    stalled.destroy();
  });

  it("stops a page that takes longer than the time limit, though its rows keep coming", async () => {
    const server = await serveWarehouse(await fixtureWarehouse(), { timeoutSeconds: 2 });
    // A row now and then (well within the 2 s between rows), never the page's 500.
    const sql = `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
      SELECT n FROM r WHERE n % 1000000 = 0`;
    const reply = await server.get(queryPath(sql));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toMatchObject({
      error: "query stopped: its page was not ready within 2 s (the server's --timeout)",
    });
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
