import { parsePlan, type CompressionPlan } from "@dcnpi/deep-compression";
import { readFileSync } from "node:fs";
import { NpiAppError } from "./errors.js";

/**
 * The default Deep Compression plan for an NPI (ours; chosen with `npi sensitivity` and `npi sweep`,
 * see the README): placeholder until measured.
 */
export const DEFAULT_NPI_PLAN: CompressionPlan = parsePlan(
  {
    version: 1,
    rules: [
      { match: { layerClass: "ProgramMemory" }, store: "dense" },
      { match: { role: "bias" }, store: "dense" },
      { match: { layerClass: "LSTM" }, store: "compressed", prune: { keepFraction: 0.1 }, weightBits: 5, indexBits: 5 },
      { match: { name: "fusion/*" }, store: "compressed", prune: { keepFraction: 0.15 }, weightBits: 5, indexBits: 5 },
      { match: { name: "encoder/*" }, store: "compressed", prune: { keepFraction: 0.3 }, weightBits: 5, indexBits: 5 },
      { match: { name: "decoder/*" }, store: "compressed", prune: { keepFraction: 0.3 }, weightBits: 5, indexBits: 5 },
    ],
    retrain: { pruneIterations: 3, epochsPerPruneIteration: 2, epochsAfterLastPrune: 4, quantizeEpochs: 2, pruneLearningRate: 3e-4, quantizeLearningRate: 1e-4 },
  },
  "default NPI plan",
);

/** A plan from a JSON file (validated; errors name the file and the field), or the default. */
export function readPlanFile(file: string | undefined): CompressionPlan {
  if (file === undefined) return DEFAULT_NPI_PLAN;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? "is not valid JSON" : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new NpiAppError("INVALID_OPTION", `plan ${file} ${reason}`);
  }
  return parsePlan(raw, file);
}
