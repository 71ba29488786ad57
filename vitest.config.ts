import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{feature-store,services/*,models/simulator,test}/test/**/*.test.ts", "test/**/*.test.ts"],
    // Tests share one real Redis and one real Kafka broker; two workers keep a 2-core box responsive.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
