import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "car-world/index": "src/car-world/index.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
