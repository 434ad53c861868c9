// How long reading a container of many one-element entries takes (issue 16 item 7: 100,000 entries in
// under 1 s). Run: cd packages/sparse-format && node --conditions=@dcnpi/source --import tsx bench/many-entries.ts [n]
import { parseContainer, serializeContainer } from "../src/index.js";

const n = Number(process.argv[2] ?? 100_000);
const names = Array.from({ length: n }, (_, i) => `w${i}`);
const bytes = serializeContainer({
  denseTensors: names.map((name, i) => ({ name, shape: [1], data: Float32Array.of(i) })),
  metadata: { weightOrder: names },
});
for (let run = 0; run < 3; run++) {
  const start = performance.now();
  const contents = await parseContainer(bytes);
  const ms = performance.now() - start;
  console.log(`${n} entries (${bytes.length} bytes): parseContainer ${ms.toFixed(0)} ms, ${contents.denseTensors.length} dense tensors`);
}

// The same from a file (readContainer: the path loadCompressed takes).
const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const { readContainer } = await import("../src/node/index.js");
const dir = mkdtempSync(join(tmpdir(), "many-entries-"));
writeFileSync(join(dir, "m.dcnpi"), bytes);
for (let run = 0; run < 3; run++) {
  const start = performance.now();
  const contents = await readContainer(join(dir, "m.dcnpi"));
  console.log(
    `${n} entries: readContainer (file) ${(performance.now() - start).toFixed(0)} ms, ${contents.denseTensors.length} dense tensors`,
  );
}
rmSync(dir, { recursive: true });
