import { describe, expect, it } from "vitest";
import { splitTags } from "../../src/load/split-tags.js";

describe("splitTags", () => {
  it("splits both delivered forms and drops duplicates", () => {
    expect(splitTags("<docker><kubernetes>")).toEqual(["docker", "kubernetes"]);
    expect(splitTags("|docker|kubernetes|")).toEqual(["docker", "kubernetes"]);
    expect(splitTags("<a><a><c++>")).toEqual(["a", "c++"]);
  });

  it("gives no tags for none", () => {
    expect(splitTags(null)).toEqual([]);
    expect(splitTags("")).toEqual([]);
  });
});
