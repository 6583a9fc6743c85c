import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFlatRecord, flatPlan } from "../../src/extract/flat-record.js";
import { KINDS, type DeliveryKind } from "../../src/model/kinds.js";
import { timeWindow } from "../../src/validate/parse-value.js";
import { validateBatch } from "../../src/validate/validate-record.js";
import { records } from "../helpers/deliveries.js";

/** A run on 1 January 2025: after all generated data, so "later than the run" is fixed. */
const window = timeWindow(Date.UTC(2025, 0, 1));
const plans = { posts: flatPlan(KINDS.posts, window), votes: flatPlan(KINDS.votes, window) };

function fast(kind: DeliveryKind, text: string | Buffer): unknown {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return decodeFlatRecord(plans[kind], bytes, 0, bytes.length);
}

/** What the exact path makes of a record's text: a row, a refusal reason, or "invalid JSON". */
function exact(kind: DeliveryKind, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "invalid JSON";
  }
  const record = { value: value as Record<string, unknown>, text, number: 1, line: 1 };
  const { rows, rejections } = validateBatch(
    KINDS[kind],
    [{ ...record, invalidUtf8: false }],
    new Map(),
    window,
  );
  return rows[0] ?? rejections[0]?.reason;
}

const vote = (extra: string): string =>
  `{"Id":"1","PostId":"2","VoteTypeId":"2"${extra},"CreationDate":"2021-09-04T00:00:00.000"}`;

describe("decodeFlatRecord", () => {
  it("decodes every generated record, each to the row the exact path gives", () => {
    for (const kind of ["posts", "votes"] as const) {
      for (const record of records(2)[kind]) {
        const text = JSON.stringify(record);
        const row = fast(kind, text);
        expect(row, text).toBeDefined();
        expect(row).toEqual(exact(kind, text));
      }
    }
  });

  it("decodes escapes, non-ASCII text, spacing and the misspelt licence key exactly", () => {
    const post = (body: string, extra = ""): string =>
      `{ "Id" : "5", "PostTypeId":"1","CreationDate":"2020-01-01T00:00:00.000","Score":"-3",\r\n` +
      `"Body":${body},"LastActivityDate":"2020-01-02T00:00:00.000","CommentCount":"0"${extra}}`;
    const licensed = ',"ContentLicense":"CC BY-SA 4.0"';
    for (const text of [
      post('"<p>a \\"quote\\" and a\\nnew line \\u00e9 \\ud83d\\ude00</p>"', licensed),
      post('"café ☕ 😀"', licensed),
      post('""', ',"ContentLIcense":"CC BY-SA 4.0"'),
      post('""', `,"OwnerUserId":"-1","LastEditorDisplayName":""${licensed}`),
    ]) {
      const row = fast("posts", text);
      expect(row, text).toBeDefined();
      expect(row).toEqual(exact("posts", text));
    }
  });

  it("leaves to the exact path whatever it does not fully understand", () => {
    const declined = [
      vote(',"Extra":"x"'), // a key the pipeline does not know (schema drift is counted there)
      vote(',"Id":"1"'), // a repeated key
      vote(',"UserId":null'), // a value that is not a string
      vote(',"UserId":7'),
      vote(',"UserId":"12345678901234567"'), // beyond 15 digits: may need a bigint
      vote(',"UserId":"-0"'),
      vote(',"UserId":"007"'),
      vote(',"UserId":"1.5"'),
      vote(',"BountyAmount":"-5"'), // refused: the exact path gives the reason
      vote(',"UserId":"\\u0031"'), // an escape in a number
      '{"Id":"1","PostId":"2","VoteTypeId":"0","CreationDate":"2021-09-04T00:00:00.000"}',
      '{"Id":"1","PostId":"2","VoteTypeId":"2","CreationDate":"2021-02-29T00:00:00.000"}',
      '{"Id":"1","PostId":"2","VoteTypeId":"2"}', // a required key missing
      '{"Id":"1","PostId":"2","VoteTypeId":"2","CreationDate":"2021-09-04T00:00:00.000",}',
      '{"Id":"1","PostId":"2","VoteTypeId":"2","CreationDate":"2021-09-04T00:00:00.000"} ',
      "{}",
    ];
    for (const text of declined) expect(fast("votes", text), text).toBeUndefined();

    const post = (body: string): string =>
      `{"Id":"5","PostTypeId":"1","CreationDate":"2020-01-01T00:00:00.000","Score":"1","Body":${body},"LastActivityDate":"2020-01-02T00:00:00.000","CommentCount":"0","ContentLicense":"CC0"}`;
    expect(fast("posts", post('"x"'))).toBeDefined();
    expect(fast("posts", post('"a\tb"'))).toBeUndefined(); // a raw control character
    expect(fast("posts", post('"bad \\x escape"'))).toBeUndefined();
    expect(
      fast("posts", post('"x"').replace('"Body"', '"ContentLIcense":"b","Body"')),
    ).toBeUndefined();
    const invalidUtf8 = Buffer.concat([
      Buffer.from(post('"a').slice(0, -1)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(fast("posts", invalidUtf8)).toBeUndefined();
  });

  it("never disagrees with the exact path (property)", () => {
    const voteKeys = ["Id", "PostId", "VoteTypeId", "UserId", "BountyAmount", "CreationDate", "X"];
    const value = fc.oneof(
      fc.constantFrom("1", "0", "-1", "42", "007", "-0", "9007199254740993", "", " 1"),
      fc.integer().map(String),
      fc.constantFrom("2021-09-04T00:00:00.000", "2021-02-29T00:00:00.000", "2021-09-04"),
      fc.string(),
      fc.constant(null),
      fc.integer(),
    );
    const valid: [string, unknown][] = [
      ["Id", "1"],
      ["PostId", "2"],
      ["VoteTypeId", "2"],
      ["CreationDate", "2021-09-04T00:00:00.000"],
    ];
    const record = fc
      .tuple(
        fc.subarray(valid, { minLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom(...voteKeys), value), { maxLength: 3 }),
      )
      .map(([kept, changed]) => [...kept, ...changed]);
    let decoded = 0;
    fc.assert(
      fc.property(record, (pairs) => {
        const text = `{${pairs.map(([key, v]) => `${JSON.stringify(key)}:${JSON.stringify(v)}`).join(",")}}`;
        const row = fast("votes", text);
        if (row === undefined) return;
        decoded++;
        expect(row).toEqual(exact("votes", text));
      }),
      { numRuns: 2000 },
    );
    expect(decoded).toBeGreaterThan(100);
  });

  it("agrees with the exact path on lone surrogates, repeated keys, tags and the time window", () => {
    const post = (extra: string, created = "2020-01-01T00:00:00.000"): string =>
      `{"Id":"5","PostTypeId":"1","CreationDate":"${created}","Score":"1","Body":"b",` +
      `"LastActivityDate":"2020-01-02T00:00:00.000","CommentCount":"0","ContentLicense":"CC0"${extra}}`;
    const refused: [string, string][] = [
      [
        post(',"Title":"a\\ud800b"'),
        'Title: contains a lone surrogate "\\ud800", which is not valid Unicode',
      ],
      [
        post(',"Title":"\\udc00"'),
        'Title: contains a lone surrogate "\\udc00", which is not valid Unicode',
      ],
      [post(',"Id":"6"'), "Id: given twice in one record"],
      [
        post(',"ContentLIcense":"CC BY-SA 4.0"'),
        "ContentLicense: given twice in one record (as ContentLicense and ContentLIcense)",
      ],
      [post(',"Tags":"<a><b"'), 'Tags: "<a><b" is not a list of tags like <a><b> or |a|b|'],
      [post(',"Tags":"<a<b>>"'), 'Tags: "<a<b>>" is not a list of tags like <a><b> or |a|b|'],
      [post(',"Tags":"<>"'), 'Tags: "<>" is not a list of tags like <a><b> or |a|b|'],
      [post(',"Tags":"a"'), 'Tags: "a" is not a list of tags like <a><b> or |a|b|'],
      [post(',"Tags":"|a||b|"'), 'Tags: "|a||b|" is not a list of tags like <a><b> or |a|b|'],
      [
        post("", "0001-01-01T00:00:00.000"),
        'CreationDate: "0001-01-01T00:00:00.000" is before 2008-01-01, when Stack Exchange began',
      ],
      [
        post("", "2007-12-31T23:59:59.999"),
        'CreationDate: "2007-12-31T23:59:59.999" is before 2008-01-01, when Stack Exchange began',
      ],
      [
        post(',"ClosedDate":"9999-12-31T00:00:00.000"'),
        'ClosedDate: "9999-12-31T00:00:00.000" is later than the time of the run (2025-01-01T00:00:00.000)',
      ],
    ];
    for (const [text, reason] of refused) {
      expect(fast("posts", text), text).toBeUndefined();
      expect(exact("posts", text), text).toBe(reason);
    }
    for (const text of [
      post(',"Title":"\\ud83d\\ude00 \\uD7FF \\u00e9"'), // a pair, and escapes near the range
      post(',"Tags":"<a><c++>"'),
      post(',"Tags":"|a|b|"'),
      post(',"Tags":""'),
      post("", "2008-01-01T00:00:00.000"),
      post(',"ClosedDate":"2025-01-01T00:00:00.000"'),
    ]) {
      const row = fast("posts", text);
      expect(row, text).toBeDefined();
      expect(row).toEqual(exact("posts", text));
    }
  });

  it("never disagrees with the exact path on text and dates (property)", () => {
    const text = fc.oneof(
      fc.constantFrom("<a><b>", "<a><b", "<a<b>>", "|a|b|", "||", "", "a\ud800", "\udfff", "😀"),
      fc.string({ unit: "binary", maxLength: 6 }),
    );
    const date = fc.constantFrom(
      "2007-12-31T23:59:59.999",
      "2008-01-01T00:00:00.000",
      "2024-12-31T23:59:59.999",
      "2025-01-01T00:00:00.001",
      "9999-12-31T00:00:00.000",
    );
    let decoded = 0;
    fc.assert(
      fc.property(text, text, date, (tags, title, created) => {
        const record = JSON.parse(
          `{"Id":"5","PostTypeId":"1","CreationDate":"2020-01-01T00:00:00.000","Score":"1","Body":"b","LastActivityDate":"2020-01-02T00:00:00.000","CommentCount":"0","ContentLicense":"CC0"}`,
        ) as Record<string, unknown>;
        const json = JSON.stringify({ ...record, Tags: tags, Title: title, ClosedDate: created });
        const row = fast("posts", json);
        if (row === undefined) return;
        decoded++;
        expect(row).toEqual(exact("posts", json));
      }),
      { numRuns: 2000 },
    );
    expect(decoded).toBeGreaterThan(50);
  });
});
