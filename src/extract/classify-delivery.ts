import { basename } from "node:path";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import { deliveryName, inputError, readDelivery, type DeliveryFile } from "./read-delivery.js";

/**
 * Tells a posts file from a votes file by its content: the first record's keys (`PostTypeId`
 * or `VoteTypeId`). A file with no records says nothing, so its name decides ("posts" or
 * "votes" in it, in any case); a file neither tells apart is refused.
 *
 * @example
 * await classifyDelivery(await inspectDelivery("delivery-2021-09.json")); // "votes"
 */
export async function classifyDelivery(file: DeliveryFile): Promise<DeliveryKind> {
  const first = await firstRecord(file);
  if (first === undefined) {
    const byName = kindByName(file.member ?? file.path);
    if (byName !== undefined) return byName;
    throw inputError(
      deliveryName(file),
      "it holds no records, so neither its content nor its name (no 'posts' or 'votes' in it) says which kind it is",
    );
  }
  const kinds = Object.values(KINDS).filter((spec) => spec.signatureKey in first.value);
  const [only, ...others] = kinds;
  if (only !== undefined && others.length === 0) return only.kind;
  const [posts, votes] = Object.values(KINDS).map((spec) => spec.signatureKey);
  const has = kinds.length === 0 ? `neither ${posts} nor ${votes}` : `both ${posts} and ${votes}`;
  throw inputError(
    deliveryName(file),
    `line ${first.line}: record 1 has ${has}, so it is neither a posts nor a votes file`,
  );
}

async function firstRecord(
  file: DeliveryFile,
): Promise<
  { readonly value: Readonly<Record<string, unknown>>; readonly line: number } | undefined
> {
  for await (const [first] of readDelivery(file, { batchSize: 1 }).batches) {
    if (first !== undefined && "value" in first) return first;
  }
  return undefined;
}

function kindByName(path: string): DeliveryKind | undefined {
  const name = basename(path).toLowerCase();
  const named = (Object.keys(KINDS) as DeliveryKind[]).filter((kind) =>
    name.includes(kind.slice(0, -1)),
  );
  return named.length === 1 ? named[0] : undefined;
}
