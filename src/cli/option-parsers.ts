import { InvalidArgumentError } from "commander";
import { parseShare } from "../validate/reject-threshold.js";

/**
 * A parser of a whole-number option (digits only) from `min` to `max`, refusing anything else
 * with `advice`.
 *
 * @example
 * program.option("--port <port>", "the port", integerOption("give a port.", 0, 65535));
 */
function integerOption(advice: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const number = Number(text);
    if (!/^\d+$/.test(text) || number < min || number > max) {
      throw new InvalidArgumentError(advice);
    }
    return number;
  };
}

/**
 * A parser of an option that takes one of a few words.
 *
 * @example
 * program.option("--votes <which>", "the votes", oneOf(["all", "updown"] as const));
 */
export function oneOf<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    const choice = choices.find((candidate) => candidate === text);
    if (choice === undefined)
      throw new InvalidArgumentError(`choose one of ${choices.join(", ")}.`);
    return choice;
  };
}

/** Parses a count option such as `--limit` or `--weeks`, where 0 means "all". */
export const wholeNumber = (unit: string): ((text: string) => number) =>
  integerOption(`give a whole number of ${unit} (0 for all).`);

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
export const recordCount = integerOption("give the exact number of records the file holds.");

/** Parses a time limit such as `--timeout`: seconds, 0 for none. */
export function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new InvalidArgumentError("give a number of seconds (0 for no limit).");
  }
  return Number(text);
}

/** Parses a TCP port: 0 to 65535, 0 for any free one. */
export const port = integerOption("give a port from 1 to 65535 (0 for any free one).", 0, 65535);

/** Parses `--page-rows`: a page of 1 to 10,000 rows, which the server holds whole while it sends it. */
export const pageRows = integerOption("give a number of rows from 1 to 10000.", 1, 10_000);
