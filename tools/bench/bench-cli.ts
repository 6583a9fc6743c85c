/**
 * `npm run bench`: loads generated deliveries at several sizes with stackhouse and with reference
 * loaders (DuckDB, the sqlite3 shell, SQLite's floor, sqlite-utils when installed), measuring each
 * in its own process, and writes the results as JSON and Markdown.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { generateDelivery } from "../generate/write-delivery.js";
import type { DeliveryKind } from "../../src/model/kinds.js";
import { measure, type Measurement } from "./measure.js";
import { createTable, sqliteShellLoad } from "./reference-sql.js";
import {
  DUCKDB_BOUNDED,
  DUCKDB_KEY,
  DUCKDB_SIMPLE,
  NOT_RUN,
  renderResults,
  STACKHOUSE_XML,
  type BenchRow,
  type WeeklyTiming,
} from "./render-results.js";

/** Posts and votes of snapshot 1 at each size. */
export const SIZES: Readonly<Record<string, { readonly posts: number; readonly votes: number }>> = {
  S: { posts: 15_000, votes: 40_000 },
  M: { posts: 250_000, votes: 1_000_000 },
  L: { posts: 1_000_000, votes: 10_000_000 },
};

const SEED = 2026;
/** Bumped whenever the generator's output changes, so deliveries kept from older runs are not reused. */
const GENERATOR_VERSION = 2;
const KINDS: readonly DeliveryKind[] = ["votes", "posts"];

interface Deliveries {
  readonly first: Readonly<Record<DeliveryKind, string>>;
  readonly next: Readonly<Record<DeliveryKind, string>>;
  /** Snapshot 1 again in the data dump's XML layout (S and M only). */
  readonly xml?: Readonly<Record<DeliveryKind, string>>;
}

/** Generates (or reuses) snapshot 1 and snapshot 2 of a size in the work folder. */
async function deliveries(work: string, size: string): Promise<Deliveries> {
  const sizes = SIZES[size];
  if (sizes === undefined) throw new Error(`unknown size ${size}`);
  const folder = join(work, `${size}-${String(SEED)}-v${String(GENERATOR_VERSION)}`);
  const paths: Record<"first" | "next", Record<DeliveryKind, string>> = {
    first: { posts: "", votes: "" },
    next: { posts: "", votes: "" },
  };
  for (const [name, snapshot] of [
    ["first", 1],
    ["next", 2],
  ] as const) {
    const outDir = join(folder, `snapshot-${String(snapshot)}`);
    const done = join(outDir, "complete");
    if (!existsSync(done)) {
      process.stderr.write(`generating ${size} snapshot ${String(snapshot)}...\n`);
      await generateDelivery({ ...sizes, seed: SEED, snapshot, outDir });
      writeFileSync(done, "");
    }
    paths[name] = { posts: join(outDir, "Posts.json"), votes: join(outDir, "Votes.json") };
  }
  if (size === "L") return paths;
  const xmlDir = join(folder, "snapshot-1-xml");
  if (!existsSync(join(xmlDir, "complete"))) {
    process.stderr.write(`generating ${size} snapshot 1 as the data dump's XML...\n`);
    await generateDelivery({ ...sizes, seed: SEED, snapshot: 1, outDir: xmlDir, format: "xml" });
    writeFileSync(join(xmlDir, "complete"), "");
  }
  return { ...paths, xml: { posts: join(xmlDir, "Posts.xml"), votes: join(xmlDir, "Votes.xml") } };
}

/**
 * Compiles the child with the product it loads (tsc, with the build's settings, into
 * `node_modules/.cache/stackhouse-bench`) and returns the child's script. Every node loader is
 * measured as plain JavaScript, as the built package runs: tsx would add its start-up and memory to
 * each measured process.
 */
function compileChild(): string {
  const tsconfig = fileURLToPath(new URL("../../tsconfig.bench.json", import.meta.url));
  const out = fileURLToPath(
    new URL("../../node_modules/.cache/stackhouse-bench/", import.meta.url),
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  if (spawnSync(process.execPath, [tsc, "-p", tsconfig], { stdio: "inherit" }).status !== 0) {
    throw new Error("the benchmark's child process did not compile");
  }
  // Under node_modules, ES modules need a package scope of their own; the CLI reads its version.
  const { version } = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "module", version })}\n`);
  return join(out, "tools", "bench", "bench-child.js");
}

function sizeMb(path: string): number {
  return statSync(path).size / 1e6;
}

function commandExists(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

/**
 * Measures a load `runs` times from the same starting state (the files in `state`, as they are
 * before the first run, restored before each later one) and returns the run of median time,
 * leaving the state the last run made.
 */
function timesOver(
  runs: number,
  state: readonly string[],
  load: () => ReturnType<typeof measure>,
): ReturnType<typeof measure> {
  const saved = state.map((path) => `${path}.before`);
  state.forEach((path, index) => {
    rmSync(saved[index] as string, { recursive: true, force: true });
    if (existsSync(path)) cpSync(path, saved[index] as string, { recursive: true });
  });
  const measured: ReturnType<typeof measure>[] = [];
  for (let attempt = 0; attempt < runs; attempt++) {
    if (attempt > 0) {
      state.forEach((path, index) => {
        rmSync(path, { recursive: true, force: true });
        const before = saved[index] as string;
        if (existsSync(before)) cpSync(before, path, { recursive: true });
      });
    }
    measured.push(load());
  }
  for (const path of saved) rmSync(path, { recursive: true, force: true });
  if (measured.some((run) => !run.ok)) return measured.find((run) => !run.ok) as Measurement;
  const byTime = [...measured].sort((a, b) => a.seconds - b.seconds);
  const median = byTime[Math.floor((byTime.length - 1) / 2)] as Measurement;
  return { ...median, peakRssMib: Math.max(...measured.map((run) => run.peakRssMib)) };
}

/** Runs every loader on one size and returns its rows; `child` is the compiled bench child. */
async function benchSize(
  work: string,
  size: string,
  child: string,
  runs: number,
): Promise<{ rows: BenchRow[]; weekly: WeeklyTiming }> {
  const node = (task: string, ...args: string[]): string[] => [
    process.execPath,
    child,
    task,
    ...args,
  ];
  const data = await deliveries(work, size);
  const scratch = join(work, `${size}-runs`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const rows: BenchRow[] = [];
  const record = (
    kind: DeliveryKind,
    scenario: BenchRow["scenario"],
    loader: string,
    path: string,
    run: ReturnType<typeof measure>,
    records: number,
    seconds = run.seconds,
  ): void => {
    rows.push({
      size,
      kind,
      scenario,
      loader,
      file: path,
      records,
      mb: sizeMb(path),
      seconds,
      peakRssMib: run.peakRssMib,
      ok: run.ok,
      error: run.error,
    });
    process.stderr.write(
      `${size} ${kind} ${scenario} ${loader}: ${run.ok ? `${seconds.toFixed(2)} s` : `failed: ${run.error}`}\n`,
    );
  };

  let weekly: WeeklyTiming = { size, votes: 0, seconds: NaN };
  let clickhouseWeekly = NaN;
  for (const kind of KINDS) {
    const warehouse = join(scratch, `stackhouse-${kind}.db`);
    const stackhouse = (path: string): ReturnType<typeof measure> =>
      measure(node("stackhouse", warehouse, path));
    const readOf = (run: ReturnType<typeof measure>): number =>
      run.ok
        ? ((JSON.parse(run.stdout) as { kind: string; read: number }[]).find(
            (report) => report.kind === kind,
          )?.read ?? 0)
        : 0;
    const first = timesOver(runs, [warehouse, `${warehouse}.landing`], () =>
      stackhouse(data.first[kind]),
    );
    const firstRead = readOf(first);
    record(kind, "first load", "stackhouse", data.first[kind], first, firstRead);
    const xml = data.xml?.[kind];
    if (xml !== undefined) {
      const xmlWarehouse = join(scratch, `stackhouse-xml-${kind}.db`);
      const xmlFirst = timesOver(runs, [xmlWarehouse, `${xmlWarehouse}.landing`], () =>
        measure(node("stackhouse", xmlWarehouse, xml)),
      );
      record(kind, "first load", STACKHOUSE_XML, xml, xmlFirst, firstRead);
    }
    const again = stackhouse(data.first[kind]);
    record(kind, "re-delivery", "stackhouse", data.first[kind], again, firstRead);
    const next = timesOver(runs, [warehouse, `${warehouse}.landing`], () =>
      stackhouse(data.next[kind]),
    );
    const nextRead = readOf(next);
    record(kind, "incremental", "stackhouse", data.next[kind], next, nextRead);

    for (const [mode, loader] of [
      ["simple", DUCKDB_SIMPLE],
      ["bounded", DUCKDB_BOUNDED],
      ["key", DUCKDB_KEY],
    ] as const) {
      const duck = join(scratch, `duckdb-${mode}-${kind}.duckdb`);
      const load = (path: string) => (): ReturnType<typeof measure> =>
        measure(node("duckdb", mode, duck, kind, path));
      const state = [duck, `${duck}.wal`, `${duck}.tmp`];
      const duckFirst = timesOver(runs, state, load(data.first[kind]));
      record(kind, "first load", loader, data.first[kind], duckFirst, firstRead);
      const duckNext = duckFirst.ok
        ? timesOver(runs, state, load(data.next[kind]))
        : { ...duckFirst, seconds: NaN, peakRssMib: NaN, error: NOT_RUN };
      record(kind, "incremental", loader, data.next[kind], duckNext, nextRead);
    }
    record(
      kind,
      "first load",
      "duckdb (no key)",
      data.first[kind],
      measure(node("duckdb", "ctas", join(scratch, `ctas-${kind}.duckdb`), kind, data.first[kind])),
      firstRead,
    );

    const floorDb = join(scratch, `floor-${kind}.db`);
    for (const [scenario, path, read] of [
      ["first load", data.first[kind], firstRead],
      ["incremental", data.next[kind], nextRead],
    ] as const) {
      const run = measure(node("floor", floorDb, kind, path));
      const seconds = run.ok ? (JSON.parse(run.stdout) as { seconds: number }).seconds : NaN;
      record(kind, scenario, "sqlite floor", path, run, read, seconds);
    }

    if (size !== "L" && commandExists("sqlite3")) {
      const shellDb = join(scratch, `shell-${kind}.db`);
      const sql = `${createTable(kind, "sqlite")}; BEGIN; ${sqliteShellLoad(kind, data.first[kind])} COMMIT;`;
      record(
        kind,
        "first load",
        "sqlite3 shell",
        data.first[kind],
        measure(["sqlite3", shellDb, sql]),
        firstRead,
      );
    }
    if (commandExists("sqlite-utils") && (size === "S" || (size === "M" && kind === "votes"))) {
      const utilsDb = join(scratch, `utils-${kind}.db`);
      record(
        kind,
        "first load",
        "sqlite-utils",
        data.first[kind],
        measure(["sqlite-utils", "upsert", utilsDb, kind, data.first[kind], "--pk", "Id"]),
        firstRead,
      );
    }
    const clickhouse = process.env.STACKHOUSE_CLICKHOUSE_URL;
    if (clickhouse !== undefined) {
      const url = clickhouse.replace(
        /\/[A-Za-z_][A-Za-z0-9_]*(\?|$)/,
        `/stackhouse_bench_${size}_${kind}$1`,
      );
      const clickhouseArchive = join(scratch, `clickhouse-${kind}.landing`);
      for (const [scenario, mode, path, read] of [
        ["first load", "first", data.first[kind], firstRead],
        ["incremental", "next", data.next[kind], nextRead],
      ] as const) {
        record(
          kind,
          scenario,
          "stackhouse → ClickHouse (2 shards)",
          path,
          measure(node("clickhouse", url, clickhouseArchive, mode, path)),
          read,
        );
      }
      if (kind === "votes") {
        const run = measure(node("clickhouseWeekly", url));
        clickhouseWeekly = run.ok ? (JSON.parse(run.stdout) as { seconds: number }).seconds : NaN;
      }
    }
    if (kind === "votes") {
      const run = measure(node("weekly", warehouse));
      weekly = {
        size,
        votes: firstRead + nextRead,
        seconds: run.ok ? (JSON.parse(run.stdout) as { seconds: number }).seconds : NaN,
      };
    }
  }
  return { rows, weekly: { ...weekly, clickhouseSeconds: clickhouseWeekly } };
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const duck = JSON.parse(
    readFileSync(
      new URL("../../node_modules/@duckdb/node-api/package.json", import.meta.url),
      "utf8",
    ),
  ) as { version: string };
  return `${String(cpus().length)} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, DuckDB node-api ${duck.version}`;
}

const program = new Command("bench")
  .description(
    "Benchmark stackhouse against DuckDB, the sqlite3 shell and SQLite's floor on generated deliveries.",
  )
  .option("--sizes <list>", "sizes to run: S, M, L (comma-separated)", "S,M,L")
  .option(
    "--work <dir>",
    "where generated deliveries are kept between runs",
    join(tmpdir(), "stackhouse-bench"),
  )
  .option("--out <dir>", "where results.json and results.md are written", "bench-results")
  .option(
    "--runs <n>",
    "runs of each first load and incremental load, from the same state; the median is shown",
    "3",
  )
  .action(async (flags: { sizes: string; work: string; out: string; runs: string }) => {
    const runs = Number(flags.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number ≥ 1");
    const sizes = flags.sizes.split(",").map((size) => size.trim().toUpperCase());
    const unknown = sizes.filter((size) => SIZES[size] === undefined);
    if (unknown.length > 0) throw new Error(`unknown size(s): ${unknown.join(", ")}`);
    const child = compileChild();
    const rows: BenchRow[] = [];
    const weekly: WeeklyTiming[] = [];
    for (const size of sizes) {
      const result = await benchSize(flags.work, size, child, runs);
      rows.push(...result.rows);
      weekly.push(result.weekly);
    }
    const markdown = renderResults(rows, weekly, machine());
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(
      join(flags.out, "results.json"),
      `${JSON.stringify({ machine: machine(), rows, weekly }, null, 2)}\n`,
    );
    writeFileSync(join(flags.out, "results.md"), markdown);
    process.stdout.write(markdown);
  });

await program.parseAsync(process.argv.slice(2), { from: "user" });
