// zod/mini (functional API, tree-shakable): this schema is part of the browser decoder, where zod's
// classic API alone would cost ~27 KB min+gzip (the decoder's budget is 25 KB in all).
import * as z from "zod/mini";
import { CompressionError } from "./errors.js";

/**
 * What the pipeline stores in the container's metadata: enough to rebuild the model from the file
 * alone (weight order and, for layers models, the tfjs topology), plus the plan and what each stage
 * did. Sizes are not stored: the file itself is their source of truth (`inspectContainer`).
 */
export const compressedMetadataSchema = z.object({
  kind: z.literal("dcnpi/compressed-weights"),
  version: z.literal(1),
  /** Every weight of the original model, in its declared order. */
  weightOrder: z.array(z.string()),
  /** The tfjs layers topology (model.json's `modelTopology`) when the source was a LayersModel. */
  modelTopology: z.optional(z.record(z.string(), z.unknown())),
  /**
   * A graph model's GraphDef, signature and raw constants (everything of its model.json but the
   * numeric weights). Checked here only as an object: its full schema (graph-model-spec.ts) is
   * applied where it is used (`parseGraphModelSpec`), which keeps it out of the browser decoder's
   * size budget.
   */
  graphModel: z.optional(z.record(z.string(), z.unknown())),
  plan: z.unknown(),
  /**
   * Weights stored with permuted axes (relative indices in Caffe order): stored axis i is the
   * weight's axis storedAxes[name][i]. Loading transposes them back. Absent: every weight as is.
   */
  storedAxes: z.optional(z.record(z.string(), z.array(z.int().check(z.nonnegative())))),
  pipeline: z.object({
    metricName: z.string(),
    metrics: z.array(z.object({ stage: z.string(), value: z.number() })),
    retrained: z.boolean(),
    notes: z.array(z.string()),
  }),
  /** Whatever the caller attached (e.g. an NPI's configuration). */
  user: z.optional(z.unknown()),
});

export type CompressedMetadata = z.infer<typeof compressedMetadataSchema>;

export function parseCompressedMetadata(raw: unknown, source: string): CompressedMetadata {
  const parsed = compressedMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${source}: not a compressed model written by dcnpi (metadata ${issue.path.join(".") || "root"}: ${issue.message})`,
    );
  }
  return parsed.data;
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
    pipeline: fields.pipeline,
    ...(fields.user === undefined ? {} : { user: fields.user }),
  };
}
