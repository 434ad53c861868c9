/**
 * The report's third column (issue 17): a LeNet's `.dcnpi` written again with the arithmetic coder
 * and the binary header with lean metadata (`reencodeContainer(…, "smallest", { coder: "best",
 * header: "binary", metadata: "lean" })`, container version 2) beside the original, as `<prefix>.v2.dcnpi`. Same weights, no retraining: the
 * original file is only read, so the paper-faithful file stays byte for byte what it was. The new
 * file is read back with the public loader and its test error measured, so the column is the file's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reencodeContainer } from "@dcnpi/deep-compression";
import { loadCompressed } from "@dcnpi/deep-compression/node";
import { writeFileAtomic } from "@dcnpi/base/node";
import type { ContainerInspection } from "@dcnpi/sparse-format";
import { inspectContainer, readContainer, writeContainer } from "@dcnpi/sparse-format/node";
import type { ClassifierData } from "@dcnpi/model-zoo";
import { z } from "zod";
import { methodPrefix, testError } from "./lenet-experiment.js";
import type { CompressionMethod, LenetModel } from "./recipes.js";
import { timedStage, type RunContext } from "./run-context.js";
import { streamSizes, type StreamSize } from "./stream-sizes.js";

/** Sizes of one `.dcnpi` file, from its header. */
export interface FileFacts {
  readonly fileBytes: number;
  /** Every element of every entry as float32. */
  readonly denseBytes: number;
  /** Preamble + header + trailer: the bytes that belong to no entry. */
  readonly headerBytes: number;
  /** The paper's way: compressed layers' weights before and after (codes, indices, codebooks), in bits. */
  readonly paperDenseBits: number;
  readonly paperBits: number;
}

export interface ReencodedFile {
  /** The re-encoded file's name in the run directory. */
  readonly file: string;
  readonly source: FileFacts;
  readonly v2: FileFacts;
  /** Top-1 test error of the re-encoded file, loaded with `loadCompressed`. */
  readonly loadedError: number;
  /** Every stream of the source file under each coder. */
  readonly streams: readonly StreamSize[];
}

const factsSchema = z.strictObject({
  fileBytes: z.number(),
  denseBytes: z.number(),
  headerBytes: z.number(),
  paperDenseBits: z.number(),
  paperBits: z.number(),
});
const streamSchema = z.strictObject({
  layer: z.string(),
  stream: z.enum(["weights", "indices"]),
  symbols: z.number(),
  bits: z.number(),
  entropyBytes: z.number(),
  fixedBytes: z.number(),
  huffmanBytes: z.number(),
  arithmeticBytes: z.number(),
  contextBytes: z.number(),
});
const reencodedSchema = z.strictObject({
  file: z.string(),
  source: factsSchema,
  v2: factsSchema,
  loadedError: z.number(),
  streams: z.array(streamSchema),
});

export function fileFacts(i: ContainerInspection): FileFacts {
  return {
    fileBytes: i.fileBytes,
    denseBytes: i.onDisk.denseBytes,
    headerBytes: i.overhead.preambleBytes + i.overhead.headerBytes + i.overhead.trailerBytes,
    paperDenseBits: i.paper.denseBits,
    paperBits: i.paper.totalBits,
  };
}

/**
 * The metadata without `user.recipe`: the training recipe is in the run's settings and report, and on
 * LeNet-300-100 it was the difference between 2.05% and under 2% of the file for header, preamble and
 * trailer (issue 17's target). The file keeps which model it is and what made it.
 */
export function withoutRecipe(metadata: unknown): unknown {
  if (typeof metadata !== "object" || metadata === null) return metadata;
  const { user } = metadata as { user?: unknown };
  if (typeof user !== "object" || user === null || !("recipe" in user)) return metadata;
  const { recipe: _recipe, ...rest } = user as Record<string, unknown>;
  return { ...metadata, user: rest };
}

/** The file name of the third column's file beside `<prefix>.dcnpi`. */
export const reencodedName = (model: LenetModel, method: CompressionMethod) => `${methodPrefix(model, method)}.v2.dcnpi`;

/**
 * Re-encodes the run's `<prefix>.dcnpi` with the arithmetic coder and the binary header into
 * `<prefix>.v2.dcnpi`, measures both files and every stream, and the new file's test error.
 * A stage of its own, so a resumed run reads it back. Its name changes when what it writes changes
 * (`<prefix>.v2` before context coding and lean metadata, `<prefix>.v2-context` before packed codebooks,
 * `<prefix>.v2-packed` while the file kept the training recipe), so an older run's result is recomputed
 * rather than reused or refused.
 */
export async function reencodeRunFile(
  ctx: RunContext,
  model: LenetModel,
  method: CompressionMethod,
  test: ClassifierData,
): Promise<ReencodedFile> {
  const source = ctx.run.path(`${methodPrefix(model, method)}.dcnpi`);
  const name = reencodedName(model, method);
  const stage = `${methodPrefix(model, method)}.v2-lean-user`;
  const result = await timedStage(
    ctx,
    stage,
    async (stageDir) => {
      const contents = await readContainer(source);
      const output = join(stageDir, name);
      // Lean metadata: the plan and the stage metrics are in this report, not needed to load the file.
      const reencoded = reencodeContainer(contents, "smallest", { coder: "best", header: "binary", metadata: "lean" });
      await writeContainer(output, { ...reencoded, metadata: withoutRecipe(reencoded.metadata) });
      const loaded = await loadCompressed(output);
      const loadedError = testError(loaded, test);
      loaded.dispose();
      ctx.say(`${name}: test error read back from the re-encoded file ${(100 * loadedError).toFixed(2)}%`);
      return {
        file: name,
        source: fileFacts(await inspectContainer(source)),
        v2: fileFacts(await inspectContainer(output)),
        loadedError,
        streams: streamSizes(contents),
      };
    },
    reencodedSchema,
  );
  writeFileAtomic(ctx.run.path(name), readFileSync(ctx.run.path("stages", stage, name)));
  return result;
}
