import { spawnSync } from "node:child_process";

/** One timed run of a command: wall seconds, the peak memory of its processes, and its output. */
export interface Measurement {
  readonly seconds: number;
  readonly peakRssMib: number;
  readonly stdout: string;
  readonly ok: boolean;
  readonly error: string;
}

/** Times a command and reads its peak RSS from the kernel's accounting of waited-for children. */
const WRAPPER = `
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.buffer.write(done.stdout)
sys.stderr.write("%s\\n" % done.stderr.decode("utf-8", "replace")[-2000:])
sys.stderr.write("MEASURED %f %d %d\\n" % (seconds, rss_kb, done.returncode))
`;

/**
 * Runs `command` once, measured from outside (python3's `resource` module gives the children's
 * peak RSS, which node cannot see for a child), so every loader is measured the same way.
 *
 * @example
 * const { seconds, peakRssMib } = measure(["sqlite3", "w.db", "SELECT 1"]);
 */
export function measure(
  command: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Measurement {
  const result = spawnSync("python3", ["-c", WRAPPER, ...command], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env,
  });
  const stderr = result.stderr;
  const match = /MEASURED (\S+) (\d+) (-?\d+)\s*$/.exec(stderr);
  if (match === null) {
    return {
      seconds: NaN,
      peakRssMib: NaN,
      stdout: result.stdout,
      ok: false,
      error: stderr.slice(-500),
    };
  }
  const [, seconds, rssKb, code] = match;
  return {
    seconds: Number(seconds),
    peakRssMib: Number(rssKb) / 1024,
    stdout: result.stdout,
    ok: code === "0",
    error: code === "0" ? "" : failure(stderr.replace(/MEASURED .*$/s, "")),
  };
}

/** What a failed command said: its last line stating an error, or else its last three lines. */
function failure(stderr: string): string {
  const lines = stderr.trim().split("\n");
  return lines.findLast((line) => /Error:/.test(line)) ?? lines.slice(-3).join(" ");
}
