import "@dcnpi/arithmetic/wasm";
import { readFileSync } from "node:fs";
import { decodeSymbols, encodeSymbols, type ContextClasses } from "@dcnpi/arithmetic";
import { describe, expect, it } from "vitest";
import { unpackBits } from "./bit-packing.js";
import { gapStreamClasses, parseContainer, serializeContainer, toDense, toLayerInput, weightStreamClasses } from "./index.js";
import { encodeLayer } from "./layer-codec.js";

/*
 * `@dcnpi/arithmetic` decodes version-2 streams with a WebAssembly loop where it can and a JavaScript
 * loop otherwise; both must give the same symbols on the real streams this format stores: the code and
 * gap streams of the repro's quantised LeNet-300-100 (the web app's model, real MNIST training), plain
 * and context-coded with the format's classes.
 */
const file = new Uint8Array(readFileSync(new URL("../../../apps/web/public/models/lenet-300-100.dcnpi", import.meta.url)));

describe("arithmetic decode loops on the real LeNet-300-100 streams", () => {
  it("give the same symbols from the JavaScript and the WebAssembly loop, plain and context-coded", async () => {
    const contents = await parseContainer(file);
    let streams = 0;
    for (const layer of contents.layers) {
      const fixed = encodeLayer({
        ...toLayerInput(layer),
        formatVersion: 2,
        huffman: { weights: false, indices: false },
      });
      const gaps =
        fixed.indices === null
          ? undefined
          : unpackBits(
              fixed.indices.bytes,
              layer.indexBits!,
              fixed.indices.symbolCount,
              new Uint16Array(fixed.indices.symbolCount),
              "gaps",
            );
      const codes = unpackBits(
        fixed.weights.bytes,
        layer.weightBits,
        fixed.weights.symbolCount,
        new Uint16Array(fixed.weights.symbolCount),
        "codes",
      );
      const roles: [Uint16Array, ContextClasses][] = [
        [codes, weightStreamClasses(layer.codebook, layer.weightBits, gaps, layer.indexBits ?? undefined)],
      ];
      if (gaps !== undefined) roles.push([gaps, gapStreamClasses(layer.indexBits!)]);
      for (const [symbols, classes] of roles) {
        for (const options of [{}, { classes }]) {
          const bytes = encodeSymbols(symbols, options);
          const js = decodeSymbols(bytes, { ...options, decoder: "js" });
          const wasm = decodeSymbols(bytes, { ...options, decoder: "wasm" });
          expect(js).toEqual(Uint32Array.from(symbols));
          expect(wasm).toEqual(js);
          streams++;
        }
      }
    }
    expect(streams).toBe(12); // three layers, codes and gaps, plain and context-coded
  });

  it("read back the same weights from the file re-encoded with the arithmetic coder (the default loop)", async () => {
    const contents = await parseContainer(file);
    const layers = contents.layers.map((l) =>
      encodeLayer({
        ...toLayerInput(l),
        coder: "best",
        formatVersion: 2,
      }),
    );
    const denseTensors = contents.denseTensors.map((d) => ({ name: d.name, shape: d.shape, data: d.data, info: d.info }));
    const bytes = serializeContainer({ layers, denseTensors, metadata: contents.metadata, format: { version: 2, header: "binary" } });
    const again = await parseContainer(bytes);
    // ip1's streams, over 22,000 symbols each, are stored context-coded (decoded by the WebAssembly loop).
    expect([layers[0]!.weights.encoding, layers[0]!.indices?.encoding]).toEqual(["arithmetic-context", "arithmetic-context"]);
    // Every weight bit for bit ("best" also renumbers the codes to a sorted, packed codebook).
    for (let k = 0; k < contents.layers.length; k++) expect(toDense(again.layers[k]!)).toEqual(toDense(contents.layers[k]!));
  });
});
