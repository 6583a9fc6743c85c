import type { CheckReport, CheckResult } from "../check/run-checks.js";
import { formatTable } from "./format-table.js";

/** Every check as a table row, then a one-line verdict. */
export function renderChecks(report: CheckReport): string {
  const rows = report.results.map((result) => [
    result.name,
    result.severity,
    result.failing,
    sampleText(result),
    result.description,
  ]);
  return [
    formatTable(["check", "severity", "failing", "sample ids", "meaning"], rows),
    verdict(report),
  ].join("\n");
}

/** Only the checks that found something, for the ingest summary. */
export function renderCheckFindings(report: CheckReport): string {
  const found = report.results.filter((result) => result.failing > 0);
  const carried =
    report.carriedOver.length === 0
      ? ""
      : ` (${String(report.carriedOver.length)} carried over from the last run's checks: nothing new was loaded)`;
  if (found.length === 0) return `Checks: all ${report.results.length} passed${carried}.`;
  const rows = found.map((result) => [
    result.name,
    result.severity,
    result.failing,
    sampleText(result),
  ]);
  return [
    `Checks (${report.results.length} run${carried}; the full list: stackhouse check):`,
    formatTable(["check", "severity", "failing", "sample ids"], rows),
    verdict(report),
  ].join("\n");
}

function verdict(report: CheckReport): string {
  const warnings = report.results.filter((r) => r.severity === "warning" && r.failing > 0).length;
  const errors = report.errors.length;
  return `${errors} error check(s) and ${warnings} warning check(s) found problems.`;
}

function sampleText(result: CheckResult): string {
  if (result.failing === 0) return "";
  const more = result.failing > result.sample.length ? ", …" : "";
  return `${result.sample.join(", ")}${more}`;
}
