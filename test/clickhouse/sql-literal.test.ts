import { describe, expect, it } from "vitest";
import { sqlInteger, sqlString } from "../../src/clickhouse/sql-literal.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { StackhouseError } from "../../src/errors.js";

describe("ClickHouse literals and targets", () => {
  it("escapes every character that could end or bend a string literal", () => {
    expect(sqlString("plain")).toBe("'plain'");
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString("back\\slash")).toBe("'back\\\\slash'");
    expect(sqlString("a\nb\tc\rd\0e")).toBe("'a\\nb\\tc\\rd\\0e'");
    expect(sqlString("'); DROP TABLE votes; --")).toBe("'\\'); DROP TABLE votes; --'");
  });

  it("embeds only integers as numbers", () => {
    expect(sqlInteger(42)).toBe("42");
    expect(sqlInteger(-9223372036854775808n)).toBe("-9223372036854775808");
    expect(() => sqlInteger(1.5)).toThrow(RangeError);
    expect(() => sqlInteger(Number.NaN)).toThrow(RangeError);
  });

  it("parses targets and refuses names that are not plain identifiers", () => {
    expect(
      parseTarget("clickhouse://127.0.0.1:8123,127.0.0.1:8124/stackhouse?cluster=two"),
    ).toEqual({
      hosts: ["http://127.0.0.1:8123", "http://127.0.0.1:8124"],
      database: "stackhouse",
      cluster: "two",
    });
    expect(parseTarget("clickhouse://localhost:8123/w").cluster).toBeUndefined();
    for (const bad of [
      "clickhouse://h:1/db;drop",
      "http://h:1/db",
      "clickhouse://h:1/db?cluster=a b",
      "clickhouse:///db",
    ]) {
      expect(() => parseTarget(bad), bad).toThrow(StackhouseError);
    }
    // Without a cluster the target is one server: a second one would hold nothing.
    expect(() => parseTarget("clickhouse://h:1,h:2/db")).toThrow(
      "clickhouse://h:1,h:2/db: 2 servers without ?cluster=NAME; name the cluster whose shards they are, or give one server",
    );
  });
});
