// Run by hostile-load.test.ts in a fresh process: loadCompressed(argv[2]) on the CPU backend; prints one
// JSON line with the error (name and code), the peak RSS growth (maxRSS - RSS before loading) and the time.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { DcnpiError } from "@dcnpi/base";
import { loadCompressed } from "../src/load-compressed.js";

await tf.setBackend("cpu");
const startRss = process.memoryUsage().rss;
const start = performance.now();
let code = "ok";
let name = "";
let message = "";
try {
  (await loadCompressed(process.argv[2]!)).dispose();
} catch (error) {
  name = (error as Error).name;
  message = (error as Error).message;
  code = error instanceof DcnpiError ? String(error.code) : "UNTYPED";
}
const ms = performance.now() - start;
const rssGrowthBytes = process.resourceUsage().maxRSS * 1024 - startRss;
console.log(JSON.stringify({ code, name, message, rssGrowthBytes, ms }));
