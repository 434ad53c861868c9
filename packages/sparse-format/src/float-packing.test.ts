import { Rng } from "@dcnpi/tensor";
import { describe, expect, it } from "vitest";
import { sealContainer, splitContainer } from "../test/reseal.js";
import { parseContainer } from "./container-reader.js";
import { serializeContainer } from "./container-writer.js";
import { packFloat32, unpackFloat32 } from "./float-packing.js";

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function expectCorrupt(run: () => unknown, message: RegExp): void {
  expect(run).toThrow(
    expect.objectContaining({ name: "SparseFormatError", code: "CORRUPT_STREAM", message: expect.stringMatching(message) }),
  );
}

describe("packed float32 tensors (format version 2)", () => {
  it("round-trips every bit pattern exactly and is smaller than float32 on bias-like vectors", () => {
    const rng = Rng.fromSeed("float-packing");
    const bias = Float32Array.from({ length: 500 }, () => rng.normal() * 0.05);
    const packed = packFloat32(bias)!;
    expect(sameBits(unpackFloat32(packed, bias.length, "t"), bias)).toBe(true);
    // 3 bytes a value plus ~3 bits of exponent: about 15 % below float32.
    expect(packed.length).toBeLessThan(bias.length * 4 * 0.9);
    const special = new Float32Array(
      new Uint32Array([0x7fc00001, 0xff800000, 0x80000000, 0x00000001, 0x7f7fffff, 0xffc12345, 0, 0x3f800000]).buffer,
    );
    const again = packFloat32(Float32Array.from({ length: 64 }, (_, i) => special[i % special.length]!))!;
    expect(
      sameBits(
        unpackFloat32(again, 64, "t"),
        Float32Array.from({ length: 64 }, (_, i) => special[i % special.length]!),
      ),
    ).toBe(true);
    // Too few values to pay for the exponent stream: stays float32 (null).
    expect(packFloat32(Float32Array.of(0.5))).toBeNull();
    expect(packFloat32(new Float32Array(0))).toBeNull();
  });

  it("damaged bytes are CORRUPT_STREAM naming what is wrong: every truncation, a longer tail, a wrong count", () => {
    const rng = Rng.fromSeed("float-damage");
    const values = Float32Array.from({ length: 40 }, () => rng.normal());
    const packed = packFloat32(values)!;
    for (let cut = 0; cut < packed.length; cut++)
      expect(() => unpackFloat32(packed.subarray(0, cut), 40, "t")).toThrow(expect.objectContaining({ code: "CORRUPT_STREAM" }));
    expectCorrupt(() => unpackFloat32(Uint8Array.from([...packed, 0, 0, 0]), 40, "t"), /123 bytes after them for 40 values/);
    expectCorrupt(() => unpackFloat32(packed, 39, "t"), /exponent stream/);
    // The exponent stream's own damage surfaces with the arithmetic coder's reason.
    const damaged = packed.slice();
    damaged[0] = 7;
    expect(() => unpackFloat32(damaged, 40, "t")).toThrow(
      expect.objectContaining({ code: "CORRUPT_STREAM", message: expect.stringContaining("exponent stream") }),
    );
  });

  it("a version-2 container with dense: packed stores float32 tensors packed (both headers); int32 and uint8 as they are; version 1 refuses it", async () => {
    const rng = Rng.fromSeed("float-container");
    const denseTensors = [
      { name: "fc/bias", shape: [300], data: Float32Array.from({ length: 300 }, () => rng.normal() * 0.1), info: { role: "bias" } },
      { name: "steps", shape: [2], data: Int32Array.of(-7, 2 ** 31 - 1) },
      { name: "mask", shape: [3], data: Uint8Array.of(0, 1, 255) },
    ];
    for (const header of ["json", "binary"] as const) {
      const packed = serializeContainer({ denseTensors, format: { version: 2, header, dense: "packed" } });
      const plain = serializeContainer({ denseTensors, format: { version: 2, header } });
      expect(packed.length).toBeLessThan(plain.length - 100);
      const back = await parseContainer(packed);
      expect(back.denseTensors.map((t) => t.name)).toEqual(["fc/bias", "steps", "mask"]);
      for (const [i, t] of back.denseTensors.entries())
        expect(Buffer.from(t.data.buffer).equals(Buffer.from(denseTensors[i]!.data.buffer)), t.name).toBe(true);
    }
    expect(() => serializeContainer({ denseTensors, format: { version: 1, dense: "packed" } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("version 2") }),
    );
    const json = serializeContainer({ denseTensors, format: { version: 2, header: "json", dense: "packed" } });
    const { data, header, magic } = splitContainer(json);
    expect((header.entries[0] as { sections: { data: { encoding?: string } } }).sections.data.encoding).toBe("packed");
    // An int32 tensor claiming packed data, resealed with every CRC right: INVALID_HEADER.
    (header.entries[1] as { sections: { data: { encoding?: string } } }).sections.data.encoding = "packed";
    await expect(parseContainer(sealContainer(data, header, magic))).rejects.toMatchObject({
      code: "INVALID_HEADER",
      message: expect.stringContaining("only float32 data may be packed"),
    });
  });
});
