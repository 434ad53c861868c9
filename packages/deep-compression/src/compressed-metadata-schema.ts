// The format's contract for the metadata, in zod. Loading checks it by hand (metadata-check.ts, tested
// to agree with this schema): zod/mini alone was 6.5 KB of the browser decoder's 25 KB min+gzip.
import * as z from "zod/mini";

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
  /** The plan the file was made with; absent with lean metadata. */
  plan: z.optional(z.unknown()),
  /**
   * Weights stored with permuted axes (relative indices in Caffe order): stored axis i is the
   * weight's axis storedAxes[name][i]. Loading transposes them back. Absent: every weight as is.
   */
  storedAxes: z.optional(z.record(z.string(), z.array(z.int().check(z.nonnegative())))),
  /**
   * Weights whose stored axes permute a view of them (a plan rule's `indexView`, e.g. LeNet-5's ip1 as
   * [h, w, c, out]): their own shapes. Loading undoes `storedAxes` to the view, then reshapes to this.
   */
  weightShapes: z.optional(z.record(z.string(), z.array(z.int().check(z.nonnegative())))),
  /** What each stage measured; absent in a file written with lean metadata (`ContainerOptions.metadata`). */
  pipeline: z.optional(
    z.object({
      metricName: z.string(),
      metrics: z.array(z.object({ stage: z.string(), value: z.number() })),
      retrained: z.boolean(),
      notes: z.array(z.string()),
    }),
  ),
  /** Whatever the caller attached (e.g. an NPI's configuration). */
  user: z.optional(z.unknown()),
});

export type CompressedMetadata = z.infer<typeof compressedMetadataSchema>;
