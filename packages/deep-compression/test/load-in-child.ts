// Run by the tests in a fresh process: loadCompressed(argv[2]) on the CPU backend (or, with argv[3] an output
// folder, decompressToModelFiles(argv[2], argv[3])); prints one JSON line with the error (name and code), the
// peak RSS growth (maxRSS - RSS before loading), the time and, after a load, the first and last weight values.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { DcnpiError } from "@dcnpi/base";
import { decompressToModelFiles } from "../src/node/decompress-to-files.js";
import { loadCompressed } from "../src/node/load-compressed-file.js";

await tf.setBackend("cpu");
const startRss = process.memoryUsage().rss;
const start = performance.now();
let code = "ok";
let name = "";
let message = "";
let firstAndLast: number[] = [];
try {
  if (process.argv[3] !== undefined) await decompressToModelFiles(process.argv[2]!, process.argv[3]);
  else {
    const model = await loadCompressed(process.argv[2]!);
    const weights = model.getWeights();
    firstAndLast = [weights[0]!.dataSync()[0]!, weights.at(-1)!.dataSync().at(-1)!];
    model.dispose();
  }
} catch (error) {
  name = (error as Error).name;
  message = (error as Error).message;
  code = error instanceof DcnpiError ? String(error.code) : "UNTYPED";
}
const ms = performance.now() - start;
const rssGrowthBytes = process.resourceUsage().maxRSS * 1024 - startRss;
console.log(JSON.stringify({ code, name, message, rssGrowthBytes, ms, firstAndLast }));
