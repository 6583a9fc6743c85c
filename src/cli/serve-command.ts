import { type Command } from "commander";
import { DEFAULT_TIMEOUT_SECONDS } from "../query/time-limit.js";
import { helpExamples } from "./help-examples.js";
import { SIGNALS } from "./on-interrupt.js";
import type { CliIo } from "./io.js";
import { pageRows, port, seconds } from "./option-parsers.js";
import { withWarehouse, type WarehouseFlags } from "./warehouse-option.js";

/** The address `serve` listens on unless --host says: this machine only. */
export const DEFAULT_HOST = "127.0.0.1";

/** The port `serve` listens on unless --port says. */
export const DEFAULT_PORT = 8017;

/** Rows in a page of the results grid and of a JSON answer, unless --page-rows says. */
export const DEFAULT_PAGE_ROWS = 500;

/** Queries the server runs at once; each is a process (SQLite) or a server query (ClickHouse). */
const MAX_RUNNING_QUERIES = 4;

interface ServeFlags extends WarehouseFlags {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly pageRows: number;
}

/** `stackhouse serve`: a local web page to query the warehouse. */
export function addServeCommand(program: Command, io: CliIo): void {
  program
    .command("serve")
    .summary("serve a local web page to query the warehouse, with charts and downloads")
    .description(
      "Serve a web page where the warehouse can be queried (read-only): a SQL editor, a results grid, " +
        "a chart, downloads as CSV, JSON or Parquet, the weekly answer, the worked questions and the schema " +
        "with the data dictionary. Listens on 127.0.0.1 unless --host says; Ctrl-C stops it.",
    )
    .addHelpText(
      "after",
      helpExamples([
        ["npx stackhouse serve", "open the printed address in a browser"],
        [
          "npx stackhouse serve --port 9000 --timeout 10",
          "another port, queries stopped after 10 s",
        ],
      ]),
    )
    .option(
      "--host <address>",
      "the address to listen on; anything but loopback lets other machines read the warehouse",
      DEFAULT_HOST,
    )
    .option("--port <number>", "the port to listen on (0 for any free one)", port, DEFAULT_PORT)
    .option(
      "--timeout <seconds>",
      "a page of results must be ready within this long; a download stops when no row has come, or its client has read nothing, for this long (0 for no limit)",
      seconds,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option("--page-rows <rows>", "rows in a page of results", pageRows, DEFAULT_PAGE_ROWS)
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<ServeFlags>();
      // A warehouse that is not there is refused now, not at the first query.
      // Loaded only to serve, so every other command starts without the HTTP server.
      const { isLoopback, startServer } = await import("../serve/start-server.js");
      const name = await withWarehouse(flags, "read", (warehouse) =>
        Promise.resolve(warehouse.name),
      );
      if (!isLoopback(flags.host)) {
        io.stderr.write(
          `warning: listening on ${flags.host}: anyone who can reach this machine can read the warehouse\n`,
        );
      }
      const server = await startServer({
        warehouse: flags,
        source: flags,
        name,
        host: flags.host,
        port: flags.port,
        timeoutSeconds: flags.timeout,
        pageRows: flags.pageRows,
        maxRunning: MAX_RUNNING_QUERIES,
        log: (line) => io.stderr.write(`${line}\n`),
      });
      io.stdout.write(`stackhouse serve: ${name} at ${server.url} (Ctrl-C stops it)\n`);
      await onStopSignal(async (signal) => {
        await server.close();
        io.stderr.write(`stopped (${signal})\n`);
      });
    });
}

/**
 * Waits for the first stop signal, then runs `stop` while the listeners stay in place: a query
 * under way kills its process on the same signal and raises it again, which must not end the
 * server before it has closed.
 */
async function onStopSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  let stopping: Promise<void> | undefined;
  let stopped = (): void => undefined;
  const finished = new Promise<void>((resolve) => (stopped = resolve));
  const listener = (signal: NodeJS.Signals): void => {
    stopping ??= stop(signal).finally(stopped);
  };
  for (const name of SIGNALS) process.on(name, listener);
  try {
    await finished;
    await stopping;
  } finally {
    for (const name of SIGNALS) process.removeListener(name, listener);
  }
}
