/**
 * Untrusted input, container version 2 (arithmetic-coded streams, binary header, strict zero tail):
 * seeded damage with every CRC made right again must give a typed SparseFormatError or a decode of
 * exactly the declared shapes; never another exception, a hang or an output beyond what is declared.
 * Four kinds: data bytes (reaches the arithmetic, Huffman and fixed decoders), the binary header's
 * raw body re-stored uncoded (reaches the binary schema checks), the stored header bytes (reaches
 * the arithmetic-coded body), and every truncation.
 */
import { Rng } from "@dcnpi/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openContainerBytes } from "../src/container-reader.js";
import { serializeContainer, type ContainerContents } from "../src/container-writer.js";
import { SparseFormatError } from "../src/errors.js";
import { encodeLayer } from "../src/layer-codec.js";
import { toDense } from "../src/layer-decode.js";
import { makeQuantizedLayer, makeSparseLayer } from "./fixtures.js";
import { sealBinary, sealBody, sealHeaderBytes, splitBinary } from "./reseal-v2.js";

function makeFile(index: number): Uint8Array {
  const rng = Rng.fromSeed(`fuzz-v2-file-${index}`);
  const weightBits = 1 + rng.int(8);
  const indexBits = 1 + rng.int(6);
  // Odd files: a larger layer with a third of its rows pruned away (dead inputs, as in LeNet's ip1), whose runs
  // of fillers make the context-coded streams the smallest, so the fuzz reaches them.
  const structured = index % 2 === 1;
  const rows = structured ? 20 + rng.int(30) : 4 + rng.int(30);
  const cols = structured ? 40 + rng.int(40) : 4 + rng.int(30);
  const coder = structured || rng.float() < 0.8 ? "best" : "huffman";
  const layer = makeSparseLayer(rng, `l${index}/kernel`, [rows, cols], { density: 0.02 + rng.float() * 0.4, weightBits, indexBits });
  if (structured) for (let r = 0; r < rows; r++) if (rng.float() < 0.33) layer.codes.fill(0, r * cols, (r + 1) * cols);
  const layers = [encodeLayer({ ...layer, coder, formatVersion: 2 })];
  if (index % 3 === 0)
    layers.push(encodeLayer({ ...makeQuantizedLayer(rng, `q${index}`, [4, 5, 6], 1 + rng.int(6)), coder, formatVersion: 2 }));
  const contents: ContainerContents = {
    layers,
    denseTensors: [
      { name: `l${index}/bias`, shape: [cols], data: Float32Array.from({ length: cols }, () => rng.normal()), info: { role: "bias" } },
      ...(index % 2 === 0 ? [{ name: "counts", shape: [2], data: Int32Array.of(index, -index) }] : []),
    ],
    metadata: {
      index,
      topology: { layers: ["dense", "relu"], units: [rows, -cols], rate: 0.1 + index, flag: index % 2 === 0, none: null },
      // Repeated key lists and decimals: the compact body's SameKeys and Decimal tags.
      metrics: [0.015, 0.0125 * index, 1 / 3].map((value, i) => ({ stage: `stage ${i}`, value })),
    },
    // Dense float32 tensors packed in the files whose layers use the best coder (as deep-compression writes them).
    format: { version: 2, header: "binary", ...(coder === "best" ? { dense: "packed" as const } : {}) },
  };
  return serializeContainer(contents);
}

const files = Array.from({ length: 24 }, (_, i) => makeFile(i));
const splits = files.map(splitBinary);
const maxDeclared = Math.max(
  ...files.map((f) => Math.max(...splitBinary(f).header.entries.map((e) => e.shape.reduce((a, b) => a * b, 1)))),
);

async function tryParse(bytes: Uint8Array, onDecoded: (elements: number) => void = () => {}): Promise<string> {
  try {
    const reader = await openContainerBytes(bytes);
    for (const entry of reader.entries) {
      const declared = entry.shape.reduce((a, b) => a * b, 1);
      if (entry.kind === "dense") {
        const tensor = await reader.readDenseTensor(entry.name);
        expect(tensor.data.length).toBe(declared);
      } else {
        const layer = await reader.readLayer(entry.name);
        expect(toDense(layer).length).toBe(declared);
        if (layer.positions !== null) expect(layer.positions.length).toBeLessThanOrEqual(declared);
      }
      onDecoded(declared);
    }
    return "ok";
  } catch (error) {
    if (!(error instanceof SparseFormatError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    return error.code;
  }
}

/** Every context-coded section of the fixtures (file, absolute offset, length, role): the targets of the mutations below. */
const contextSections = files.flatMap((_, fileIndex) =>
  splits[fileIndex]!.header.entries.flatMap((e) => {
    if (e.kind === "dense") return [];
    const streams = e.kind === "sparse" ? [e.sections.weights, e.sections.indices] : [e.sections.weights];
    return streams.filter((s) => s.encoding === "arithmetic-context").map((s) => ({ fileIndex, offset: s.offset, length: s.length }));
  }),
);

/** The machine may be shared by many jobs: the fuzz tests get generous time, their work is bounded by the run counts. */
const FUZZ_TIMEOUT_MS = 600_000;

const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });

function applyEdits(source: Uint8Array, list: [number, number][], from = 0, to = source.length): Uint8Array {
  const bytes = source.slice();
  for (const [at, xor] of list) bytes[from + (at % Math.max(1, to - from))]! ^= xor;
  return bytes;
}

function count(seen: Map<string, number>, key: string): void {
  seen.set(key, (seen.get(key) ?? 0) + 1);
}

describe("container version 2 under random damage", () => {
  it("the 24 fixture files are valid, binary-headed, and hold context-coded and plain arithmetic, Huffman and fixed streams", async () => {
    const encodings = new Set<string>();
    const codebooks = new Set<string>();
    const denseForms = new Set<string>();
    for (const f of files) {
      expect(await tryParse(f)).toBe("ok");
      const { header } = splitBinary(f);
      for (const e of header.entries) if (e.kind !== "dense") encodings.add(e.sections.weights.encoding);
      for (const e of header.entries) if (e.kind === "sparse") encodings.add(e.sections.indices.encoding);
      for (const e of header.entries) if (e.kind !== "dense") codebooks.add(e.sections.codebook.encoding ?? "float32");
      for (const e of header.entries)
        if (e.kind === "dense" && e.dtype === "float32") denseForms.add(e.sections.data.encoding ?? "float32");
    }
    expect([...encodings].sort()).toEqual(["arithmetic", "arithmetic-context", "fixed", "huffman"]);
    // Packed codebooks (coder best) and float32 ones (huffman), so the damage reaches the codebook unpacker too.
    expect([...codebooks].sort()).toEqual(["float32", "packed"]);
    expect([...denseForms].sort()).toEqual(["float32", "packed"]);
    expect(contextSections.length).toBeGreaterThan(10);
    // Every file's header is compact (dictionary strings, decimals, repeated key lists), so the fuzz reaches those paths.
    expect(splits.every((s) => s.flags === 2)).toBe(true);
  });

  it(
    "5,000 data-byte mutations with every CRC made right: typed error or valid decode, bounded output",
    async () => {
      const seen = new Map<string, number>();
      let largestOutput = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(files.length - 1), edits, async (fileIndex, list) => {
          const { data, header } = splits[fileIndex]!;
          const result = await tryParse(sealBinary(applyEdits(data, list, 16, data.length), structuredClone(header)), (n) => {
            largestOutput = Math.max(largestOutput, n);
          });
          count(seen, result);
        }),
        { numRuns: 5000, seed: 21 },
      );
      if (process.env["DCNPI_FUZZ_REPORT"]) console.log("v2 data mutations:", Object.fromEntries(seen));
      expect(seen.get("CORRUPT_STREAM") ?? 0).toBeGreaterThan(1000);
      expect(largestOutput).toBeLessThanOrEqual(maxDeclared);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "4,000 mutations of the binary header's body (stored uncoded, CRC made right): typed error or valid decode",
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.nat(files.length - 1), edits, fc.nat(3), async (fileIndex, list, cut) => {
          const { data, body, flags } = splits[fileIndex]!;
          let damaged = applyEdits(body, list);
          // A quarter also loses or gains a byte, so every field after the edit shifts.
          if (cut === 1) damaged = damaged.subarray(0, damaged.length - 1 - (list[0]![0] % Math.max(1, damaged.length - 1)));
          if (cut === 2) damaged = Uint8Array.of(...damaged, list[0]![1]);
          count(seen, await tryParse(sealBody(data, damaged, flags)));
        }),
        { numRuns: 4000, seed: 22 },
      );
      if (process.env["DCNPI_FUZZ_REPORT"]) console.log("v2 header-body mutations:", Object.fromEntries(seen));
      expect(seen.get("INVALID_HEADER") ?? 0).toBeGreaterThan(1000);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "2,000 mutations of the stored (arithmetic-coded) header bytes, CRC made right: typed error or valid decode",
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.nat(files.length - 1), edits, async (fileIndex, list) => {
          const f = files[fileIndex]!;
          const length = new DataView(f.buffer, f.byteOffset).getUint32(f.length - 16, true);
          const start = f.length - 16 - length;
          const damaged = applyEdits(f.slice(start, f.length - 16), list);
          count(seen, await tryParse(sealHeaderBytes(f.slice(0, start), damaged)));
        }),
        { numRuns: 2000, seed: 23 },
      );
      if (process.env["DCNPI_FUZZ_REPORT"]) console.log("v2 stored-header mutations:", Object.fromEntries(seen));
      expect(seen.get("ok") ?? 0).toBeLessThan(100);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "10,000 mutations inside context-coded sections (weights and gaps), CRCs made right: typed error or valid decode",
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.nat(contextSections.length - 1), edits, async (which, list) => {
          const { fileIndex, offset, length } = contextSections[which]!;
          const { data, header } = splits[fileIndex]!;
          count(seen, await tryParse(sealBinary(applyEdits(data, list, offset, offset + length), structuredClone(header))));
        }),
        { numRuns: 10_000, seed: 24 },
      );
      if (process.env["DCNPI_FUZZ_REPORT"]) console.log("v2 context-coded section mutations:", Object.fromEntries(seen));
      expect(seen.get("CORRUPT_STREAM") ?? 0).toBeGreaterThan(9000);
    },
    FUZZ_TIMEOUT_MS,
  );

  it("a context-coded stream relabelled plain arithmetic, and the reverse, is CORRUPT_STREAM (the class definitions differ)", async () => {
    let relabelled = 0;
    for (const { data, header } of splits) {
      for (const [i, e] of header.entries.entries()) {
        if (e.kind === "dense") continue;
        for (const key of ["weights", "indices"] as const) {
          const stream = key === "weights" ? e.sections.weights : e.kind === "sparse" ? e.sections.indices : undefined;
          if (stream?.encoding !== "arithmetic" && stream?.encoding !== "arithmetic-context") continue;
          const changed = structuredClone(header);
          const entry = changed.entries[i]!;
          const target =
            key === "weights" ? (entry as typeof e).sections.weights : (entry as typeof e & { kind: "sparse" }).sections.indices;
          target.encoding = stream.encoding === "arithmetic" ? "arithmetic-context" : "arithmetic";
          expect(await tryParse(sealBinary(data, changed))).toBe("CORRUPT_STREAM");
          relabelled++;
        }
      }
    }
    expect(relabelled).toBeGreaterThan(20);
  });

  it("every truncated prefix of four files with context-coded streams gives a typed error", async () => {
    const withContext = [...new Set(contextSections.map((s) => s.fileIndex))].slice(0, 4).map((i) => files[i]!);
    expect(withContext).toHaveLength(4);
    for (const f of withContext) for (let cut = 0; cut < f.length; cut++) expect(await tryParse(f.subarray(0, cut))).not.toBe("ok");
  });

  it("every truncated prefix of four files, and an extension, give typed errors", async () => {
    for (const f of files.slice(0, 4)) {
      for (let cut = 0; cut < f.length; cut++) expect(await tryParse(f.subarray(0, cut))).not.toBe("ok");
      expect(await tryParse(Uint8Array.of(...f, 0, 0, 0))).not.toBe("ok");
    }
  });
});
