import { realPath } from "../archive/warehouse-paths.js";
import { StackhouseError } from "../errors.js";
import { classifyDelivery } from "../extract/classify-delivery.js";
import { inspectDelivery, type DeliveryFile } from "../extract/read-delivery.js";
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

/**
 * Inspects and classifies a run's files, posts first, each kind in the order given. A run takes
 * one file, both kinds, or several files of a kind; refused are none at all, one file twice, and
 * a snapshot or a control total that would be ambiguous over several files of its kind.
 *
 * @example
 * await deliveryFiles({ files: ["Votes-2.json", "Posts.json"] }); // [["posts", …], ["votes", …]]
 */
export async function deliveryFiles(
  given: DeliveryFiles,
): Promise<(readonly [DeliveryKind, DeliveryFile])[]> {
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
  const files = await Promise.all([
    ...named.map(async ({ kind, path }) => [kind, await inspectDelivery(path)] as const),
    ...unnamed.map(async (path) => {
      const file = await inspectDelivery(path);
      return [await classifyDelivery(file), file] as const;
    }),
  ]);
  for (const kind of Object.keys(KINDS) as DeliveryKind[]) {
    const count = files.filter(([each]) => each === kind).length;
    const expected = given.expectedRecords?.[kind];
    if (expected !== undefined && count !== 1) {
      throw new StackhouseError(
        "USAGE",
        `--expect-${kind} is the count of one ${kind} file, but this run has ${count}`,
      );
    }
    if (given.snapshot === true && count > 1) {
      throw new StackhouseError(
        "USAGE",
        `--snapshot: a full snapshot of ${kind} is one file, but this run has ${count}`,
      );
    }
  }
  return files.sort(([a], [b]) => Number(a === "votes") - Number(b === "votes"));
}
