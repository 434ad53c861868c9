import { defineConfig } from "tsup";

// The executable only: an app has no library API.
export default defineConfig({
  entry: { cli: "src/cli.ts" },
  format: ["esm"],
  clean: true,
  sourcemap: true,
  target: "node20",
});
