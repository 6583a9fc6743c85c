/**
 * `bin/stackhouse.js` on the TypeScript sources, for the tests and the tools: started as
 * `node --import tsx tools/stackhouse-from-sources.ts ...` (see `stackhouseCommand`), it needs no
 * build.
 */
import process from "node:process";
import { run } from "../src/cli.js";

// A reader that stops early (`stackhouse query ... | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
