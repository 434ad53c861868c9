/**
 * Issue 16, the reading side: crafted files that lie about their sizes must be refused with a typed
 * error before anything large is allocated, within the limits stated in `read-limits.ts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@dcnpi/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { parseContainer } from "../src/container-reader.js";
import { serializeContainer } from "../src/container-writer.js";
import { SparseFormatError } from "../src/errors.js";
import { encodeLayer } from "../src/layer-codec.js";
import { decodeStream, toDense } from "../src/layer-decode.js";
import { DEFAULT_READ_LIMITS, resolveReadLimits } from "../src/read-limits.js";
import { makeSparseLayer } from "./fixtures.js";
import { bombContainer, craftContainer, deepMetadataContainer, expressibleBombContainer } from "./hostile-files.js";

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dcnpi-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function errorOf(promise: Promise<unknown>): Promise<SparseFormatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SparseFormatError) return error;
    throw error;
  }
  throw new Error("expected a SparseFormatError, the file was accepted");
}

/** Reads `bytes` in a fresh Node process; its peak RSS growth and time, and the error it got. */
function readInChild(bytes: Uint8Array, name: string): { code: string; message: string; rssGrowthBytes: number; ms: number } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const out = execFileSync(process.execPath, ["--conditions=@dcnpi/source", "--import", "tsx", join(here, "read-in-child.ts"), path], {
    cwd: here,
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("read limits", () => {
  it("are data: defaults load a 100M-parameter model, overrides replace single limits", () => {
    expect(DEFAULT_READ_LIMITS.maxTotalElements).toBeGreaterThanOrEqual(1e8);
    expect(DEFAULT_READ_LIMITS.maxTotalBytes).toBeGreaterThanOrEqual(4e8);
    expect(resolveReadLimits({ maxEntries: 3 })).toEqual({ ...DEFAULT_READ_LIMITS, maxEntries: 3 });
    expect(() => resolveReadLimits({ maxEntries: -1 })).toThrow(/maxEntries must be a non-negative integer/);
  });

  it("each limit is a typed LIMIT_EXCEEDED naming the entry and the limit", async () => {
    const rng = Rng.fromSeed("limits");
    const bytes = serializeContainer({
      layers: [encodeLayer(makeSparseLayer(rng, "fc/kernel", [20, 10], { density: 0.2, weightBits: 4, indexBits: 3 }))],
      denseTensors: [{ name: "fc/bias", shape: [10], data: new Float32Array(10) }],
      metadata: { a: { b: { c: [1] } } },
    });
    expect((await parseContainer(bytes)).order).toEqual(["fc/kernel", "fc/bias"]);
    const cases: [Partial<typeof DEFAULT_READ_LIMITS>, RegExp][] = [
      [{ maxTensorElements: 100 }, /"fc\/kernel".*200 elements.*100/],
      [{ maxTotalElements: 205 }, /entry "fc\/bias".*210 elements exceed the read limit maxTotalElements = 205/],
      [{ maxTotalBytes: 820 }, /entry "fc\/bias".*840 decoded bytes exceed the read limit maxTotalBytes = 820/],
      [{ maxEntries: 1 }, /2 entries exceed the read limit maxEntries = 1/],
      [{ maxHeaderBytes: 100 }, /JSON header: \d+ bytes exceed the read limit maxHeaderBytes = 100/],
      [{ maxMetadataDepth: 3 }, /metadata.*maxMetadataDepth = 3/],
    ];
    for (const [limits, message] of cases) {
      const error = await errorOf(parseContainer(bytes, limits));
      expect(error.code).toBe("LIMIT_EXCEEDED");
      expect(error.message).toMatch(message);
    }
  });
});

describe("hostile containers", () => {
  it("decompression bomb: entries storing nothing but declaring 2^28 elements are refused (issue 16 item 1)", async () => {
    const bytes = bombContainer(2);
    expect(bytes.length).toBeLessThan(4096);
    const error = await errorOf(parseContainer(bytes));
    expect(error.code).toBe("LIMIT_EXCEEDED");
    expect(error.message).toMatch(
      /entry "bomb0\/kernel".*268435456 positions, 0 entries with 16-bit gaps express 65536.*maxZeroTailElements/,
    );
    // The strict rule: no unstored tail at all.
    const one = craftContainer([{ name: "w", shape: [2 ** 16 + 1], entries: 0 }]);
    expect((await errorOf(parseContainer(one, { maxZeroTailElements: 0 }))).code).toBe("LIMIT_EXCEEDED");
    expect(
      (await parseContainer(craftContainer([{ name: "w", shape: [2 ** 16], entries: 0 }]), { maxZeroTailElements: 0 })).layers,
    ).toHaveLength(1);
  });

  it("expressible but too large in total: 3 x 2^27 declared elements in 12 KB are refused by maxTotalElements", async () => {
    const bytes = expressibleBombContainer(3);
    expect(bytes.length).toBeLessThan(16_384);
    const error = await errorOf(parseContainer(bytes));
    expect(error.code).toBe("LIMIT_EXCEEDED");
    expect(error.message).toMatch(
      /entry "big2\/kernel" \(with the entries before it\): 402653184 elements exceed the read limit maxTotalElements/,
    );
    // One of them is a valid file within the limits: every filler lands inside the tensor.
    const single = await parseContainer(craftContainer([{ name: "w", shape: [2048 * 2 ** 16], entries: 2048 }]), {});
    expect(single.layers[0]!.elementCount).toBe(2 ** 27);
    expect(single.layers[0]!.fillerCount).toBe(2048);
  });

  it("metadata nested 1,000 and 200,000 deep: LIMIT_EXCEEDED, never a stack overflow", async () => {
    expect((await errorOf(parseContainer(deepMetadataContainer(1000)))).message).toMatch(/maxMetadataDepth = 256/);
    const deep = await errorOf(parseContainer(deepMetadataContainer(200_000)));
    expect(["LIMIT_EXCEEDED", "INVALID_HEADER"]).toContain(deep.code);
  });

  it("a fully pruned layer written today (zero tail of 100,000) still loads with the default limits", async () => {
    const layer = encodeLayer({
      name: "pruned/kernel",
      shape: [100, 1000],
      codes: new Uint8Array(100_000),
      codebook: Float32Array.of(0, 1),
      weightBits: 1,
      indexBits: 4,
    });
    const read = await parseContainer(serializeContainer({ layers: [layer] }));
    expect(toDense(read.layers[0]!).every((v) => v === 0)).toBe(true);
  });

  it("in a child process the bombs are refused with < 256 MB of RSS growth in < 10 s", () => {
    for (const [name, bytes] of [
      ["bomb.dcnpi", bombContainer(2)],
      ["expressible-bomb.dcnpi", expressibleBombContainer(3)],
    ] as const) {
      const result = readInChild(bytes, name);
      if (process.env["DCNPI_FUZZ_REPORT"]) console.log(name, result);
      expect(result.code).toBe("LIMIT_EXCEEDED");
      expect(result.rssGrowthBytes).toBeLessThan(256 * 2 ** 20);
      expect(result.ms).toBeLessThan(10_000);
    }
  });
});

describe("decodeStream", () => {
  it("names the stream once in its message (issue 16 item 7)", () => {
    const what = 'layer "fc/kernel" weight codes';
    let message = "";
    try {
      decodeStream({ encoding: "huffman", symbolCount: 1, payloadBits: 1, bytes: Uint8Array.of(1) }, 4, what);
    } catch (error) {
      expect(error).toBeInstanceOf(SparseFormatError);
      message = (error as Error).message;
    }
    expect(message.startsWith(`${what}: `)).toBe(true);
    expect(message.split(what)).toHaveLength(2);
  });
});
