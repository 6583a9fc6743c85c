import { basename } from "node:path";
import type { DeliveryKind } from "../model/kinds.js";
import { classifyDelivery } from "./classify-delivery.js";
import { deliveryName, inputError, type DeliveryFile } from "./read-delivery.js";
import { sevenZipMembers } from "./seven-zip.js";

/** The deliveries inside a site's 7z archive, and the names of the files in it that are not. */
export interface DumpMembers {
  readonly deliveries: readonly (readonly [DeliveryKind, DeliveryFile])[];
  readonly skipped: readonly string[];
}

/**
 * Finds the posts and votes files in a site's 7z data dump by name (`Posts.xml`, `Votes.xml`,
 * in any case and with any extension) and checks each by its content; the other files
 * (`Users.xml`, `Comments.xml`, …) are skipped and named. Refused: an archive without either, and
 * one with two files of a kind (every member shares the archive's identity, so the second would
 * pass for already loaded).
 *
 * @example
 * const { deliveries, skipped } = await dumpMembers(await inspectDelivery("devops.stackexchange.com.7z"));
 * // deliveries: [["posts", { member: "Posts.xml", … }], ["votes", { member: "Votes.xml", … }]]
 */
export async function dumpMembers(archive: DeliveryFile): Promise<DumpMembers> {
  const members = await sevenZipMembers(archive.path);
  const deliveries: (readonly [DeliveryKind, DeliveryFile])[] = [];
  const skipped: string[] = [];
  for (const { name, sizeBytes } of members) {
    const named = kindNamed(name);
    if (named === undefined) {
      skipped.push(name);
      continue;
    }
    const file: DeliveryFile = { path: archive.path, sizeBytes, gzip: false, member: name };
    const twin = deliveries.find(([kind]) => kind === named)?.[1].member;
    if (twin !== undefined) {
      throw inputError(
        archive.path,
        `this 7z archive holds two ${named} files (${twin} and ${name}); a site's dump has one of each`,
      );
    }
    const held = await classifyDelivery(file);
    if (held !== named) {
      throw inputError(deliveryName(file), `is named for ${named} but holds ${held}`);
    }
    deliveries.push([named, file]);
  }
  if (deliveries.length === 0) {
    const held = members.length === 0 ? "nothing" : members.map((each) => each.name).join(", ");
    throw inputError(
      archive.path,
      `this 7z archive holds no Posts or Votes file (it holds ${held})`,
    );
  }
  return { deliveries, skipped };
}

/**
 * The kind a file's name says it holds: its name before the first dot is `posts` or `votes`, in
 * any case (`Posts.xml`, `votes.json.gz`); anything else says nothing.
 *
 * @example
 * kindNamed("dump/Votes.xml"); // "votes"
 * kindNamed("PostHistory.xml"); // undefined
 */
export function kindNamed(member: string): DeliveryKind | undefined {
  const stem = basename(member).split(".")[0]?.toLowerCase();
  return stem === "posts" || stem === "votes" ? stem : undefined;
}
