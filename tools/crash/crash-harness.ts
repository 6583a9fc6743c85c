import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { LandingArchive } from "../../src/archive/landing-archive.js";
import { generateDelivery } from "../generate/write-delivery.js";
import { stackhouseCommand, type CliSource } from "../stackhouse-command.js";

const SIZES = { posts: 4_000, votes: 40_000, seed: 11 } as const;

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
  /** Arguments of the stackhouse command, with WAREHOUSE standing for the warehouse path. */
  readonly argv: readonly string[];
  /** Folder holding the starting state (warehouse.db and warehouse.landing, or nothing). */
  readonly baseline: string;
  beforeDigest: string;
  afterDigest: string;
  durationMs: number;
}

/**
 * Digest of the warehouse's content, or "absent": rows, lineage of loads, weekly totals. Run ids
 * are left out: a run interrupted before it committed uses up its number.
 */
export function warehouseDigest(folder: string): string {
  const path = join(folder, "warehouse.db");
  if (!existsSync(path)) return "absent";
  const db = new Database(path);
  try {
    const hash = createHash("sha256");
    const queries = [
      "SELECT * FROM posts ORDER BY id",
      "SELECT * FROM votes ORDER BY id",
      "SELECT * FROM post_tags ORDER BY post_id, tag",
      "SELECT * FROM weekly_vote_totals ORDER BY week_start",
      "SELECT * FROM weekly_post_totals ORDER BY week_start",
      "SELECT * FROM rejected_records ORDER BY load_id, record_number",
      `SELECT load_id, kind, sha256, records_read, inserted, updated, unchanged, rejected
       FROM loads WHERE outcome = 'loaded' ORDER BY load_id`,
    ];
    for (const sql of queries) {
      for (const row of db.prepare(sql).raw().iterate()) hash.update(JSON.stringify(row));
      hash.update("|");
    }
    return hash.digest("hex");
  } finally {
    db.close();
  }
}

/** The promises that must hold after any kill, once the next run has completed. */
function checkRecovered(folder: string, scenario: Scenario): string[] {
  const problems: string[] = [];
  const path = join(folder, "warehouse.db");
  const db = new Database(path);
  const integrity = db.pragma("integrity_check", { simple: true });
  if (integrity !== "ok") problems.push(`integrity_check: ${String(integrity)}`);
  const loads = db
    .prepare("SELECT DISTINCT run_id, kind, sha256 FROM loads ORDER BY run_id, kind")
    .all() as { run_id: number; kind: string; sha256: string }[];
  db.close();
  const archive = new LandingArchive(join(folder, "warehouse.db.landing"));
  const listed = archive
    .read()
    .committed.flatMap((run) =>
      run.files.map((file) => ({ run_id: run.run, kind: file.kind, sha256: file.sha256 })),
    )
    .sort((a, b) => a.run_id - b.run_id || a.kind.localeCompare(b.kind));
  const key = (rows: readonly { run_id: number; kind: string; sha256: string }[]): string =>
    JSON.stringify(
      [...new Set(rows.map((row) => `${String(row.run_id)}:${row.kind}:${row.sha256}`))].sort(),
    );
  if (key(loads) !== key(listed))
    problems.push("the archive's committed runs and the warehouse's loads differ");
  if (warehouseDigest(folder) !== scenario.afterDigest) {
    problems.push("after recovery the warehouse differs from an uninterrupted run's");
  }
  return problems;
}

/** The stackhouse command line that starts a run; its first item is the program. */
type Cli = readonly [string, ...string[]];

/** The command of a scenario in a folder; ingest skips the checks, which are not at stake. */
function command(cli: Cli, folder: string, argv: readonly string[]): [string, string[]] {
  const args = argv.map((arg) => (arg === "WAREHOUSE" ? join(folder, "warehouse.db") : arg));
  const [program, ...start] = cli;
  return [program, [...start, ...args, ...(args[0] === "ingest" ? ["--no-checks"] : [])]];
}

function run(
  cli: Cli,
  folder: string,
  argv: readonly string[],
): { status: number | null; stderr: string } {
  const result = spawnSync(...command(cli, folder, argv), { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

function killAfter(
  cli: Cli,
  folder: string,
  argv: readonly string[],
  delayMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(...command(cli, folder, argv), { stdio: "ignore" });
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

async function prepare(cli: Cli, work: string): Promise<Scenario[]> {
  const deliveries = [];
  for (const snapshot of [1, 2, 3]) {
    const result = await generateDelivery({
      ...SIZES,
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
  const empty = folder("empty");
  const one = folder("one-delivery");
  must(run(cli, one, ["ingest", "--db", "WAREHOUSE", ...first]));
  const two = folder("two-deliveries");
  cpSync(one, two, { recursive: true });
  must(run(cli, two, ["ingest", "--db", "WAREHOUSE", ...second]));
  const archiveOnly = folder("archive-only");
  cpSync(two, archiveOnly, { recursive: true });
  rmSync(join(archiveOnly, "warehouse.db"));

  const scenarios: Scenario[] = [
    {
      name: "first load (new warehouse, migrations)",
      argv: ["ingest", "--db", "WAREHOUSE", ...first],
      baseline: empty,
    },
    {
      name: "merge into an existing warehouse",
      argv: ["ingest", "--db", "WAREHOUSE", ...second],
      baseline: one,
    },
    {
      name: "deleted warehouse rebuilt from the archive, then a load",
      argv: ["ingest", "--db", "WAREHOUSE", ...third],
      baseline: archiveOnly,
    },
    { name: "stackhouse rebuild", argv: ["rebuild", "--db", "WAREHOUSE"], baseline: two },
  ].map((scenario) => ({ ...scenario, beforeDigest: "", afterDigest: "", durationMs: 0 }));

  for (const scenario of scenarios) {
    const reference = join(work, "reference", scenario.name.replace(/\W+/g, "-"));
    cpSync(scenario.baseline, reference, { recursive: true });
    scenario.beforeDigest = warehouseDigest(reference);
    const started = performance.now();
    must(run(cli, reference, scenario.argv));
    scenario.durationMs = performance.now() - started;
    scenario.afterDigest = warehouseDigest(reference);
  }
  return scenarios;
}

function must(result: { status: number | null; stderr: string }): void {
  if (result.status !== 0) throw new Error(`stackhouse failed while preparing: ${result.stderr}`);
}

/**
 * Kills real stackhouse runs (the CLI, as child processes) with SIGKILL at random moments of a
 * first load, a merge, a rebuild from the archive and `stackhouse rebuild`, and checks after each
 * kill that the warehouse holds exactly the state before or after the run, passes SQLite's
 * integrity check once the next run completes, agrees with its landing archive, and ends equal to
 * a run never interrupted.
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
  readonly log?: (line: string) => void;
}): Promise<KillResult[]> {
  rmSync(options.work, { recursive: true, force: true });
  const cli = stackhouseCommand(options.cli);
  const scenarios = await prepare(cli, options.work);
  const next = random(options.seed);
  const results: KillResult[] = [];
  for (let index = 0; index < options.kills; index++) {
    const scenario = scenarios[index % scenarios.length];
    if (scenario === undefined) break;
    const folder = join(options.work, "kills", String(index));
    cpSync(scenario.baseline, folder, { recursive: true });
    const delayMs = Math.round(next() * scenario.durationMs * 1.1);
    const killed = await killAfter(cli, folder, scenario.argv, delayMs);
    const digest = warehouseDigest(folder);
    const stateAfterKill: KillResult["stateAfterKill"] =
      digest === scenario.beforeDigest
        ? "before"
        : digest === scenario.afterDigest
          ? "after"
          : "other";
    const problems: string[] = [];
    if (stateAfterKill === "other")
      problems.push("after the kill the warehouse was neither before nor after the run");
    const rerun = run(cli, folder, scenario.argv);
    if (rerun.status !== 0) problems.push(`the next run failed: ${rerun.stderr.trim()}`);
    else problems.push(...checkRecovered(folder, scenario));
    const result = { scenario: scenario.name, delayMs, killed, stateAfterKill, problems };
    results.push(result);
    options.log?.(
      `kill ${String(index + 1)}: ${scenario.name}, at ${String(delayMs)} ms: ${killed ? "killed" : "finished first"}, state ${stateAfterKill}, ${problems.length === 0 ? "ok" : problems.join("; ")}`,
    );
    rmSync(folder, { recursive: true, force: true });
  }
  return results;
}
