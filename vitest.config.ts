import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most tests wait on fsync, child processes or ClickHouse, so two files at once pay even on
    // two cores (vitest's default there is one): in CI the suite took 859 s instead of 1,050 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
