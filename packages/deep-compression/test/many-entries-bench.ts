// Times the whole decode of 100,000 one-element entries (issue 16 item 7 target: under 1 s), container
// read alone and through parseCompressedWeights. Not a test; run it by hand:
//   cd packages/deep-compression && node --conditions=@dcnpi/source --import tsx test/many-entries-bench.ts
import { parseContainer, serializeContainer } from "@dcnpi/sparse-format";
import { compressedMetadata } from "../src/compressed-metadata.js";
import { parseCompressedWeights } from "../src/load-compressed.js";
const n = 100_000;
const names = Array.from({ length: n }, (_, i) => `w${i}`);
const pipeline = { metricName: "none", metrics: [], retrained: false, notes: [] };
const bytes = serializeContainer({
  denseTensors: names.map((name, i) => ({ name, shape: [1], data: Float32Array.of(i) })),
  metadata: compressedMetadata({ weightOrder: names, plan: null, pipeline }),
});
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  await parseContainer(bytes);
  const a = performance.now() - t;
  t = performance.now();
  await parseCompressedWeights(bytes);
  const b = performance.now() - t;
  console.log(`parseContainer ${a.toFixed(0)} ms, parseCompressedWeights ${b.toFixed(0)} ms`);
}

// From a file, the path loadCompressed takes.
const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const { readCompressedWeights } = await import("../src/node/load-compressed-file.js");
const dir = mkdtempSync(join(tmpdir(), "many-entries-"));
writeFileSync(join(dir, "m.dcnpi"), bytes);
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  await readCompressedWeights(join(dir, "m.dcnpi"));
  console.log(`readCompressedWeights (file) ${(performance.now() - t).toFixed(0)} ms`);
}
rmSync(dir, { recursive: true });
