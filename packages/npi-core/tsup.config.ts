import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "tfjs/index": "src/tfjs/index.ts",
    "node/index": "src/node/index.ts",
    "node/gradient-worker": "src/node/gradient-worker.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
