import { describe, expect, it } from "vitest";
import { crc32, DcnpiError, decodeBase64, encodeBase64 } from "./index.js";

class ExampleError extends DcnpiError<"BAD_THING" | "WORSE_THING"> {}

describe("DcnpiError", () => {
  it("carries a literal code, the subclass name and a cause", () => {
    const cause = new Error("underneath");
    const error = new ExampleError("BAD_THING", "ip1/kernel: expected [784,300]", { cause });
    expect(error).toBeInstanceOf(DcnpiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("BAD_THING");
    expect(error.name).toBe("ExampleError");
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe("ExampleError: ip1/kernel: expected [784,300]");
  });

  it("is recognised through its brand even without instanceof (a second copy of the package)", () => {
    const foreign = Object.create(Error.prototype) as Record<symbol, unknown>;
    Object.defineProperty(foreign, Symbol.for("@dcnpi/base/DcnpiError"), { value: true });
    expect(DcnpiError.is(foreign)).toBe(true);
    expect(DcnpiError.is(new ExampleError("WORSE_THING", "x"))).toBe(true);
    expect(DcnpiError.is(new RangeError("x"))).toBe(false);
    expect(DcnpiError.is({ code: "BAD_THING" })).toBe(false);
    expect(DcnpiError.is(null)).toBe(false);
  });
});

describe("crc32", () => {
  it("matches the standard check value and continues over pieces", () => {
    const bytes = new TextEncoder().encode("123456789");
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32(bytes.subarray(4), crc32(bytes.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("base64", () => {
  it("matches Node's encoder on every length 0-64 and round-trips", () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64"));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it("refuses malformed text", () => {
    for (const bad of ["a", "ab=c", "a===", "ab!d", "é=="]) expect(decodeBase64(bad)).toBeUndefined();
  });
});
