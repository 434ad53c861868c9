/**
 * Decode speed of this package's plain (not class-coded) streams against an older copy of its source,
 * interleaved in one process: did a change to the decode loop cost the streams that do not use it?
 * Both decoders read the same bytes (written by this version's encoder; the plain format is unchanged).
 *   git archive <ref> packages/arithmetic/src | tar -x -C packages/arithmetic/.tmp/base   (from the repository root)
 *   BENCH_RUNS=15 npx tsx --conditions=@dcnpi/source bench/decoder-before-after.ts .tmp/base/packages/arithmetic/src
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { machineInfo, printTable } from "@dcnpi/bench-kit";
import { decodeSymbolsInto, encodeSymbols } from "../src/index.js";
import { laplacianCodes, seededRandom, sparseStreams } from "../src/test-random.js";

const runs = Number(process.env["BENCH_RUNS"] ?? 9);
const baseDir = process.argv[2];
if (baseDir === undefined) throw new Error("usage: bench/decoder-before-after.ts <older src directory>");
const base = (await import(pathToFileURL(resolve(baseDir, "index.ts")).href)) as { decodeSymbolsInto: typeof decodeSymbolsInto };

const random = seededRandom(11);
const layer = sparseStreams(random, 300, 784, 0.08, 64, 5);
const streams: [string, Uint8Array, number][] = [
  ["sparse layer codes 6-bit", layer.codes, 64],
  ["sparse layer gaps 5-bit", layer.gaps, 32],
  ["laplacian codes 5-bit", Uint8Array.from(laplacianCodes(random, 200_000, 32, 16, 2.5)), 32],
  ["laplacian codes 8-bit", Uint8Array.from(laplacianCodes(random, 200_000, 256, 128, 12)), 256],
];
const loadBefore = machineInfo().loadAverage1m;
const rows: Record<string, string | number>[] = [];
for (const [name, symbols, alphabetSize] of streams) {
  const bytes = encodeSymbols(symbols, { alphabetSize });
  const out = new Uint8Array(symbols.length);
  const fns = { before: () => base.decodeSymbolsInto(bytes, out), after: () => decodeSymbolsInto(bytes, out) };
  const times = { before: [] as number[], after: [] as number[] };
  for (let w = 0; w < 3; w++) for (const fn of Object.values(fns)) fn();
  for (let r = 0; r < runs; r++) {
    for (const key of ["before", "after"] as const) {
      const start = process.cpuUsage();
      fns[key]();
      const used = process.cpuUsage(start);
      times[key].push((used.user + used.system) / 1000);
    }
  }
  const best = (list: number[]) => Math.min(...list);
  const mb = symbols.length / 1e6;
  rows.push({
    stream: name,
    symbols: symbols.length,
    bytes: bytes.length,
    "dec MB/s before": mb / (best(times.before) / 1000),
    "dec MB/s after": mb / (best(times.after) / 1000),
    "after/before speed": best(times.before) / best(times.after),
  });
}
printTable(
  `plain-stream decode, older source vs this one (min of ${runs} interleaved rounds of CPU time; node ${process.version}; ` +
    `load avg 1m ${loadBefore.toFixed(2)} -> ${machineInfo().loadAverage1m.toFixed(2)})`,
  rows,
);
