#!/usr/bin/env node
import process from "node:process";
import { run } from "../dist/cli.js";

// A reader that stops early (`stackhouse query ... | head`) is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
