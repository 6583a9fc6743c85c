/**
 * The "Examples:" section of a command's help: each command line with what it does beneath it.
 *
 * @example
 * command.addHelpText("after", helpExamples([["stackhouse check", "run every check"]]));
 */
export function helpExamples(examples: readonly (readonly [string, string])[]): string {
  const lines = examples.flatMap(([line, what]) => [`  $ ${line}`, `      ${what}`]);
  return `\nExamples:\n${lines.join("\n")}\n`;
}
