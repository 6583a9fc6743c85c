import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LandingArchive } from "../../src/archive/landing-archive.js";
import { generateDelivery } from "../generate/write-delivery.js";
import { stackhouseCommand, type CliSource } from "../stackhouse-command.js";
import {
  clickHousePlaces,
  SQLITE_PLACES,
  type HarnessEngine,
  type LoadLineage,
  type Place,
} from "./crash-places.js";

/** How often a kill point whose run finished before its kill is tried again, at half the delay. */
const RETRIES_WHEN_FINISHED_FIRST = 3;

/** The deliveries the runs load, at scale 1. */
const SIZES = { posts: 4_000, votes: 40_000 } as const;

/** What a kill point found: the state after the kill, and whether every promise held. */
export interface KillResult {
  readonly scenario: string;
  readonly delayMs: number;
  readonly killed: boolean;
  readonly stateAfterKill: "before" | "after" | "other";
  readonly problems: readonly string[];
}

/** One operation the harness interrupts, from a prepared starting state. */
interface Scenario {
  readonly name: string;
  /** Arguments of the stackhouse command; WAREHOUSE stands for the options naming the warehouse. */
  readonly argv: readonly string[];
  /** The starting state, copied for each kill. */
  readonly baseline: Place;
  beforeDigest: string;
  afterDigest: string;
  durationMs: number;
}

/** The promises that must hold after any kill, once the next run has completed. */
async function checkRecovered(place: Place, scenario: Scenario): Promise<string[]> {
  const problems = await place.damage();
  const archive = new LandingArchive(place.archiveDir);
  const listed = archive
    .read()
    .committed.flatMap((run) =>
      run.files.map((file) => ({ run_id: run.run, kind: file.kind, sha256: file.sha256 })),
    );
  const key = (rows: readonly LoadLineage[]): string =>
    JSON.stringify(
      [...new Set(rows.map((row) => `${String(row.run_id)}:${row.kind}:${row.sha256}`))].sort(),
    );
  if (key(await place.loads()) !== key(listed))
    problems.push("the archive's committed runs and the warehouse's loads differ");
  if ((await place.digest()) !== scenario.afterDigest) {
    problems.push("after recovery the warehouse differs from an uninterrupted run's");
  }
  return problems;
}

/** The stackhouse command line that starts a run; its first item is the program. */
type Cli = readonly [string, ...string[]];

/** The command of a scenario on a warehouse; ingest skips the checks, which are not at stake. */
function command(cli: Cli, place: Place, argv: readonly string[]): [string, string[]] {
  const args = argv.flatMap((arg) => (arg === "WAREHOUSE" ? place.args : [arg]));
  const [program, ...start] = cli;
  return [program, [...start, ...args, ...(args[0] === "ingest" ? ["--no-checks"] : [])]];
}

function run(
  cli: Cli,
  place: Place,
  argv: readonly string[],
): { status: number | null; stderr: string } {
  const result = spawnSync(...command(cli, place, argv), { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

function killAfter(
  cli: Cli,
  place: Place,
  argv: readonly string[],
  delayMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(...command(cli, place, argv), { stdio: "ignore" });
    let exited = false;
    const timer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, delayMs);
    child.on("exit", (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve(signal === "SIGKILL");
    });
  });
}

/** A seeded random number in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scenarios, their starting states made in `made` (which the caller disposes of). */
async function prepare(
  cli: Cli,
  engine: HarnessEngine,
  work: string,
  scale: number,
  made: Place[],
): Promise<Scenario[]> {
  const deliveries = [];
  for (const snapshot of [1, 2, 3]) {
    const result = await generateDelivery({
      posts: Math.round(SIZES.posts * scale),
      votes: Math.round(SIZES.votes * scale),
      seed: 11,
      snapshot,
      outDir: join(work, "deliveries", `s${String(snapshot)}`),
    });
    deliveries.push([result.postsPath, result.votesPath] as const);
  }
  const [first, second, third] = deliveries as [
    readonly [string, string],
    readonly [string, string],
    readonly [string, string],
  ];
  const folder = (name: string): string => {
    const path = join(work, "baselines", name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const empty = engine.place(folder("empty"));
  const one = engine.place(folder("one-delivery"));
  must(run(cli, one, ["ingest", "WAREHOUSE", ...first]));
  const two = await engine.copy(one, folder("two-deliveries"));
  must(run(cli, two, ["ingest", "WAREHOUSE", ...second]));
  const archiveOnly = await engine.copy(two, folder("archive-only"));
  await archiveOnly.drop();
  made.push(empty, one, two, archiveOnly);

  const scenarios: Scenario[] = [
    {
      name: "first load (new warehouse, migrations)",
      argv: ["ingest", "WAREHOUSE", ...first],
      baseline: empty,
    },
    {
      name: "merge into an existing warehouse",
      argv: ["ingest", "WAREHOUSE", ...second],
      baseline: one,
    },
    {
      name: "deleted warehouse rebuilt from the archive, then a load",
      argv: ["ingest", "WAREHOUSE", ...third],
      baseline: archiveOnly,
    },
    // On ClickHouse a rebuild renames its tables into place one by one (the README's limits).
    ...(engine.name === "sqlite"
      ? [{ name: "stackhouse rebuild", argv: ["rebuild", "WAREHOUSE"], baseline: two }]
      : []),
  ].map((scenario) => ({ ...scenario, beforeDigest: "", afterDigest: "", durationMs: 0 }));

  for (const scenario of scenarios) {
    const reference = await engine.copy(
      scenario.baseline,
      join(work, "reference", scenario.name.replace(/\W+/g, "-")),
    );
    scenario.beforeDigest = await reference.digest();
    const started = performance.now();
    must(run(cli, reference, scenario.argv));
    scenario.durationMs = performance.now() - started;
    scenario.afterDigest = await reference.digest();
    await reference.dispose();
  }
  return scenarios;
}

function must(result: { status: number | null; stderr: string }): void {
  if (result.status !== 0) throw new Error(`stackhouse failed while preparing: ${result.stderr}`);
}

/**
 * Kills real stackhouse runs (the CLI, as child processes) with SIGKILL at random moments of a
 * first load, a merge, a rebuild from the archive and (on SQLite) `stackhouse rebuild`, and checks
 * after each kill that readers see exactly the warehouse before or after the run, and once the
 * next run completes, that the engine reports no damage, the warehouse agrees with its landing
 * archive and ends equal to a run never interrupted. Into SQLite files by default, into databases
 * of a ClickHouse target when `clickhouse` gives its URL.
 *
 * @example
 * const results = await runCrashHarness({ kills: 20, seed: 1, work: "/tmp/crash", cli: "build" });
 */
export async function runCrashHarness(options: {
  readonly kills: number;
  readonly seed: number;
  readonly work: string;
  /** The CLI killed: the built one (`npm run build` first), or the sources under tsx. */
  readonly cli: CliSource;
  /** A ClickHouse target's URL, to kill runs into it rather than into SQLite files. */
  readonly clickhouse?: string;
  /** The deliveries' size, as a share of 4,000 posts and 40,000 votes (1 by default). */
  readonly scale?: number;
  readonly log?: (line: string) => void;
}): Promise<KillResult[]> {
  rmSync(options.work, { recursive: true, force: true });
  const cli = stackhouseCommand(options.cli);
  const engine =
    options.clickhouse === undefined ? SQLITE_PLACES : clickHousePlaces(options.clickhouse);
  const next = random(options.seed);
  const results: KillResult[] = [];
  const baselines: Place[] = [];
  try {
    const scenarios = await prepare(cli, engine, options.work, options.scale ?? 1, baselines);
    for (let index = 0; index < options.kills; index++) {
      const scenario = scenarios[index % scenarios.length];
      if (scenario === undefined) break;
      const folder = join(options.work, "kills", String(index));
      let place = await engine.copy(scenario.baseline, folder);
      let delayMs = Math.round(next() * scenario.durationMs);
      let killed = await killAfter(cli, place, scenario.argv, delayMs);
      // A run can beat the timed reference run; it is tried again, killed earlier.
      for (let retry = 0; !killed && retry < RETRIES_WHEN_FINISHED_FIRST; retry++) {
        await place.dispose();
        place = await engine.copy(scenario.baseline, folder);
        delayMs = Math.round(delayMs / 2);
        killed = await killAfter(cli, place, scenario.argv, delayMs);
      }
      const digest = await place.digest();
      const stateAfterKill: KillResult["stateAfterKill"] =
        digest === scenario.beforeDigest
          ? "before"
          : digest === scenario.afterDigest
            ? "after"
            : "other";
      const problems: string[] = [];
      if (stateAfterKill === "other")
        problems.push("after the kill the warehouse was neither before nor after the run");
      const rerun = run(cli, place, scenario.argv);
      if (rerun.status !== 0) problems.push(`the next run failed: ${rerun.stderr.trim()}`);
      else problems.push(...(await checkRecovered(place, scenario)));
      const result = { scenario: scenario.name, delayMs, killed, stateAfterKill, problems };
      results.push(result);
      options.log?.(
        `kill ${String(index + 1)}: ${scenario.name}, at ${String(delayMs)} ms: ${killed ? "killed" : "finished first"}, state ${stateAfterKill}, ${problems.length === 0 ? "ok" : problems.join("; ")}`,
      );
      await place.dispose();
    }
  } finally {
    for (const baseline of baselines) await baseline.dispose();
  }
  return results;
}
