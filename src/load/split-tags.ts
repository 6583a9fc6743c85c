/**
 * The tags of a post, from either form the supplier uses: `<devops><docker>` or `|devops|docker|`.
 * Duplicates are dropped; order is kept.
 *
 * @example
 * splitTags("<docker><kubernetes>"); // ["docker", "kubernetes"]
 */
export function splitTags(tags: string | null): readonly string[] {
  if (tags === null || tags === "") return [];
  const parts = tags.startsWith("<")
    ? Array.from(tags.matchAll(/<([^<>]+)>/g), (match) => match[1] ?? "")
    : tags.split("|");
  return [...new Set(parts.filter((tag) => tag !== ""))];
}
