// Every error a dcnpi package throws on purpose is a DcnpiError with a literal code, its own name and
// an optional cause, so a command line tells "bad input, here is what" from a bug with one check.
// It lives in this app because the app may import every package (a package test would add cycles).
import { DcnpiError } from "@dcnpi/base";
import { DatasetError, type DatasetErrorCode } from "@dcnpi/datasets";
import { CompressionError, type CompressionErrorCode } from "@dcnpi/deep-compression";
import { EngineError, type EngineErrorCode } from "@dcnpi/engine";
import { HuffmanError, type HuffmanErrorCode } from "@dcnpi/huffman";
import { ModelZooError, type ModelZooErrorCode } from "@dcnpi/model-zoo";
import { NpiError, type NpiErrorCode } from "@dcnpi/npi-core";
import { NpiEnvError, type NpiEnvErrorCode } from "@dcnpi/npi-envs";
import { CarWorldError, type CarWorldErrorCode } from "@dcnpi/npi-envs/car-world";
import { PruningError, type PruningErrorCode } from "@dcnpi/pruning";
import { QuantizationError, type QuantizationErrorCode } from "@dcnpi/quantization";
import { RunError, type RunErrorCode } from "@dcnpi/run-kit";
import { SparseFormatError, type SparseFormatErrorCode } from "@dcnpi/sparse-format";
import { TensorError, type TensorErrorCode } from "@dcnpi/tensor";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CheckpointError } from "./deep-compression/checkpoint.js";
import { UsageError } from "./deep-compression/options.js";
import { SettingsMismatchError } from "./deep-compression/run-deep-compression.js";

const packageErrors = [
  ["DatasetError", new DatasetError("MISSING_FILE", "m")],
  ["CompressionError", new CompressionError("INVALID_PLAN", "m")],
  ["EngineError", new EngineError("UNSUPPORTED", "m")],
  ["HuffmanError", new HuffmanError("TRUNCATED", "m")],
  ["ModelZooError", new ModelZooError("SHAPE_MISMATCH", "m")],
  ["NpiError", new NpiError("INVALID_TRACE", "m")],
  ["CarWorldError", new CarWorldError("INVALID_PNG", "m")],
  ["NpiEnvError", new NpiEnvError("NO_PATH", "m")],
  ["PruningError", new PruningError("INVALID_RECORD", "m")],
  ["QuantizationError", new QuantizationError("MISSING_RNG", "m")],
  ["RunError", new RunError("CORRUPT_STAGE", "m")],
  ["SparseFormatError", new SparseFormatError("CRC_MISMATCH", "m")],
  ["TensorError", new TensorError("INVALID_SEED", "m")],
] as const;

describe("every dcnpi error class", () => {
  it.each(packageErrors)("%s is a DcnpiError with its own name and code", (name, error) => {
    expect(error).toBeInstanceOf(DcnpiError);
    expect(error).toBeInstanceOf(Error);
    expect(DcnpiError.is(error)).toBe(true);
    expect(error.name).toBe(name);
    expect(error.constructor.name).toBe(name);
    expect(String(error)).toBe(`${name}: m`);
    expect(typeof error.code).toBe("string");
  });

  it("keeps the cause it is given", () => {
    const cause = new Error("underneath");
    for (const make of [
      () => new SparseFormatError("IO_ERROR", "m", { cause }),
      () => new HuffmanError("TRUNCATED", "m", { cause }),
      () => new NpiEnvError("INVALID_INPUT", "m", { cause }),
      () => new UsageError("m", { cause }),
    ]) {
      expect(make().cause).toBe(cause);
    }
  });

  it("the app's own errors are DcnpiErrors with their fixed codes", () => {
    for (const [error, name, code] of [
      [new UsageError("m"), "UsageError", "USAGE"],
      [new SettingsMismatchError("m"), "SettingsMismatchError", "SETTINGS_MISMATCH"],
      [new CheckpointError("m"), "CheckpointError", "CORRUPT_CHECKPOINT"],
    ] as const) {
      expect(DcnpiError.is(error)).toBe(true);
      expect([error.name, error.code, error.message]).toEqual([name, code, "m"]);
    }
  });

  it("codes stay literal unions (checked by the type checker)", () => {
    expectTypeOf<DatasetError["code"]>().toEqualTypeOf<DatasetErrorCode>();
    expectTypeOf<CompressionError["code"]>().toEqualTypeOf<CompressionErrorCode>();
    expectTypeOf<EngineError["code"]>().toEqualTypeOf<EngineErrorCode>();
    expectTypeOf<HuffmanError["code"]>().toEqualTypeOf<HuffmanErrorCode>();
    expectTypeOf<ModelZooError["code"]>().toEqualTypeOf<ModelZooErrorCode>();
    expectTypeOf<NpiError["code"]>().toEqualTypeOf<NpiErrorCode>();
    expectTypeOf<CarWorldError["code"]>().toEqualTypeOf<CarWorldErrorCode>();
    expectTypeOf<NpiEnvError["code"]>().toEqualTypeOf<NpiEnvErrorCode>();
    expectTypeOf<PruningError["code"]>().toEqualTypeOf<PruningErrorCode>();
    expectTypeOf<QuantizationError["code"]>().toEqualTypeOf<QuantizationErrorCode>();
    expectTypeOf<RunError["code"]>().toEqualTypeOf<RunErrorCode>();
    expectTypeOf<SparseFormatError["code"]>().toEqualTypeOf<SparseFormatErrorCode>();
    expectTypeOf<TensorError["code"]>().toEqualTypeOf<TensorErrorCode>();
    expectTypeOf<UsageError["code"]>().toEqualTypeOf<"USAGE">();
    expectTypeOf<RunErrorCode>().not.toEqualTypeOf<string>();
  });
});
