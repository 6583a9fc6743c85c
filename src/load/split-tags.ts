/**
 * The tags of a post, from either form the supplier uses: `<devops><docker>` or `|devops|docker|`.
 * Duplicates are dropped; order is kept. Only validated text comes here: validation quarantines
 * anything else (`<a><b`, `<a<b>>`, `<>`), so no tag is lost or made up by splitting.
 *
 * @example
 * splitTags("<docker><kubernetes>"); // ["docker", "kubernetes"]
 */
export function splitTags(tags: string | null): readonly string[] {
  if (tags === null || tags === "") return [];
  const separator = tags.startsWith("<") ? "><" : "|";
  return [...new Set(tags.slice(1, -1).split(separator))];
}
