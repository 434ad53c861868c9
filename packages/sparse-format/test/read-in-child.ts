// Run by hostile-input.test.ts in a fresh process: reads and decodes the file named by argv[2] and
// prints one JSON line with the error code, the peak RSS growth (maxRSS - RSS at start) and the time.
import { readContainer } from "../src/node/container-file.js";
import { toDense } from "../src/layer-decode.js";
import { SparseFormatError } from "../src/errors.js";

const startRss = process.memoryUsage().rss;
const start = performance.now();
let code = "ok";
let message = "";
try {
  const contents = await readContainer(process.argv[2]!);
  for (const layer of contents.layers) toDense(layer).fill(1);
} catch (error) {
  if (!(error instanceof SparseFormatError)) throw error;
  code = error.code;
  message = error.message;
}
const ms = performance.now() - start;
const rssGrowthBytes = process.resourceUsage().maxRSS * 1024 - startRss;
console.log(JSON.stringify({ code, message, rssGrowthBytes, ms }));
