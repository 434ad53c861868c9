import type { CompressedMetadata } from "./compressed-metadata-schema.js";
import { CompressionError } from "./errors.js";
import { checkCompressedMetadata } from "./metadata-check.js";

export type { CompressedMetadata } from "./compressed-metadata-schema.js";

/** The metadata of a container checked against `compressedMetadataSchema` (by hand, with the same rules and result). */
export function parseCompressedMetadata(raw: unknown, source: string): CompressedMetadata {
  const checked = checkCompressedMetadata(raw);
  if ("path" in checked)
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: not a compressed model written by dcnpi (metadata ${checked.path || "root"}: Invalid input)`,
    );
  return checked.data;
}

/** The metadata object with `kind` and `version` filled in, fields in the order the file has always stored them. */
export function compressedMetadata(fields: Omit<CompressedMetadata, "kind" | "version">): CompressedMetadata {
  return {
    kind: "dcnpi/compressed-weights",
    version: 1,
    weightOrder: fields.weightOrder,
    ...(fields.modelTopology === undefined ? {} : { modelTopology: fields.modelTopology }),
    ...(fields.graphModel === undefined ? {} : { graphModel: fields.graphModel }),
    plan: fields.plan,
    ...(fields.storedAxes === undefined ? {} : { storedAxes: fields.storedAxes }),
    ...(fields.weightShapes === undefined ? {} : { weightShapes: fields.weightShapes }),
    ...(fields.pipeline === undefined ? {} : { pipeline: fields.pipeline }),
    ...(fields.user === undefined ? {} : { user: fields.user }),
  };
}

/**
 * The metadata without what only describes how the file was made (the plan, the stage metrics):
 * `ContainerOptions.metadata: "lean"`. Metadata that is not the pipeline's object is kept as it is.
 */
export function leanMetadata(metadata: unknown): unknown {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return metadata;
  const { plan: _plan, pipeline: _pipeline, ...rest } = metadata as Record<string, unknown>;
  return rest;
}
