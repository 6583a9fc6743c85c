import { fileURLToPath } from "node:url";

/** Where the CLI a child process runs comes from: the build (`npm run build` first) or the sources. */
export type CliSource = "build" | "sources";

/**
 * The command line (program first) that starts the stackhouse CLI in a child process: the built
 * `bin/stackhouse.js`, which is what users run, or the TypeScript sources under tsx, which need no
 * build. Either is one process, so a signal sent to it reaches the run itself.
 *
 * @example
 * const [program, ...args] = stackhouseCommand("sources");
 * spawnSync(program, [...args, "check", "--db", "w.db"]);
 */
export function stackhouseCommand(from: CliSource): [string, ...string[]] {
  if (from === "build") {
    return [process.execPath, fileURLToPath(new URL("../bin/stackhouse.js", import.meta.url))];
  }
  return [
    process.execPath,
    "--import",
    import.meta.resolve("tsx"),
    fileURLToPath(new URL("./stackhouse-from-sources.ts", import.meta.url)),
  ];
}
