import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  truncateSync,
  writeSync,
  createReadStream,
} from "node:fs";
import { rename, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { StackhouseError } from "../errors.js";
import { copyFile } from "./copy-file.js";
import type { DeliveryFile } from "../extract/read-delivery.js";
import type { ArchivedFile, HistoryMark, ManifestLine, ManifestState } from "./manifest.js";
import { landingDirFor, syncPath } from "./warehouse-paths.js";

/** A delivery copied into the archive's scratch space, not yet part of the archive. */
export interface StagedObject {
  readonly sha256: string;
  readonly stored: ArchivedFile["stored"];
  readonly tempPath: string;
}

/** What {@link LandingArchive.publish} added, so that it can be taken back. */
export interface Publication {
  readonly manifestBytes: number;
  readonly placed: readonly string[];
}

const MANIFEST = "manifest.ndjson";

/**
 * How the archive keeps a delivery: compressed with gzip, or as delivered when it is compressed
 * already (a gzip file, or a site's 7z archive, kept whole).
 *
 * @example
 * storedAs({ path: "Votes.json", sizeBytes: 10, gzip: false }); // "gzip"
 */
export function storedAs(file: DeliveryFile): ArchivedFile["stored"] {
  return file.gzip || file.member !== undefined ? "as-delivered" : "gzip";
}

/**
 * The landing archive: every accepted delivery file, content-addressed by its sha256 and
 * compressed, with a manifest of arrival order. It lets a deleted warehouse be re-created with
 * its whole history. Files are listed before the warehouse commits and the run is marked
 * committed after, so an interrupted run can always be told apart from a finished one.
 *
 * @example
 * const archive = LandingArchive.beside("data/warehouse.db"); // data/warehouse.db.landing/
 */
export class LandingArchive {
  readonly dir: string;

  /** Refuses a place that is not a folder (a file where the archive should be). */
  constructor(dir: string) {
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new StackhouseError(
        "ARCHIVE",
        `${dir}: not a folder, but the landing archive's place; move it away and run again`,
      );
    }
    this.dir = dir;
  }

  /** The archive that belongs to a warehouse file (see {@link landingDirFor}). */
  static beside(warehousePath: string): LandingArchive {
    return new LandingArchive(landingDirFor(warehousePath));
  }

  /** True when the archive has a manifest, i.e. it has ever recorded a run. */
  exists(): boolean {
    return existsSync(this.manifestPath);
  }

  private get manifestPath(): string {
    return join(this.dir, MANIFEST);
  }

  /** Path of an archived object. */
  objectPath(sha256: string): string {
    return join(this.dir, "objects", `${sha256}.gz`);
  }

  /** Reads the manifest; an archive that does not exist yet is empty. */
  read(): ManifestState {
    if (!existsSync(this.manifestPath)) {
      return { committed: [], pending: [], lastRun: 0, history: undefined };
    }
    let history: HistoryMark | undefined;
    const files = new Map<number, ArchivedFile[]>();
    const committed: number[] = [];
    const ended = new Set<number>();
    let lastRun = 0;
    const lines = readFileSync(this.manifestPath, "utf8").split("\n");
    lines.forEach((text, index) => {
      if (text.trim() === "") return;
      const line = this.parseLine(text, index + 1);
      lastRun = Math.max(lastRun, line.run);
      if (line.type === "history") history = { id: line.id, run: line.run };
      else if (line.type === "file") {
        const { type: _type, ...file } = line;
        files.set(line.run, [...(files.get(line.run) ?? []), file]);
      } else {
        ended.add(line.run);
        if (line.type === "commit") committed.push(line.run);
      }
    });
    return {
      committed: committed.map((run) => ({ run, files: files.get(run) ?? [] })),
      pending: [...files.keys()].filter((run) => !ended.has(run)),
      lastRun,
      history,
    };
  }

  /**
   * Copies a delivery into scratch space, compressing it unless it is gzip already, and checks
   * that the bytes copied are the bytes that were loaded. Runs on libuv's thread pool, so it
   * overlaps the load.
   */
  async stage(file: DeliveryFile): Promise<StagedObject> {
    mkdirSync(join(this.dir, "tmp"), { recursive: true });
    const tempPath = join(this.dir, "tmp", `${String(process.pid)}-${randomSuffix()}.gz`);
    try {
      const stored = storedAs(file);
      const sha256 = await copyFile(file.path, tempPath, { compress: stored === "gzip" });
      return { sha256, stored, tempPath };
    } catch (error) {
      await rm(tempPath, { force: true });
      throw new StackhouseError(
        "ARCHIVE",
        `${file.path}: cannot copy into the landing archive ${this.dir}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Checks one archived file against the sha256 it was archived under, without loading it:
   * `missing` when its object is gone, `damaged` when its content no longer matches.
   */
  async verify(file: ArchivedFile): Promise<"ok" | "missing" | "damaged"> {
    const path = this.objectPath(file.sha256);
    if (!existsSync(path)) return "missing";
    const hash = createHash("sha256");
    try {
      const source = createReadStream(path);
      await (file.stored === "gzip"
        ? pipeline(source, createGunzip(), hash)
        : pipeline(source, hash));
    } catch {
      return "damaged";
    }
    return hash.digest("hex") === file.sha256 ? "ok" : "damaged";
  }

  /** Moves staged objects into place and lists the run's files; call before the warehouse commits. */
  async publish(
    files: readonly ArchivedFile[],
    staged: readonly StagedObject[],
    history?: HistoryMark,
  ): Promise<Publication> {
    const publication = { manifestBytes: this.manifestBytes(), placed: [] as string[] };
    try {
      mkdirSync(join(this.dir, "objects"), { recursive: true });
      for (const object of staged) {
        const target = this.objectPath(object.sha256);
        if (existsSync(target)) await rm(object.tempPath, { force: true });
        else {
          await rename(object.tempPath, target);
          publication.placed.push(target);
        }
      }
      syncPath(join(this.dir, "objects"));
      const mark: ManifestLine[] = history === undefined ? [] : [{ type: "history", ...history }];
      this.append([...mark, ...files.map((file) => ({ type: "file" as const, ...file }))]);
      return publication;
    } catch (error) {
      await this.unpublish(publication);
      throw error;
    }
  }

  /**
   * Takes back a publication whose warehouse transaction then failed (a full disk at commit, say),
   * so a failed run leaves the archive exactly as it was. A run that is killed instead is settled
   * by the next one ({@link markAborted}).
   */
  async unpublish(publication: Publication): Promise<void> {
    if (existsSync(this.manifestPath)) truncateSync(this.manifestPath, publication.manifestBytes);
    await Promise.all(publication.placed.map((path) => rm(path, { force: true })));
  }

  private manifestBytes(): number {
    return existsSync(this.manifestPath) ? statSync(this.manifestPath).size : 0;
  }

  /** Records that a run's warehouse transaction committed. */
  markCommitted(run: number): void {
    this.append([{ type: "commit", run }]);
  }

  /** Records that a listed run never committed, so a rebuild skips it. */
  markAborted(run: number): void {
    this.append([{ type: "abort", run }]);
  }

  /** Removes copies staged by a run that was killed before it could publish or discard them. */
  async clearScratch(): Promise<void> {
    await rm(join(this.dir, "tmp"), { recursive: true, force: true });
  }

  /** Drops staged copies of a run that failed, and the scratch folders if that empties them. */
  async discard(staged: readonly StagedObject[]): Promise<void> {
    await Promise.all(staged.map((object) => rm(object.tempPath, { force: true })));
    for (const folder of [join(this.dir, "tmp"), this.dir]) {
      await rmdir(folder).catch(() => undefined);
    }
  }

  private append(lines: readonly ManifestLine[]): void {
    if (lines.length === 0) return;
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(this.manifestPath, "a");
    try {
      writeSync(fd, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private parseLine(text: string, lineNumber: number): ManifestLine {
    try {
      const line = JSON.parse(text) as ManifestLine;
      if (typeof line.run !== "number") throw new Error("no run number");
      return line;
    } catch (error) {
      throw new StackhouseError(
        "ARCHIVE",
        `${this.manifestPath}: line ${lineNumber} is damaged: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}
