import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node loads graphql's CommonJS build for Yoga and Pothos; resolve ours to the
  // same file, or GraphQLError from two copies fails `instanceof`.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Each file gets its own database copy; two cores, so two files at a time.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
