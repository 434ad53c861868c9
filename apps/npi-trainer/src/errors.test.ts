import { DcnpiError } from "@dcnpi/base";
import { describe, expect, expectTypeOf, it } from "vitest";
import { NpiAppError, type NpiAppErrorCode } from "./errors.js";

describe("NpiAppError", () => {
  it("is a DcnpiError with its own name, a literal code and a cause", () => {
    const cause = new Error("underneath");
    const error = new NpiAppError("MODEL_FILE", "model.dcnpi: not a checkpoint or a .dcnpi file", { cause });
    expect(error).toBeInstanceOf(DcnpiError);
    expect(DcnpiError.is(error)).toBe(true);
    expect([error.name, error.code, error.cause]).toEqual(["NpiAppError", "MODEL_FILE", cause]);
    expectTypeOf<NpiAppError["code"]>().toEqualTypeOf<NpiAppErrorCode>();
  });
});
