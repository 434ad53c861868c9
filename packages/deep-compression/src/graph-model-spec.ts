/**
 * What a `.dcnpi` file keeps of a TensorFlow.js graph model (tfjs-converter's `"format": "graph-model"`):
 * everything of its model.json but the numeric weights. Apart from graph-model.ts and written with
 * zod/mini because the browser decoder reads it (compressed-metadata.ts) and has a size budget.
 */
import * as z from "zod/mini";

const nodeSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  op: z.string().check(z.minLength(1)),
  input: z.optional(z.array(z.string())),
  attr: z.optional(z.record(z.string(), z.unknown())),
});

/** The GraphDef: `node` is required, `library` (functions of control flow) and `versions` pass through. */
export const graphTopologySchema = z.looseObject({
  node: z.array(nodeSchema),
  library: z.optional(z.looseObject({ function: z.optional(z.array(z.looseObject({ nodeDef: z.optional(z.array(nodeSchema)) }))) })),
});

/**
 * Everything of a graph model's model.json except its weights: stored in the `.dcnpi` metadata
 * (`graphModel`) so `decompress` writes a model.json `tf.loadGraphModel` loads and a browser IOHandler
 * can return the file as `ModelArtifacts`.
 */
export const graphModelSpecSchema = z.object({
  format: z.literal("graph-model"),
  generatedBy: z.optional(z.string()),
  convertedBy: z.optional(z.nullable(z.string())),
  modelTopology: graphTopologySchema,
  signature: z.optional(z.record(z.string(), z.unknown())),
  userDefinedMetadata: z.optional(z.record(z.string(), z.unknown())),
  modelInitializer: z.optional(z.record(z.string(), z.unknown())),
  initializerSignature: z.optional(z.record(z.string(), z.unknown())),
  /**
   * Weights kept as the shard stored them, base64 (`string` and `bool` weights: lookup tables,
   * vocabularies, flags), restored byte for byte by `decompress`. Numeric weights are in the container.
   */
  rawWeights: z.optional(
    z.array(
      z.object({
        name: z.string().check(z.minLength(1)),
        shape: z.array(z.int().check(z.nonnegative())),
        dtype: z.enum(["string", "bool"]),
        base64: z.string(),
      }),
    ),
  ),
});

export type GraphModelSpec = z.infer<typeof graphModelSpecSchema>;
export type GraphNode = z.infer<typeof nodeSchema>;
