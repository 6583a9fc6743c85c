import { realPath } from "../archive/warehouse-paths.js";
import { StackhouseError } from "../errors.js";
import { classifyDelivery } from "../extract/classify-delivery.js";
import { dumpMembers, kindNamed } from "../extract/dump-members.js";
import {
  deliveryName,
  inputError,
  inspectDelivery,
  type DeliveryFile,
} from "../extract/read-delivery.js";
import { DELIVERY_KINDS, KINDS, type DeliveryKind } from "../model/kinds.js";

/** The files of one run and their kinds, as `ingest` is given them. */
export interface DeliveryFiles {
  /** A posts file, checked to hold posts. */
  readonly posts?: string;
  /** A votes file, checked to hold votes. */
  readonly votes?: string;
  /** Files of either kind, each classified by its content. */
  readonly files?: readonly string[];
  /** Full snapshots: one file of a kind holds all of it. */
  readonly snapshot?: boolean;
  /** Control totals: each is for the one file of its kind. */
  readonly expectedRecords?: Partial<Record<DeliveryKind, number>>;
}

/** A run's deliveries in load order, and what the user should be told about them. */
export interface DeliveryPlan {
  readonly files: readonly (readonly [DeliveryKind, DeliveryFile])[];
  /**
   * Files in a 7z archive that were skipped (`site.7z#Users.xml skipped: …`) and files whose
   * name says another kind than their content (`Posts.xml is named for posts but holds votes …`).
   */
  readonly notes: readonly string[];
}

/**
 * Inspects and classifies a run's files, posts first, each kind in the order given. A run takes
 * one file, both kinds, or several files of a kind; a site's 7z archive gives its posts and
 * votes files (`--posts` or `--votes` take only that kind from it). Refused are none at all, one
 * file twice, and a snapshot or a control total that would be ambiguous over several files of
 * its kind.
 *
 * @example
 * (await deliveryFiles({ files: ["Votes-2.json", "Posts.json"] })).files; // [["posts", …], ["votes", …]]
 */
export async function deliveryFiles(given: DeliveryFiles): Promise<DeliveryPlan> {
  const named = DELIVERY_KINDS.flatMap((kind) => {
    const path = given[kind];
    return path === undefined ? [] : [{ kind, path }];
  });
  const unnamed = given.files ?? [];
  if (named.length + unnamed.length === 0) {
    throw new StackhouseError("USAGE", "give at least one delivery file");
  }
  const seen = new Set<string>();
  for (const path of [...named.map((each) => each.path), ...unnamed]) {
    const real = realPath(path);
    if (seen.has(real)) {
      throw new StackhouseError("USAGE", `${path} is given twice; a run loads each file once`);
    }
    seen.add(real);
  }
  const notes: string[] = [];
  const expand = async (
    path: string,
    only?: DeliveryKind,
  ): Promise<(readonly [DeliveryKind, DeliveryFile])[]> => {
    const file = await inspectDelivery(path);
    if (file.sevenZip !== true) {
      if (only !== undefined) return [[only, file]];
      const kind = await classifyDelivery(file);
      const named = kindNamed(path);
      if (named !== undefined && named !== kind) {
        notes.push(`${path} is named for ${named} but holds ${kind}: loaded as ${kind}`);
      }
      return [[kind, file]];
    }
    const members = await dumpMembers(file);
    const taken = members.deliveries.filter(([kind]) => only === undefined || kind === only);
    if (taken.length === 0) {
      throw inputError(path, `this 7z archive holds no ${String(only)} file`);
    }
    const left = members.deliveries.filter((entry) => !taken.includes(entry));
    notes.push(
      ...members.skipped.map((member) => `${path}#${member} skipped: neither posts nor votes`),
      ...left.map(
        ([kind, each]) =>
          `${deliveryName(each)} skipped: ${kind}, but only ${String(only)} asked for`,
      ),
    );
    return taken;
  };
  const files = (
    await Promise.all([
      ...named.map(async ({ kind, path }) => expand(path, kind)),
      ...unnamed.map(async (path) => expand(path)),
    ])
  ).flat();
  const held = [
    ...files.slice(0, 5).map(([kind, file]) => `${deliveryName(file)} holds ${kind}`),
    ...(files.length > 5 ? [`and ${String(files.length - 5)} more`] : []),
  ].join(", ");
  for (const kind of Object.keys(KINDS) as DeliveryKind[]) {
    const count = files.filter(([each]) => each === kind).length;
    const expected = given.expectedRecords?.[kind];
    if (expected !== undefined && count !== 1) {
      throw new StackhouseError(
        "USAGE",
        `--expect-${kind} is the count of one ${kind} file, but this run has ${count} (${held})`,
      );
    }
    if (given.snapshot === true && count > 1) {
      throw new StackhouseError(
        "USAGE",
        `--snapshot: a full snapshot of ${kind} is one file, but this run has ${count} (${held})`,
      );
    }
  }
  files.sort(([a], [b]) => Number(a === "votes") - Number(b === "votes"));
  return { files, notes };
}
