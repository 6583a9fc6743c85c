import { describe, expect, it } from "vitest";
import type { Field } from "../../src/model/field.js";
import { parseValue } from "../../src/validate/parse-value.js";

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
    expect(parseValue(field("integer"), "-3")).toEqual({ ok: true, value: -3 });
    expect(parseValue(field("integer"), "0")).toEqual({ ok: true, value: 0 });
    expect(parseValue(field("integer"), 42)).toEqual({ ok: true, value: 42 });
    expect(parseValue(field("integer"), "9223372036854775807")).toEqual({
      ok: true,
      value: 9223372036854775807n,
    });
    expect(parseValue(field("integer"), "9007199254740991")).toEqual({
      ok: true,
      value: 9007199254740991,
    });
  });

  it("refuses what is not exactly an integer, naming the field and the value", () => {
    for (const raw of ["", " 1", "1.0", "+1", "007", "1e3", "0x10", "-0", 1.5, true]) {
      const result = parseValue(field("integer"), raw);
      expect(result.ok, String(raw)).toBe(false);
    }
    expect(parseValue(field("integer"), "12a")).toEqual({
      ok: false,
      reason: 'K: "12a" is not an integer',
    });
    expect(parseValue(field("integer"), "9223372036854775808")).toEqual({
      ok: false,
      reason: 'K: "9223372036854775808" is outside the 64-bit integer range',
    });
  });

  it("keeps ids positive and counts non-negative", () => {
    expect(parseValue(field("id"), "0").ok).toBe(false);
    expect(parseValue(field("id"), "-1").ok).toBe(false);
    expect(parseValue(field("id"), "1").ok).toBe(true);
    expect(parseValue(field("count"), "-1").ok).toBe(false);
    expect(parseValue(field("count"), "0").ok).toBe(true);
  });

  it("accepts real timestamps in the delivered format and keeps them as text", () => {
    expect(parseValue(field("timestamp"), "2020-02-29T23:59:59.999")).toEqual({
      ok: true,
      value: "2020-02-29T23:59:59.999",
    });
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
      expect(parseValue(field("timestamp"), raw).ok, raw).toBe(false);
    }
  });

  it("keeps text as delivered, empty strings included, within its size limit", () => {
    expect(parseValue(field("text"), "")).toEqual({ ok: true, value: "" });
    expect(parseValue(field("text", 3), "abcd")).toEqual({
      ok: false,
      reason: "K: text of 4 characters is longer than 3",
    });
    expect(parseValue(field("text"), 5).ok).toBe(false);
  });
});
