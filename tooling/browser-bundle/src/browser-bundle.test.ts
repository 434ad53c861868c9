import { describe, expect, it } from "vitest";
import { bundleForBrowser } from "./browser-bundle.js";
import { BROWSER_ENTRIES, DECODER_BUDGET_BYTES, DECODER_SOURCE, wholeEntry } from "./browser-entries.js";

describe("browser bundles", () => {
  it.each(BROWSER_ENTRIES)("%s bundles for the browser with no Node module and only TensorFlow.js left external", async (entry) => {
    const bundle = await bundleForBrowser(wholeEntry(entry));
    expect(bundle.nodeImports).toEqual([]);
    expect(bundle.minifiedBytes).toBeGreaterThan(0);
    for (const external of bundle.externals) expect(external).toMatch(/^@tensorflow\/tfjs-(core|layers)(\/|$)/);
  });

  it("finds the Node modules of a ./node entry, naming the importing file (the check is not vacuous)", async () => {
    const bundle = await bundleForBrowser(wholeEntry("@dcnpi/sparse-format/node"));
    expect(bundle.nodeImports.map((i) => i.module)).toContain("node:fs");
    expect(bundle.nodeImports.some((i) => i.importer.includes("sparse-format/src/node/"))).toBe(true);
  });

  it(`the .dcnpi decoder (dcnpiModel) is at most ${DECODER_BUDGET_BYTES} bytes minified + gzipped, TensorFlow.js excluded`, async () => {
    const bundle = await bundleForBrowser(DECODER_SOURCE);
    expect(bundle.nodeImports).toEqual([]);
    expect(bundle.gzipBytes).toBeLessThanOrEqual(DECODER_BUDGET_BYTES);
    // It decodes every container in the one bundle: the reader, Huffman (version 1), arithmetic streams and the binary
    // header (version 2), graph models, the handler. It carries neither the compression pipeline nor zod (the metadata
    // is checked by hand, deep-compression's metadata-check.ts).
    const files = Object.keys(bundle.inputs);
    for (const part of [
      "sparse-format/src/container-reader.ts",
      "huffman/src/huffman-stream.ts",
      "arithmetic/src/arithmetic-stream.ts",
      "sparse-format/src/binary-header.ts",
      "deep-compression/src/graph-model-artifacts.ts",
      "deep-compression/src/dcnpi-model.ts",
    ])
      expect(
        files.some((f) => f.endsWith(part)),
        part,
      ).toBe(true);
    expect(bundle.code).not.toMatch(/\bimport\(/);
    for (const absent of ["deep-compression/src/prune.ts", "deep-compression/src/quantize.ts", "/zod/"])
      expect(
        files.some((f) => f.includes(absent)),
        absent,
      ).toBe(false);
  });
});
