/**
 * Untrusted input: random damage to valid containers must give a typed SparseFormatError or a valid
 * decode of the declared shapes; never another exception, a hang or an unbounded allocation.
 * Three kinds of damage: raw byte edits (the CRCs must catch them), byte edits with every CRC made
 * right again (reaches the stream decoders), and edits to header values with CRCs made right
 * (reaches the header checks). Many small files keep the default run to a few seconds.
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
import { craftContainer } from "./hostile-files.js";
import { sealContainer, splitContainer } from "./reseal.js";

function makeFile(index: number): Uint8Array {
  const rng = Rng.fromSeed(`fuzz-file-${index}`);
  const weightBits = 1 + rng.int(8);
  const indexBits = 1 + rng.int(6);
  const huffman = { weights: rng.float() < 0.6, indices: rng.float() < 0.6 };
  const rows = 2 + rng.int(20);
  const cols = 2 + rng.int(20);
  const layers = [
    encodeLayer(
      makeSparseLayer(rng, `l${index}/kernel`, [rows, cols], { density: 0.05 + rng.float() * 0.5, weightBits, indexBits, huffman }),
    ),
  ];
  if (index % 3 === 0) layers.push(encodeLayer(makeQuantizedLayer(rng, `q${index}`, [2, 3, 4], 1 + rng.int(6))));
  const contents: ContainerContents = {
    layers,
    denseTensors: [
      { name: `l${index}/bias`, shape: [cols], data: Float32Array.from({ length: cols }, () => rng.normal()) },
      ...(index % 2 === 0 ? [{ name: "counts", shape: [2], data: Int32Array.of(index, -index) }] : []),
    ],
    metadata: { index, topology: { layers: ["dense"] } },
  };
  return serializeContainer(contents);
}

const files = Array.from({ length: 24 }, (_, i) => makeFile(i));
/** The resealed fuzz also mutates crafted files: all-filler entries at the largest gap (hostile-files.ts). */
const resealCorpus = [
  ...files,
  craftContainer([{ name: "fillers/kernel", shape: [5 * 512], entries: 4, indexBits: 9 }]),
  craftContainer([
    { name: "a", shape: [3, 32], entries: 2, indexBits: 5 },
    { name: "b", shape: [7], entries: 0, indexBits: 3 },
  ]),
];
const maxDeclared = Math.max(
  ...resealCorpus.map((f) =>
    Math.max(...splitContainer(f).header.entries.map((e: { shape: number[] }) => e.shape.reduce((a, b) => a * b, 1))),
  ),
);

/** Parses; returns "ok" after checking the decode matches the declared shapes, or the error code. */
async function tryParse(bytes: Uint8Array, onDecoded: (elements: number) => void = () => {}): Promise<string> {
  try {
    const reader = await openContainerBytes(bytes);
    for (const entry of reader.entries) {
      const declared = entry.shape.reduce((a, b) => a * b, 1);
      if (entry.kind === "dense") {
        const tensor = await reader.readDenseTensor(entry.name);
        expect(tensor.data.length).toBe(declared);
        onDecoded(tensor.data.length);
      } else {
        const layer = await reader.readLayer(entry.name);
        expect(layer.shape).toEqual(entry.shape);
        expect(toDense(layer).length).toBe(declared);
        onDecoded(declared);
        if (layer.positions !== null) expect(layer.positions.length).toBeLessThanOrEqual(declared);
      }
    }
    return "ok";
  } catch (error) {
    if (!(error instanceof SparseFormatError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    return error.code;
  }
}

const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });

function applyEdits(source: Uint8Array, list: [number, number][], from = 0, to = source.length): Uint8Array {
  const bytes = source.slice();
  for (const [at, xor] of list) bytes[from + (at % Math.max(1, to - from))]! ^= xor;
  return bytes;
}

describe("container under random damage", () => {
  it("all 24 fixture files and the crafted ones are valid to begin with", async () => {
    for (const f of resealCorpus) expect(await tryParse(f)).toBe("ok");
  });

  it("10,000 random byte mutations: typed error (CRC catches data damage) or a valid decode", async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), edits, async (fileIndex, list) => {
        const result = await tryParse(applyEdits(files[fileIndex]!, list));
        seen.set(result, (seen.get(result) ?? 0) + 1);
      }),
      { numRuns: 10_000, seed: 1 },
    );
    if (process.env["DCNPI_FUZZ_REPORT"]) console.log("raw mutations:", Object.fromEntries(seen));
    // Damage inside a section is a CRC failure: the commonest outcome by far.
    expect(seen.get("CRC_MISMATCH") ?? 0).toBeGreaterThan(5000);
    expect(seen.get("ok") ?? 0).toBeLessThan(50);
  });

  it("10,000 byte mutations with the CRCs made right again reach the decoders: typed error or valid decode, bounded time and output", async () => {
    const seen = new Map<string, number>();
    let slowestMs = 0;
    let largestOutput = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(resealCorpus.length - 1), edits, async (fileIndex, list) => {
        const { data, header, magic } = splitContainer(resealCorpus[fileIndex]!);
        const damaged = applyEdits(data, list, 16, data.length);
        const sealed = sealContainer(damaged, header, magic);
        const start = performance.now();
        const result = await tryParse(sealed, (elements) => (largestOutput = Math.max(largestOutput, elements)));
        slowestMs = Math.max(slowestMs, performance.now() - start);
        seen.set(result, (seen.get(result) ?? 0) + 1);
      }),
      { numRuns: 10_000, seed: 2 },
    );
    if (process.env["DCNPI_FUZZ_REPORT"]) console.log("resealed mutations:", Object.fromEntries(seen), { slowestMs, largestOutput });
    expect(seen.get("CORRUPT_STREAM") ?? 0).toBeGreaterThan(1000);
    // No hang: the slowest case is far below a second (the files are a few hundred bytes).
    expect(slowestMs).toBeLessThan(2000);
    // Bounded output: no decode is larger than the largest declared tensor of the corpus.
    expect(largestOutput).toBeLessThanOrEqual(maxDeclared);
  });

  it("header values changed (CRCs made right): typed error or valid decode, never a crash or a huge allocation", async () => {
    const replacement = fc.constantFrom(0, 1, -1, 3, 7, 16, 17, 255, 65_536, 2 ** 31, 2 ** 40, 2 ** 53, 0.5, "x", null);
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), fc.nat(), replacement, fc.boolean(), async (fileIndex, pick, value, nudge) => {
        const { data, header, magic } = splitContainer(files[fileIndex]!);
        const leaves: [any, string | number][] = [];
        const walk = (node: any) => {
          if (node === null || typeof node !== "object") return;
          for (const key of Object.keys(node)) {
            if (typeof node[key] === "object" && node[key] !== null) walk(node[key]);
            else leaves.push([node, Array.isArray(node) ? Number(key) : key]);
          }
        };
        walk(header);
        const [parent, key] = leaves[pick % leaves.length]!;
        parent[key] = nudge && typeof parent[key] === "number" ? parent[key] + (pick % 2 === 0 ? 1 : -1) : value;
        await tryParse(sealContainer(data, header, magic, { fixSectionCrcs: false }));
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it("every truncated prefix and a few extensions of several files give typed errors", async () => {
    for (const f of files.slice(0, 4)) {
      for (let cut = 0; cut < f.length; cut++) expect(await tryParse(f.subarray(0, cut))).not.toBe("ok");
      const longer = new Uint8Array(f.length + 3);
      longer.set(f);
      expect(await tryParse(longer)).not.toBe("ok");
    }
  });
});
