import { describe, expect, it } from "vitest";
import { asClickHouseError, serverMessage } from "../../src/clickhouse/clickhouse-connection.js";
import { StackhouseError } from "../../src/errors.js";

describe("a ClickHouse server's error, as stackhouse prints it", () => {
  it("keeps the cause a distributed query gives after its first line, on one line", () => {
    const error = new Error(
      "Code: 279, e.displayText() = DB::NetException: All connection tries failed. Log: \n\nThere is no table s1.t_local on server: 127.0.0.1:19001\n\n, e.what() = DB::NetException\n",
    );
    expect(serverMessage(error)).toBe(
      "Code: 279, e.displayText() = DB::NetException: All connection tries failed. Log: There is no table s1.t_local on server: 127.0.0.1:19001 , e.what() = DB::NetException",
    );
  });

  it("leaves out a stack trace, and names the server", () => {
    const error = new Error(
      "Code: 60. DB::Exception: Table s.x does not exist. (UNKNOWN_TABLE)\nStack trace:\n0. DB::Exception::Exception()\n1. ...\n",
    );
    const named = asClickHouseError("http://127.0.0.1:8123", error);
    expect(named).toBeInstanceOf(StackhouseError);
    expect((named as StackhouseError).message).toBe(
      "ClickHouse http://127.0.0.1:8123: Code: 60. DB::Exception: Table s.x does not exist. (UNKNOWN_TABLE)",
    );
  });
});
