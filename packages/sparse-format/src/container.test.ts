import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAtomicTempName } from "@dcnpi/base/node";
import { Rng } from "@dcnpi/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { makeQuantizedLayer, makeSparseLayer } from "../test/fixtures.js";
import { sealContainer, splitContainer } from "../test/reseal.js";
import { serializeContainer, type ContainerContents } from "./container-writer.js";
import { ContainerWriter, writeContainer } from "./node/container-file-writer.js";
import { memorySource, type ByteSource } from "./byte-source.js";
import { ContainerReader, openContainerBytes, parseContainer } from "./container-reader.js";
import { openContainer, readContainer } from "./node/container-file.js";
import { SparseFormatError } from "./errors.js";
import { formatInspection, inspectContainerBytes } from "./inspect.js";
import { inspectContainer } from "./node/inspect-file.js";
import { encodeLayer } from "./layer-codec.js";
import { toDense, toDenseCodes } from "./layer-decode.js";

const dir = mkdtempSync(join(tmpdir(), "dcnpi-container-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeContents(seed: string): { contents: ContainerContents; inputs: ReturnType<typeof makeSparseLayer>[] } {
  const rng = Rng.fromSeed(seed);
  const inputs = [
    makeSparseLayer(rng, "ip1/kernel", [80, 50], { density: 0.08, weightBits: 6, indexBits: 5 }),
    makeSparseLayer(rng, "ip2/kernel", [50, 10], {
      density: 0.26,
      weightBits: 6,
      indexBits: 3,
      huffman: { weights: false, indices: true },
    }),
    makeQuantizedLayer(rng, "conv1/kernel", [5, 5, 1, 4], 8),
  ];
  const layers = inputs.map((input, i) =>
    encodeLayer({ ...input, info: { layer: input.name.split("/")[0]!, layerClass: i === 2 ? "Conv2D" : "Dense", role: "kernel" } }),
  );
  const contents: ContainerContents = {
    layers,
    denseTensors: [
      { name: "ip1/bias", shape: [50], data: Float32Array.from({ length: 50 }, (_, i) => i / 7), info: { layer: "ip1", role: "bias" } },
      { name: "bn/moving_mean", shape: [4], data: Float32Array.of(0.1, -0.2, 0.3, -0.4) },
      { name: "step", shape: [], data: Int32Array.of(1234) },
      { name: "mask", shape: [3], data: Uint8Array.of(1, 0, 1) },
    ],
    metadata: { modelTopology: { class_name: "Sequential", config: { layers: [{ class_name: "Dense" }] } }, report: { ratio: 40 } },
  };
  return { contents, inputs };
}

describe("container file", () => {
  const { contents, inputs } = makeContents("container");

  it("writes atomically and reads back every entry exactly", async () => {
    const path = join(dir, "model.dcnpi");
    const summary = await writeContainer(path, contents);
    expect(readdirSync(dir).filter(isAtomicTempName)).toEqual([]);
    expect(readFileSync(path).length).toBe(summary.fileBytes);
    const read = await readContainer(path);
    expect(read.metadata).toEqual(contents.metadata);
    expect(read.layers.map((l) => l.name)).toEqual(["ip1/kernel", "ip2/kernel", "conv1/kernel"]);
    read.layers.forEach((layer, i) => {
      expect(layer.shape).toEqual(inputs[i]!.shape);
      expect(Array.from(toDenseCodes(layer))).toEqual(Array.from(inputs[i]!.codes));
      expect(layer.codebook).toEqual(inputs[i]!.codebook);
      expect(toDense(layer)).toEqual(Float32Array.from(inputs[i]!.codes, (c) => inputs[i]!.codebook[c]!));
    });
    expect(read.layers[0]!.info).toEqual({ layer: "ip1", layerClass: "Dense", role: "kernel" });
    expect(read.denseTensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ["ip1/bias", "float32", [50]],
      ["bn/moving_mean", "float32", [4]],
      ["step", "int32", []],
      ["mask", "uint8", [3]],
    ]);
    read.denseTensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(contents.denseTensors![i]!.data)));
  });

  it("writes the same bytes to a file as serializeContainer gives in memory, every time", async () => {
    const path = join(dir, "same.dcnpi");
    await writeContainer(path, contents);
    const again = makeContents("container").contents;
    expect(new Uint8Array(readFileSync(path))).toEqual(serializeContainer(again));
  });

  it("reads one layer without decoding the others (streaming reader)", async () => {
    const path = join(dir, "stream.dcnpi");
    await writeContainer(path, contents);
    const reader = await openContainer(path);
    try {
      expect(reader.entries.map((e) => e.kind)).toEqual(["sparse", "sparse", "quantized", "dense", "dense", "dense", "dense"]);
      const layer = await reader.readLayer("ip2/kernel");
      expect(Array.from(toDenseCodes(layer))).toEqual(Array.from(inputs[1]!.codes));
      expect((await reader.readDenseTensor("step")).data).toEqual(Int32Array.of(1234));
      await expect(reader.readLayer("nope")).rejects.toMatchObject({ code: "UNKNOWN_ENTRY" });
      await expect(reader.readLayer("step")).rejects.toMatchObject({ code: "UNKNOWN_ENTRY" });
    } finally {
      await reader.close();
    }
  });

  it("keeps the model's entry order when entries are added one by one, interleaved", async () => {
    const path = join(dir, "ordered.dcnpi");
    const writer = await ContainerWriter.create(path);
    await writer.addLayer(contents.layers![0]!);
    await writer.addDenseTensor(contents.denseTensors![0]!);
    await writer.addLayer(contents.layers![1]!);
    await writer.finish({ note: "interleaved" });
    const read = await readContainer(path);
    expect(read.order).toEqual(["ip1/kernel", "ip1/bias", "ip2/kernel"]);
    expect(read.layers.map((l) => l.name)).toEqual(["ip1/kernel", "ip2/kernel"]);
  });

  it("reads only the header and the requested layer's sections", async () => {
    const bytes = serializeContainer(contents);
    const reads: [number, number][] = [];
    const inner = memorySource(bytes);
    const counting: ByteSource = {
      ...inner,
      read: (offset, length) => (reads.push([offset, length]), inner.read(offset, length)),
      readSync: (offset, length) => (reads.push([offset, length]), inner.readSync!(offset, length)),
    };
    const reader = await ContainerReader.open(counting);
    const opened = reads.reduce((s, [, l]) => s + l, 0);
    expect(opened).toBe(16 + 16 + reader.headerBytes);
    await reader.readLayer("ip2/kernel");
    const entry = reader.entry("ip2/kernel");
    if (entry.kind !== "sparse") throw new Error("fixture");
    const sectionBytes = entry.sections.codebook.length + entry.sections.weights.length + entry.sections.indices.length;
    expect(reads.reduce((s, [, l]) => s + l, 0) - opened).toBe(sectionBytes);
    expect(sectionBytes).toBeLessThan(bytes.length / 3);
  });

  it("streams layers in with ContainerWriter and leaves nothing behind on abort or failure", async () => {
    const path = join(dir, "incremental.dcnpi");
    const writer = await ContainerWriter.create(path);
    await writer.addLayer(contents.layers![0]!);
    await writer.abort();
    expect(readdirSync(dir).some((f) => f.startsWith(".incremental"))).toBe(false);
    expect(readdirSync(dir)).not.toContain("incremental.dcnpi");

    // A failure half way (a duplicate name) must not replace an existing file.
    writeFileSync(path, "previous");
    await expect(writeContainer(path, { layers: [contents.layers![0]!, contents.layers![0]!] })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(readFileSync(path, "utf8")).toBe("previous");
    expect(readdirSync(dir).filter(isAtomicTempName)).toEqual([]);
    await expect(writeContainer(path, { metadata: { big: 10n } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(readFileSync(path, "utf8")).toBe("previous");
  });

  it("reports file-system failures as IO_ERROR naming the path and leaves no temporary file", async () => {
    const blocker = join(dir, "not-a-directory");
    writeFileSync(blocker, "x");
    const created = writeContainer(join(blocker, "model.dcnpi"), contents);
    await expect(created).rejects.toMatchObject({
      code: "IO_ERROR",
      message: expect.stringContaining("cannot create a temporary file for"),
    });
    const occupied = join(dir, "occupied.dcnpi");
    mkdirSync(join(occupied, "inside"), { recursive: true });
    const error = await writeContainer(occupied, contents).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SparseFormatError);
    expect(error).toMatchObject({ code: "IO_ERROR", message: expect.stringContaining(`cannot finish ${occupied}`) });
    expect(readdirSync(dir).filter(isAtomicTempName)).toEqual([]);
  });

  it("inspect: per-entry bytes plus overhead equal the file size to the byte, and paper bits add up", async () => {
    const path = join(dir, "inspect.dcnpi");
    const summary = await writeContainer(path, contents);
    const lines: string[] = [];
    const report = await inspectContainer(path, { log: (t) => lines.push(t) });
    const entryBytes = report.rows.reduce((s, r) => s + r.fileBytes, 0);
    const o = report.overhead;
    expect(entryBytes + o.preambleBytes + o.headerBytes + o.trailerBytes).toBe(summary.fileBytes);
    expect(report.fileBytes).toBe(summary.fileBytes);
    // Paper rows equal the encoder's own accounting, layer by layer.
    report.rows.slice(0, 3).forEach((row, i) => expect(row.paper).toEqual(contents.layers![i]!.accounting));
    const paperBits = contents.layers!.reduce((s, l) => s + l.accounting.paperTotalBits, 0);
    expect(report.paper.totalBits).toBe(paperBits);
    expect(report.rows.slice(3).every((r) => r.paper === null)).toBe(true);
    expect(lines.join("\n")).toContain("adds up");
    expect(lines.join("\n")).toContain("ip1/kernel");
    expect(formatInspection(report)).toBe(lines[0]);
  });

  it("detects a corrupted section by its CRC and names the entry", async () => {
    const bytes = serializeContainer(contents);
    const reader = await openContainerBytes(bytes);
    const target = reader.entry("ip2/kernel");
    if (target.kind !== "sparse") throw new Error("fixture");
    const broken = bytes.slice();
    broken[target.sections.indices.offset + 1]! ^= 0x10;
    await expect(parseContainer(broken)).rejects.toMatchObject({ code: "CRC_MISMATCH", message: expect.stringContaining("ip2/kernel") });
    const header = bytes.slice();
    header[bytes.length - 20]! ^= 1; // last byte of the JSON header
    await expect(parseContainer(header)).rejects.toMatchObject({ code: "CRC_MISMATCH" });
  });

  it("fails every truncated prefix with a typed error", async () => {
    const bytes = serializeContainer(makeContents("small").contents);
    for (let cut = 0; cut < bytes.length; cut++) {
      await expect(parseContainer(bytes.subarray(0, cut))).rejects.toBeInstanceOf(SparseFormatError);
    }
    await expect(parseContainer(bytes.subarray(0, 40))).rejects.toMatchObject({ code: "TRUNCATED" });
  });

  it("rejects wrong magic, versions and flags", async () => {
    const bytes = serializeContainer({ metadata: null });
    expect(bytes.length).toBe(16 + JSON.stringify({ format: "dcnpi", version: 1, entries: [], metadata: null }).length + 16);
    const magic = bytes.slice();
    magic[1] = 0x45;
    await expect(parseContainer(magic)).rejects.toMatchObject({ code: "BAD_MAGIC" });
    const version = bytes.slice();
    version[8] = 2;
    await expect(parseContainer(version)).rejects.toMatchObject({ code: "UNSUPPORTED_VERSION" });
    const flags = bytes.slice();
    flags[12] = 1;
    await expect(parseContainer(flags)).rejects.toMatchObject({ code: "UNSUPPORTED_VERSION" });
    await expect(parseContainer(new TextEncoder().encode("not a container at all, just text"))).rejects.toMatchObject({
      code: "BAD_MAGIC",
    });
  });

  it("refuses to decode a tensor larger than the caller allows, however few bytes declare it", async () => {
    // A crafted file: a 16-element layer whose header (CRCs made right) claims 2^30 elements.
    const codes = new Uint8Array(16);
    codes[3] = 1;
    const small = serializeContainer({
      layers: [encodeLayer({ name: "huge", shape: [4, 4], codes, codebook: Float32Array.of(0, 1), weightBits: 1, indexBits: 4 })],
    });
    const { data, header, magic } = splitContainer(small);
    header.entries[0].shape = [32_768, 32_768];
    const crafted = sealContainer(data, header, magic);
    expect(crafted.length).toBeLessThan(1000);
    await expect(parseContainer(crafted)).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", message: expect.stringContaining("huge") });
    // A caller who trusts the file raises every limit the declared size meets (per tensor, total, unstored tail).
    const trusting = { maxTensorElements: 2 ** 30, maxTotalElements: 2 ** 30, maxTotalBytes: 2 ** 32, maxZeroTailElements: 2 ** 30 };
    const reader = await openContainerBytes(crafted, trusting);
    const layer = await reader.readLayer("huge");
    expect(Array.from(layer.positions!)).toEqual([3]);
  });
});
