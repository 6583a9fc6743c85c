import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, unless STACKHOUSE_CHROMIUM names another. */
export const CHROMIUM = process.env.STACKHOUSE_CHROMIUM ?? "/usr/bin/chromium";

/** Headless and offline: no first-run, sync or background connections to refuse. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts Chromium for a browser test; close it when the test ends. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Skips the test when there is no Chromium, unless STACKHOUSE_REQUIRE_BROWSER=1 (CI) says fail. */
export function needChromium(context: { skip: () => void }): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.STACKHOUSE_REQUIRE_BROWSER === "1") throw new Error(`no Chromium at ${CHROMIUM}`);
  console.warn(
    `SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium, or set STACKHOUSE_CHROMIUM)`,
  );
  context.skip();
}
