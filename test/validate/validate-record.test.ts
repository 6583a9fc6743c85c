import { describe, expect, it } from "vitest";
import type { RawRecord } from "../../src/extract/scanned-record.js";
import { KINDS } from "../../src/model/kinds.js";
import { validateBatch, validateRecord } from "../../src/validate/validate-record.js";

const vote = {
  Id: "5",
  PostId: "9",
  VoteTypeId: "8",
  UserId: "-1",
  BountyAmount: "50",
  CreationDate: "2020-01-06T00:00:00.000",
};
const post = {
  Id: "9",
  PostTypeId: "1",
  CreationDate: "2020-01-01T10:00:00.123",
  Score: "-2",
  Body: "<p>x</p>",
  LastEditorDisplayName: "",
  LastActivityDate: "2020-01-02T00:00:00.000",
  CommentCount: "0",
  ContentLIcense: "CC BY-SA 4.0",
};

function raw(value: Record<string, unknown>, number = 1): RawRecord {
  return { value, text: JSON.stringify(value), number, line: number, invalidUtf8: false };
}

describe("validateRecord", () => {
  it("turns a vote into a row in column order, absent keys as NULL", () => {
    expect(validateRecord(KINDS.votes, vote)).toEqual([5, 9, 8, -1, 50, "2020-01-06T00:00:00.000"]);
    const { UserId: _user, BountyAmount: _bounty, ...plain } = vote;
    expect(validateRecord(KINDS.votes, plain)).toEqual([
      5,
      9,
      8,
      null,
      null,
      "2020-01-06T00:00:00.000",
    ]);
  });

  it("accepts both spellings of ContentLicense and keeps empty strings", () => {
    const row = validateRecord(KINDS.posts, post);
    const license = KINDS.posts.fields.findIndex((field) => field.column === "content_license");
    const editor = KINDS.posts.fields.findIndex(
      (field) => field.column === "last_editor_display_name",
    );
    expect(Array.isArray(row) && [row[license], row[editor]]).toEqual(["CC BY-SA 4.0", ""]);
    const { ContentLIcense: license2, ...rest } = post;
    const corrected = validateRecord(KINDS.posts, { ...rest, ContentLicense: license2 });
    expect(corrected).toEqual(row);
  });

  it("refuses a record without a required key, or with a bad value, saying which", () => {
    const { CreationDate: _date, ...undated } = vote;
    expect(validateRecord(KINDS.votes, undated)).toBe("CreationDate: required but missing");
    expect(validateRecord(KINDS.votes, { ...vote, PostId: null })).toBe(
      "PostId: required but missing",
    );
    expect(validateRecord(KINDS.votes, { ...vote, VoteTypeId: "0" })).toBe(
      'VoteTypeId: "0" is not a positive id',
    );
    expect(validateRecord(KINDS.posts, { ...post, ContentLIcense: undefined })).toBe(
      "ContentLicense: required but missing",
    );
  });
});

describe("validateBatch", () => {
  it("splits rows from rejections and counts unknown keys, but not known aliases", () => {
    const unknown = new Map<string, number>();
    const result = validateBatch(
      KINDS.posts,
      [raw({ ...post, Extra: "1" }, 1), raw({ ...post, Score: "1.5", Extra: "2", Other: "" }, 2)],
      unknown,
    );
    expect(result.rows).toHaveLength(1);
    expect(
      result.rejections.map((rejection) => [rejection.record.number, rejection.reason]),
    ).toEqual([[2, 'Score: "1.5" is not an integer']]);
    expect(Object.fromEntries(unknown)).toEqual({ Extra: 2, Other: 1 });
  });

  it("refuses a field given twice, however spelt, but not a key inside a value or a nested object", () => {
    const recordWith = (members: string): RawRecord => {
      const json = `{"Id":"5","PostId":"9","VoteTypeId":"8","CreationDate":"2020-01-06T00:00:00.000"${members}}`;
      return {
        value: JSON.parse(json) as Record<string, unknown>,
        text: json,
        number: 1,
        line: 1,
        invalidUtf8: false,
      };
    };
    const result = validateBatch(
      KINDS.votes,
      [
        recordWith(',"Note":"\\",\\"Id\\":","Nested":{"Id":"6"},"List":[{"Id":"7"}]'),
        recordWith(',"I\\u0064":"6"'),
        recordWith(',"Extra":"1","Extra":"2"'),
      ],
      new Map(),
    );
    expect(result.rows).toHaveLength(2);
    expect(result.rejections.map((rejection) => rejection.reason)).toEqual([
      "Id: given twice in one record",
    ]);
  });
});
