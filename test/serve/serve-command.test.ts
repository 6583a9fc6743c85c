import { spawn } from "node:child_process";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stackhouseCommand } from "../../tools/stackhouse-command.js";
import { cli, fixtureWarehouse } from "../helpers/fixtures.js";
import { SQLITE_RUNAWAY } from "../helpers/serve.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Whether a TCP connection to the address and port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
}

describe("stackhouse serve", () => {
  it("listens on loopback only by default, prints its address, and stops cleanly on Ctrl-C", async () => {
    const { db } = await fixtureWarehouse();
    const [program, ...args] = stackhouseCommand("sources");
    const server = spawn(program, [...args, "serve", "--db", db, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => {
      server.on("exit", resolve);
    });
    const url = await new Promise<URL>((resolve, reject) => {
      server.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /at (http:\/\/\S+) \(Ctrl-C stops it\)/.exec(stdout)?.[1];
        if (found !== undefined) resolve(new URL(found));
      });
      void exited.then(() => {
        reject(new Error(`serve ended: ${stderr}`));
      });
    });
    expect(url.hostname).toBe("127.0.0.1");
    const port = Number(url.port);
    const response = await fetch(new URL("/api/info", url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ warehouse: db, engine: "sqlite" });
    const outside = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((entry) => !entry.internal && entry.family === "IPv4");
    for (const address of outside) expect(await accepts(address.address, port)).toBe(false);

    // Ctrl-C while a query runs: the query's process is stopped, and the server ends cleanly.
    const runaway = fetch(
      new URL(`/api/query?sql=${encodeURIComponent(SQLITE_RUNAWAY.silent)}`, url),
    ).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(await runaway).toBeInstanceOf(Error);
    expect(stderr).toContain("stopped (SIGINT)");
    expect(await accepts("127.0.0.1", port)).toBe(false);
  });

  it("refuses a warehouse that is not there before it listens", async () => {
    const missing = join(await tempDir(), "nothing.db");
    const result = await cli("serve", "--db", missing, "--port", "0");
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/nothing\.db: no warehouse here; ingest a delivery first/);
    expect(result.stdout).toBe("");
  });

  it("refuses a port that is not a port", async () => {
    const { db } = await fixtureWarehouse();
    const result = await cli("serve", "--db", db, "--port", "70000");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give a port from 1 to 65535");
  });
});
