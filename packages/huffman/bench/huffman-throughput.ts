/**
 * Huffman encode/decode throughput and coded size on Deep-Compression-shaped streams, against
 * node's native zlib restricted to Huffman coding (deflateRawSync/inflateRawSync, Z_HUFFMAN_ONLY)
 * on the very same bytes (one symbol per byte).
 *   npx tsx --conditions=@dcnpi/source bench/huffman-throughput.ts
 */
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { machineInfo, printTable, recordBenchResult, time, type Timing } from "@dcnpi/bench-kit";
import { decodeInto, encode, encodeDetailed } from "../src/index.js";
import { makePaperStreams } from "./paper-streams.js";

const runs = Number(process.env["BENCH_RUNS"] ?? 21);
const loadBefore = machineInfo().loadAverage1m;
// An fc layer of 4096 x 2048 (8.4M weights) kept at 9%, 5-bit weight codes, 5-bit index gaps.
const streams = makePaperStreams(4096, 2048, 0.09, 5, 5, "huffman-bench/fc");
console.log(
  `stream: 4096x2048 fc layer at 9% density -> ${streams.nonzeros} non-zeros + ${streams.fillers} fillers = ${streams.weightCodes.length} entries`,
);

/** Times the functions in interleaved rounds so each sees the same load drift (a shared machine). */
async function timeRounds<K extends string>(fns: Record<K, () => unknown>, rounds: number, warmup = 2): Promise<Record<K, Timing>> {
  const entries = Object.entries(fns) as [K, () => unknown][];
  for (const [, fn] of entries) for (let i = 0; i < warmup; i++) await fn();
  const runs = new Map<K, number[]>(entries.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of entries) runs.get(name)!.push((await time(fn, { runs: 1, warmup: 0 })).minMs);
  }
  const out = {} as Record<K, Timing>;
  for (const [name, list] of runs) {
    const sorted = [...list].sort((a, b) => a - b);
    out[name] = { minMs: sorted[0]!, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs: list };
  }
  return out;
}

const rows: Record<string, string | number>[] = [];
const records: Record<string, unknown>[] = [];
for (const [name, symbols] of [
  ["weight codes (5-bit)", streams.weightCodes],
  ["index gaps (5-bit)", streams.indexGaps],
] as const) {
  const zlibOptions = { strategy: constants.Z_HUFFMAN_ONLY };
  const ours = encodeDetailed(symbols);
  const zipped = deflateRawSync(symbols, zlibOptions);
  const out = new Uint8Array(symbols.length);
  decodeInto(ours.bytes, out);
  if (!out.every((v, i) => v === symbols[i])) throw new Error(`${name}: round trip failed`);
  if (!inflateRawSync(zipped).equals(Buffer.from(symbols.buffer, symbols.byteOffset, symbols.length)))
    throw new Error("zlib round trip failed");

  const { oursEncode, zlibEncode, oursDecode, zlibDecode } = await timeRounds(
    {
      oursEncode: () => encode(symbols),
      zlibEncode: () => deflateRawSync(symbols, zlibOptions),
      oursDecode: () => decodeInto(ours.bytes, out),
      zlibDecode: () => inflateRawSync(zipped),
    },
    runs,
  );
  const mb = symbols.length / 1e6;
  const row = {
    stream: name,
    symbols: symbols.length,
    "ours bytes": ours.bytes.length,
    "zlib bytes": zipped.length,
    "size ours/zlib": ours.bytes.length / zipped.length,
    "bits/sym ours": (ours.bytes.length * 8) / symbols.length,
    "enc MB/s ours": mb / (oursEncode.minMs / 1000),
    "enc MB/s zlib": mb / (zlibEncode.minMs / 1000),
    "enc ours/zlib": zlibEncode.minMs / oursEncode.minMs,
    "dec MB/s ours": mb / (oursDecode.minMs / 1000),
    "dec MB/s zlib": mb / (zlibDecode.minMs / 1000),
    "dec ours/zlib": zlibDecode.minMs / oursDecode.minMs,
  };
  rows.push(row);
  records.push({ ...row, timings: { oursEncode, zlibEncode, oursDecode, zlibDecode } });
}
const loadAfter = machineInfo().loadAverage1m;
printTable(
  `Huffman vs zlib Z_HUFFMAN_ONLY (min of ${runs} interleaved rounds; MB/s = million symbols/s; ` +
    `load avg 1m ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)})`,
  rows,
);
console.log("targets: size ours/zlib <= 1.02; dec ours/zlib >= 0.5");
const file = recordBenchResult("huffman", { runs, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadAfter, results: records });
console.log(`recorded ${file}`);
