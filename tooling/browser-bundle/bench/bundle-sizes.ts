// Bytes a page downloads for each browser entry and for the .dcnpi decoder (esbuild, minified,
// TensorFlow.js external; gzip level 9 as a server would send them). Sizes are deterministic for a
// given source tree and esbuild version: no machine dependence, nothing timed.
// Run: npx --yes pnpm@12.4.2 --filter @dcnpi/browser-bundle bench
import { printTable, recordBenchResult } from "@dcnpi/bench-kit";
import { bundleForBrowser } from "../src/browser-bundle.js";
import { BROWSER_ENTRIES, DECODER_BUDGET_BYTES, DECODER_SOURCE, wholeEntry } from "../src/browser-entries.js";

const rows: Record<string, string | number>[] = [];
const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));
for (const entry of BROWSER_ENTRIES) {
  const bundle = await bundleForBrowser(wholeEntry(entry));
  rows.push({
    bundle: `${entry} (every export)`,
    "min KB": kb(bundle.minifiedBytes),
    "min+gzip KB": kb(bundle.gzipBytes),
    node: bundle.nodeImports.length,
  });
}
const decoder = await bundleForBrowser(DECODER_SOURCE);
rows.push({
  bundle: "decoder: { dcnpiModel }",
  "min KB": kb(decoder.minifiedBytes),
  "min+gzip KB": kb(decoder.gzipBytes),
  node: decoder.nodeImports.length,
});
printTable("Browser bundles (esbuild, platform browser, minified, @tensorflow/* external)", rows);

// Where the decoder's bytes go, by package (minified bytes before gzip).
const byPackage = new Map<string, number>();
for (const [path, bytes] of Object.entries(decoder.inputs)) {
  const key =
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? /packages\/([^/]+)\//.exec(path)?.[1] ?? path;
  byPackage.set(key, (byPackage.get(key) ?? 0) + bytes);
}
printTable(
  "Decoder by package (minified bytes)",
  [...byPackage].sort((a, b) => b[1] - a[1]).map(([part, bytes]) => ({ part, "min KB": kb(bytes) })),
);
console.log(`\ndecoder: ${decoder.gzipBytes} bytes min+gzip (budget ${DECODER_BUDGET_BYTES})`);
console.log(
  `wrote ${recordBenchResult("browser-bundle-sizes", { rows, decoder: { minifiedBytes: decoder.minifiedBytes, gzipBytes: decoder.gzipBytes, byPackage: Object.fromEntries(byPackage) } })}`,
);
