import { describe, expect, it } from "vitest";
import { DUPLICATE_COPIES, postRecords, toSupplierJson } from "../../tools/generate/index.js";
import { TAGS } from "../../tools/generate/vocabulary.js";

const POST_KEY_ORDER = [
  "Id",
  "PostTypeId",
  "AcceptedAnswerId",
  "ParentId",
  "CreationDate",
  "Score",
  "ViewCount",
  "Body",
  "OwnerUserId",
  "OwnerDisplayName",
  "LastEditorUserId",
  "LastEditorDisplayName",
  "LastEditDate",
  "LastActivityDate",
  "Title",
  "Tags",
  "AnswerCount",
  "CommentCount",
  "FavoriteCount",
  "ClosedDate",
  "CommunityOwnedDate",
  "ContentLIcense",
];
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/;

const POST_IDS = 3000;
const withCopies = [...postRecords({ posts: POST_IDS, votes: 0, seed: 11 })];
const posts = [...new Map(withCopies.map((post) => [post.Id, post])).values()];
const byId = new Map(posts.map((post) => [post.Id, post]));
const questions = posts.filter((post) => post.PostTypeId === "1");
const answers = posts.filter((post) => post.PostTypeId === "2");
const edited = posts.filter((post) => post.LastEditDate !== undefined);

function share(part: number, whole: number): number {
  return part / whole;
}

describe("generated posts", () => {
  it("keeps the supplier's key order, with its ContentLIcense spelling", () => {
    const misordered = posts.filter((post) => {
      const keys = Object.keys(post);
      return keys.join() !== POST_KEY_ORDER.filter((key) => keys.includes(key)).join();
    });
    expect(misordered).toEqual([]);
    expect(posts.filter((post) => !/^CC BY-SA [34]\.0$/.test(post.ContentLIcense ?? ""))).toEqual(
      [],
    );
    expect(posts.filter((post) => "ContentLicense" in post)).toEqual([]);
  });

  it("always has the required fields and well-formed timestamps", () => {
    const required = ["Id", "PostTypeId", "CreationDate", "Score", "Body", "LastActivityDate"];
    expect(posts.filter((post) => required.some((key) => post[key] === undefined))).toEqual([]);
    expect(posts.filter((post) => !/^\d+$/.test(post.CommentCount ?? ""))).toEqual([]);
    const dated = [
      "CreationDate",
      "LastEditDate",
      "LastActivityDate",
      "ClosedDate",
      "CommunityOwnedDate",
    ];
    const badDates = posts.filter((post) =>
      dated.some((key) => post[key] !== undefined && !TIMESTAMP.test(post[key])),
    );
    expect(badDates).toEqual([]);
  });

  it("repeats exactly one post 40 times, consecutively", () => {
    const counts = new Map<string, number>();
    for (const post of withCopies) {
      counts.set(post.Id ?? "", (counts.get(post.Id ?? "") ?? 0) + 1);
    }
    const repeated = [...counts].filter(([, count]) => count > 1);
    expect(repeated).toEqual([[expect.any(String), DUPLICATE_COPIES]]);
    const first = withCopies.findIndex((post) => post.Id === repeated[0]?.[0]);
    const run = withCopies.slice(first, first + DUPLICATE_COPIES);
    expect(new Set(run.map((post) => JSON.stringify(post))).size).toBe(1);
  });

  it("leaves about 10% of post ids out (deleted posts)", () => {
    expect(share(POST_IDS - posts.length, POST_IDS)).toBeGreaterThan(0.07);
    expect(share(POST_IDS - posts.length, POST_IDS)).toBeLessThan(0.13);
  });

  it("is mostly questions and answers, with a few tag wikis", () => {
    expect(share(questions.length + answers.length, posts.length)).toBeGreaterThan(0.95);
    for (const type of ["4", "5"]) {
      const count = posts.filter((post) => post.PostTypeId === type).length;
      expect(count).toBeGreaterThan(0);
      expect(share(count, posts.length)).toBeLessThan(0.015);
    }
  });

  it("raises ids with creation time; activity never precedes creation or the last edit", () => {
    const outOfOrder = posts.filter((post, i) => {
      const previous = posts[i - 1];
      return previous !== undefined && (post.CreationDate ?? "") < (previous.CreationDate ?? "");
    });
    expect(outOfOrder).toEqual([]);
    const activityTooEarly = posts.filter((post) => {
      const activity = post.LastActivityDate ?? "";
      return activity < (post.CreationDate ?? "") || activity < (post.LastEditDate ?? "");
    });
    expect(activityTooEarly).toEqual([]);
  });

  it("gives questions a title, 1 to 5 known tags and an answer count; answers none", () => {
    const badQuestions = questions.filter((question) => {
      const tags = (question.Tags ?? "").slice(1, -1).split("><");
      return (
        !question.Title ||
        !/^(<[a-z0-9-]+>){1,5}$/.test(question.Tags ?? "") ||
        new Set(tags).size !== tags.length ||
        tags.some((tag) => !TAGS.includes(tag)) ||
        !/^\d+$/.test(question.AnswerCount ?? "")
      );
    });
    expect(badQuestions).toEqual([]);
    const questionOnly = ["Title", "Tags", "ViewCount", "AnswerCount", "AcceptedAnswerId"];
    expect(answers.filter((answer) => questionOnly.some((key) => key in answer))).toEqual([]);
    expect(
      share(questions.filter((q) => q.ViewCount !== undefined).length, questions.length),
    ).toBeGreaterThan(0.9);
  });

  it("points every answer at an earlier delivered question, and counts answers right", () => {
    const answerCounts = new Map<string, number>();
    const orphans = answers.filter((answer) => {
      const parent = byId.get(answer.ParentId ?? "");
      return parent?.PostTypeId !== "1" || Number(parent.Id) >= Number(answer.Id);
    });
    expect(orphans).toEqual([]);
    for (const answer of answers) {
      answerCounts.set(answer.ParentId ?? "", (answerCounts.get(answer.ParentId ?? "") ?? 0) + 1);
    }
    const miscounted = questions.filter(
      (question) => Number(question.AnswerCount) !== (answerCounts.get(question.Id ?? "") ?? 0),
    );
    expect(miscounted).toEqual([]);
  });

  it("points AcceptedAnswerId at a delivered answer of that very question", () => {
    const accepting = questions.filter((question) => question.AcceptedAnswerId !== undefined);
    expect(share(accepting.length, questions.length)).toBeGreaterThan(0.2);
    const wrong = accepting.filter((question) => {
      const accepted = byId.get(question.AcceptedAnswerId ?? "");
      return accepted?.PostTypeId !== "2" || accepted.ParentId !== question.Id;
    });
    expect(wrong).toEqual([]);
  });

  it("often writes an empty LastEditorDisplayName on edited posts", () => {
    const emptyName = edited.filter((post) => post.LastEditorDisplayName === "");
    expect(share(emptyName.length, edited.length)).toBeGreaterThan(0.4);
    expect(toSupplierJson(emptyName.slice(0, 1))).toContain('"LastEditorDisplayName":""');
    expect(edited.every((post) => post.LastEditorUserId ?? post.LastEditorDisplayName)).toBe(true);
  });

  it("has the rarer owner quirks: display name instead of id, the Community user", () => {
    const nameOnly = posts.filter((p) => p.OwnerUserId === undefined && p.OwnerDisplayName);
    expect(nameOnly.length).toBeGreaterThan(0);
    expect(posts.some((post) => post.OwnerUserId === "-1")).toBe(true);
    expect(posts.some((post) => Number(post.Score) < 0)).toBe(true);
    expect(questions.some((question) => question.ClosedDate !== undefined)).toBe(true);
    expect(questions.some((question) => question.FavoriteCount !== undefined)).toBe(true);
    expect(posts.some((post) => post.CommunityOwnedDate !== undefined)).toBe(true);
  });

  it("writes HTML bodies of varied size with non-ASCII text and characters JSON must escape", () => {
    const sizes = posts
      .map((post) => Buffer.byteLength(post.Body ?? ""))
      .filter((size) => size > 0);
    expect(Math.min(...sizes)).toBeLessThan(100);
    expect(Math.max(...sizes)).toBeGreaterThan(2000);
    const bodies = posts.map((post) => post.Body ?? "").join("");
    expect(bodies).toContain("<p>");
    expect(bodies).toContain("<code>");
    expect(bodies).toMatch(/[é\u00fc—]/u);
    expect(bodies).toMatch(/\p{Extended_Pictographic}/u);
    expect(bodies).toMatch(/[\u4e00-\u9fff]/u);
    const json = toSupplierJson(posts);
    for (const escaped of ['\\"', "\\\\", "\\n", "\\t", "&lt;", "&quot;", 'rel=\\"nofollow']) {
      expect(json).toContain(escaped);
    }
  });

  it("writes question and answer bodies as long as the real dump's: a mean near 1.5 KB, a long tail", () => {
    const escaped = [...questions, ...answers]
      .map((post) => JSON.stringify(post.Body ?? "").length)
      .sort((a, b) => a - b);
    const mean = escaped.reduce((sum, size) => sum + size, 0) / escaped.length;
    const median = escaped[Math.floor(escaped.length / 2)] ?? 0;
    expect(mean).toBeGreaterThan(1_300);
    expect(mean).toBeLessThan(2_000);
    expect(median).toBeGreaterThan(900);
    expect(median).toBeLessThan(mean);
    expect(escaped.filter((size) => size > 8_000).length).toBeGreaterThan(0);
    const withEscapes = [...questions, ...answers].filter((post) =>
      /["\\\t]/.test(post.Body ?? ""),
    );
    expect(share(withEscapes.length, questions.length + answers.length)).toBeGreaterThan(0.5);
  });

  it("licenses content by the date of its latest revision", () => {
    const wrong = posts.filter((post) => {
      const revised = post.LastEditDate ?? post.CreationDate ?? "";
      return post.ContentLIcense !== (revised < "2018-05-02" ? "CC BY-SA 3.0" : "CC BY-SA 4.0");
    });
    expect(wrong).toEqual([]);
    expect(new Set(posts.map((post) => post.ContentLIcense)).size).toBe(2);
  });
});
