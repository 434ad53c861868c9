// Shared vitest settings for every package.
// Workspace packages resolve to their TypeScript sources through the private "@dcnpi/source"
// export condition, so tests and type checks never need a build first.
// Tests named *.slow.test.ts are opt-in: they run only when DCNPI_SLOW_TESTS=1.
import { defineConfig, type ViteUserConfig } from "vitest/config";

const sourceConditions = ["@dcnpi/source", "module", "node", "import", "default"];

export function packageTestConfig(overrides: NonNullable<ViteUserConfig["test"]> = {}): ViteUserConfig {
  const runSlow = process.env["DCNPI_SLOW_TESTS"] === "1";
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ["@dcnpi/source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      exclude: runSlow ? ["**/node_modules/**"] : ["**/node_modules/**", "**/*.slow.test.ts"],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: "forks",
      ...overrides,
    },
  });
}
