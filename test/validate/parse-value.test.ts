import { describe, expect, it } from "vitest";
import type { Field } from "../../src/model/field.js";
import { parseValue, Refusal } from "../../src/validate/parse-value.js";

const refused = (reason: string) => new Refusal(reason);
const accepted = (result: unknown): boolean => !(result instanceof Refusal);

const field = (type: Field["type"], maxLength?: number): Field => ({
  key: "K",
  column: "k",
  type,
  required: false,
  description: "",
  ...(maxLength === undefined ? {} : { maxLength }),
});

describe("parseValue", () => {
  it("accepts canonical integers, including JSON numbers and 64-bit values", () => {
    expect(parseValue(field("integer"), "-3")).toEqual(-3);
    expect(parseValue(field("integer"), "0")).toEqual(0);
    expect(parseValue(field("integer"), 42)).toEqual(42);
    expect(parseValue(field("integer"), "9223372036854775807")).toEqual(9223372036854775807n);
    expect(parseValue(field("integer"), "9007199254740991")).toEqual(9007199254740991);
  });

  it("refuses what is not exactly an integer, naming the field and the value", () => {
    for (const raw of ["", " 1", "1.0", "+1", "007", "1e3", "0x10", "-0", 1.5, true]) {
      const result = parseValue(field("integer"), raw);
      expect(result, String(raw)).toBeInstanceOf(Refusal);
    }
    expect(parseValue(field("integer"), "12a")).toEqual(refused('K: "12a" is not an integer'));
    expect(parseValue(field("integer"), "9223372036854775808")).toEqual(
      refused('K: "9223372036854775808" is outside the 64-bit integer range'),
    );
    expect(parseValue(field("integer"), JSON.parse("9007199254740993"))).toEqual(
      refused(
        "K: a JSON number beyond 2^53, which JSON readers round (to 9007199254740992); send it as a string",
      ),
    );
  });

  it("keeps ids positive and counts non-negative", () => {
    expect(accepted(parseValue(field("id"), "0"))).toBe(false);
    expect(accepted(parseValue(field("id"), "-1"))).toBe(false);
    expect(accepted(parseValue(field("id"), "1"))).toBe(true);
    expect(accepted(parseValue(field("count"), "-1"))).toBe(false);
    expect(accepted(parseValue(field("count"), "0"))).toBe(true);
  });

  it("accepts real timestamps in the delivered format and keeps them as text", () => {
    expect(parseValue(field("timestamp"), "2020-02-29T23:59:59.999")).toEqual(
      "2020-02-29T23:59:59.999",
    );
    for (const raw of [
      "2019-02-29T00:00:00.000",
      "2021-13-01T00:00:00.000",
      "2021-01-01T24:00:00.000",
      "2021-01-01T00:60:00.000",
      "2021-01-01 00:00:00.000",
      "2021-01-01T00:00:00",
      "2021-01-01T00:00:00.000Z",
      "",
    ]) {
      expect(accepted(parseValue(field("timestamp"), raw)), raw).toBe(false);
    }
  });

  it("keeps text as delivered, empty strings included, within its size limit", () => {
    expect(parseValue(field("text"), "")).toEqual("");
    expect(parseValue(field("text", 3), "abcd")).toEqual(
      refused("K: text of 4 characters is longer than 3"),
    );
    expect(accepted(parseValue(field("text"), 5))).toBe(false);
  });
});
