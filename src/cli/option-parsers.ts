import { InvalidArgumentError } from "commander";
import { parseShare } from "../validate/reject-threshold.js";

/** Parses a count option such as `--limit` or `--weeks`, where 0 means "all". */
export function wholeNumber(unit: string): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text)) {
      throw new InvalidArgumentError(`give a whole number of ${unit} (0 for all).`);
    }
    return Number(text);
  };
}

/** Parses `--max-rejected`: `5%` or `0.05`. */
export function shareOfRecords(text: string): number {
  const share = parseShare(text);
  if (share === undefined) {
    throw new InvalidArgumentError(
      "give a percentage like 5% or a fraction like 0.05, from 0 to 1.",
    );
  }
  return share;
}

/** Parses a control total such as `--expect-votes`: an exact number of records, 0 included. */
export function recordCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count)) {
    throw new InvalidArgumentError("give the exact number of records the file holds.");
  }
  return count;
}

/** Parses a time limit such as `--timeout`: seconds, 0 for none. */
export function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new InvalidArgumentError("give a number of seconds (0 for no limit).");
  }
  return Number(text);
}

/** Parses a TCP port: 0 to 65535, 0 for any free one. */
export function port(text: string): number {
  const number = Number(text);
  if (!/^\d+$/.test(text) || number > 65535) {
    throw new InvalidArgumentError("give a port from 1 to 65535 (0 for any free one).");
  }
  return number;
}

/** Parses `--page-rows`: a page of 1 to 10,000 rows, which the server holds whole while it sends it. */
export function pageRows(text: string): number {
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < 1 || number > 10_000) {
    throw new InvalidArgumentError("give a number of rows from 1 to 10000.");
  }
  return number;
}
