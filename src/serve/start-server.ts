import type { AddressInfo } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { serve } from "@hono/node-server";
import { StackhouseError } from "../errors.js";
import { serveApp, type ServeSettings } from "./serve-app.js";

/** Where and how `stackhouse serve` listens and answers. */
export interface ServerOptions extends Omit<ServeSettings, "hostAllowed" | "closing"> {
  /** The address to listen on: loopback unless the user chooses otherwise. */
  readonly host: string;
  /** The port, or 0 for any free one. */
  readonly port: number;
}

/** A server that is listening: its address, and how to stop it. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Whether an address reaches this machine only.
 *
 * @example
 * isLoopback("127.0.0.1"); // true
 */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The `Host` values a server listening on `host` answers to: its loopback names, or the address
 * it was given and this machine's names and addresses. A page on another name (a DNS rebinding
 * attack points one at 127.0.0.1) is refused.
 *
 * @example
 * hostsFor("127.0.0.1", 8017).has("localhost:8017"); // true
 */
export function hostsFor(host: string, port: number): ReadonlySet<string> {
  const wildcard = host === "0.0.0.0" || host === "::";
  const names = [
    host,
    "127.0.0.1",
    "localhost",
    "::1",
    ...(isLoopback(host) ? [] : [hostname()]),
    ...(wildcard
      ? Object.values(networkInterfaces()).flatMap((list) =>
          (list ?? []).map((entry) => entry.address),
        )
      : []),
  ].map((name) => (name.includes(":") ? `[${name}]` : name).toLowerCase());
  // A browser leaves out the port it need not say.
  const withPorts = names.map((name) => `${name}:${String(port)}`);
  return new Set(port === 80 ? [...withPorts, ...names] : withPorts);
}

/**
 * Starts the web server of `stackhouse serve` and resolves once it listens. A port in use is a
 * `USAGE` error naming it.
 *
 * @example
 * const server = await startServer({ ...settings, host: "127.0.0.1", port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  let allowed: ReadonlySet<string> = new Set();
  const closing = new AbortController();
  const app = serveApp({
    ...options,
    closing: closing.signal,
    hostAllowed: (host) => host !== undefined && allowed.has(host.toLowerCase()),
  });
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new StackhouseError(
          "USAGE",
          `cannot listen on ${options.host} port ${String(options.port)}: ${error.code === "EADDRINUSE" ? "the port is in use; choose another with --port" : error.message}`,
          { cause: error },
        ),
      );
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowed = hostsFor(options.host, port);
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${String(port)}/`,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => {
          resolve();
        });
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
