// The app reads the workspace packages' TypeScript sources through the private "@dcnpi/source"
// condition (as tests and type checks do), so it builds without building any package first.
// `base: "./"` keeps every URL relative: dist/ works from any path and from a plain static server.
import { defineConfig, defaultClientConditions } from "vite";
import { readmeExamplePlugin } from "./scripts/readme-example-plugin.ts";

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@dcnpi/source", ...defaultClientConditions] },
  plugins: [readmeExamplePlugin()],
  build: {
    target: "es2022",
    // tfjs alone is ~1 MB minified; the warning would fire on every build without telling anything new.
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: { main: "index.html", example: "readme-example.html", bench: "bench.html" },
    },
  },
  server: { port: 5173 },
});
