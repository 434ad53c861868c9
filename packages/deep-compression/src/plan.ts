/**
 * A compression plan is data: which weights are pruned and how far, how many bits their shared
 * weights and relative indices get, whether their streams are Huffman-coded, and how much retraining
 * each stage gets. Plans are JSON files (validated here) with a `version`.
 */
import { z } from "zod";
import type { NamedWeight } from "@dcnpi/tensor";
import { pruneTargetSchema, type PruneTarget } from "@dcnpi/pruning";
import { CENTROID_INITS, type CentroidInit } from "@dcnpi/quantization";
import { CompressionError } from "./errors.js";
import { INDEX_ORDERS, type IndexOrder } from "./index-order.js";

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Which weights a rule applies to; every given field must match. */
export const weightMatchSchema = z
  .object({
    /** Weight name: a glob (`*` any run of characters, `?` one character) or `/regex/`. */
    name: z.string().min(1).optional(),
    /** tfjs layer class, e.g. `Dense`, `Conv2D`, `LSTM`. */
    layerClass: stringOrList.optional(),
    /** Role of the weight in its layer, e.g. `kernel`, `recurrent_kernel`, `bias`, `embeddings`. */
    role: stringOrList.optional(),
    /** Graph models: the TensorFlow op that consumes the weight, e.g. `Conv2D`, `_FusedConv2D`, `DepthwiseConv2dNative`, `MatMul`. */
    op: stringOrList.optional(),
  })
  .strict();

export const ruleSchema = z
  .object({
    match: weightMatchSchema,
    /** `dense`: stored losslessly as float32 (biases, BatchNorm). `compressed`: the three stages. */
    store: z.enum(["compressed", "dense"]),
    /**
     * How far to prune (any `@dcnpi/pruning` target: `{sparsity}`, `{keepFraction}`, `{keepCount}`,
     * `{pruneCount}`, the paper's `{quality}` × σ, or `{threshold}`). Omitted: not pruned; the weight is
     * still quantized and stored as one code per weight, without indices.
     */
    prune: pruneTargetSchema.optional(),
    /** Bits per shared-weight index: 2^bits codebook entries (one is the zero of pruned slots). */
    weightBits: z.number().int().min(1).max(16).optional(),
    /** Centroid initialisation for k-means (default `linear`, the paper's winner). */
    init: z.enum(CENTROID_INITS as [CentroidInit, ...CentroidInit[]]).optional(),
    /**
     * λ of entropy-constrained quantization after k-means (Choi, El-Khamy, Lee, ICLR 2017, arXiv
     * 1612.01543), in units of the survivors' variance; omitted or 0: the paper's plain k-means.
     */
    entropyWeight: z.number().min(0).max(1e6).optional(),
    /** Bits per relative index (gap); larger gaps cost filler zeros. */
    indexBits: z.number().int().min(1).max(16).optional(),
    /**
     * The order relative indices run over the weight: `tfjs` (as stored: [in, out], [kh, kw, in, out];
     * the default) or `caffe` (output-major: [out, in], [out, in, kh, kw], as the paper's reference
     * decoder). Loading undoes the permutation.
     */
    indexOrder: z.enum(INDEX_ORDERS as [IndexOrder, ...IndexOrder[]]).optional(),
    /**
     * With `indexOrder: "caffe"`: the shape the weight is walked as before its axes go output-major, when
     * that is not its own. A Dense kernel fed by a Flatten of [h, w, c] (tfjs flattens channels last) is
     * [h·w·c, out]; its view [h, w, c, out] goes to Caffe's [out, c, h, w], the layout the paper's Caffe
     * models store (LeNet-5's ip1: [4, 4, 50, 500]). The product must equal the weight's element count.
     */
    indexView: z.array(z.number().int().min(1)).min(1).max(8).optional(),
    /** Huffman-code the weight-code and index streams (each is kept fixed-width when that is smaller). */
    huffman: z.boolean().optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.store === "compressed" && rule.weightBits === undefined) {
      ctx.addIssue({ code: "custom", message: "a compressed rule needs weightBits", path: ["weightBits"] });
    }
    if (rule.store === "dense" && (rule.prune !== undefined || rule.weightBits !== undefined)) {
      ctx.addIssue({ code: "custom", message: "a dense rule takes no prune or weightBits", path: ["store"] });
    }
    if (rule.indexView !== undefined && rule.indexOrder !== "caffe") {
      ctx.addIssue({ code: "custom", message: 'indexView needs indexOrder "caffe"', path: ["indexView"] });
    }
  });

export const retrainSchema = z
  .object({
    /** Prune → retrain cycles; each cycle moves every layer a step closer to its target (the paper's iterative pruning). */
    pruneIterations: z.number().int().min(1).default(3),
    /** Epochs of masked retraining after each pruning cycle. */
    epochsPerPruneIteration: z.number().min(0).default(1),
    /**
     * Epochs of masked retraining after the last cycle, which reaches the final densities (default:
     * `epochsPerPruneIteration`). Gradual schedules prune in short cycles, then retrain longer at the end.
     */
    epochsAfterLastPrune: z.number().min(0).optional(),
    /** Epochs of centroid fine-tuning after quantization. */
    quantizeEpochs: z.number().min(0).default(1),
    /** Learning rate for masked retraining; the paper uses 1/10 of the original for the LeNets. */
    pruneLearningRate: z.number().positive().optional(),
    /** Learning rate for the centroids. */
    quantizeLearningRate: z.number().positive().optional(),
  })
  .strict();

export const compressionPlanSchema = z
  .object({
    version: z.literal(1),
    /** Tried in order for each weight; the first rule that matches decides. Weights no rule matches are stored dense. */
    rules: z.array(ruleSchema).min(1),
    retrain: retrainSchema.default({ pruneIterations: 3, epochsPerPruneIteration: 1, quantizeEpochs: 1 }),
  })
  .strict();

export type WeightMatch = z.infer<typeof weightMatchSchema>;
export type { PruneTarget };
export type CompressionRule = z.infer<typeof ruleSchema>;
export type RetrainSettings = z.infer<typeof retrainSchema>;
export type CompressionPlan = z.infer<typeof compressionPlanSchema>;
export type CompressionPlanInput = z.input<typeof compressionPlanSchema>;

const CONV_CLASSES = ["Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"];
const MATRIX_CLASSES = ["Dense", "LSTM", "GRU", "SimpleRNN", "Embedding"];

/**
 * The paper's defaults for any model: conv kernels 8-bit shared weights, fully connected and recurrent
 * matrices and embeddings 5-bit, 5-bit relative indices everywhere (Tables 2, 3 and 5), Huffman on.
 * Pruning targets are the paper's AlexNet averages (conv keeps ~35%, fc ~9%); tune per model with
 * sensitivity analysis. Biases, BatchNorm and everything else are stored dense.
 */
export const defaultPlan: CompressionPlan = compressionPlanSchema.parse({
  version: 1,
  rules: [
    { match: { role: ["bias", "gamma", "beta", "moving_mean", "moving_variance"] }, store: "dense" },
    {
      match: { layerClass: CONV_CLASSES, role: ["kernel", "depthwise_kernel", "pointwise_kernel"] },
      store: "compressed",
      prune: { sparsity: 0.65 },
      weightBits: 8,
      indexBits: 5,
      huffman: true,
    },
    {
      match: { layerClass: MATRIX_CLASSES, role: ["kernel", "recurrent_kernel", "embeddings"] },
      store: "compressed",
      prune: { sparsity: 0.91 },
      weightBits: 5,
      indexBits: 5,
      huffman: true,
    },
  ],
});

/** Bits per shared weight of `safePlan` when none are given: the fewest that kept top-1 agreement ≥ 99% on every benchmark model. */
export const SAFE_PLAN_BITS = 8;

/**
 * A plan that does not damage a model without retraining or data to check it (issue 14): no pruning;
 * every kernel (conv, depthwise, dense, recurrent, embeddings; graph models' Conv2D/MatMul inputs the
 * same) shares 2^bits k-means centroids and is Huffman-coded; everything else stored dense. Chosen by
 * `bench/default-plan.ts` (README, "Safe by default"). The `dcnpi` command line uses it when no
 * plan and no data are given; `defaultPlan` (the paper's) stays the library's starting point.
 */
export function safePlan(bits: number = SAFE_PLAN_BITS): CompressionPlan {
  return compressionPlanSchema.parse({
    version: 1,
    rules: [
      { match: { role: ["bias", "gamma", "beta", "moving_mean", "moving_variance"] }, store: "dense" },
      {
        match: { role: ["kernel", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel", "embeddings"] },
        store: "compressed",
        weightBits: bits,
        huffman: true,
      },
    ],
  });
}

/** Validates a plan read from a file or built in code; errors name the field (`rules.1.weightBits`). */
export function parsePlan(input: unknown, source = "plan"): CompressionPlan {
  const parsed = compressionPlanSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "root";
    throw new CompressionError("INVALID_PLAN", `${source}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}

function globToRegExp(pattern: string): RegExp {
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    try {
      return new RegExp(pattern.slice(1, -1));
    } catch (error) {
      throw new CompressionError("INVALID_PLAN", `name pattern ${pattern} is not a valid regular expression (${(error as Error).message})`);
    }
  }
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

const asList = (value: string | readonly string[] | undefined) =>
  value === undefined ? undefined : typeof value === "string" ? [value] : value;

export function matchesWeight(match: WeightMatch, weight: Pick<NamedWeight, "name" | "info">): boolean {
  if (match.name !== undefined && !globToRegExp(match.name).test(weight.name)) return false;
  const classes = asList(match.layerClass);
  if (classes !== undefined && (weight.info.layerClass === undefined || !classes.includes(weight.info.layerClass))) return false;
  const roles = asList(match.role);
  if (roles !== undefined && (weight.info.role === undefined || !roles.includes(weight.info.role))) return false;
  const ops = asList(match.op);
  if (ops !== undefined && (weight.info.op === undefined || !ops.includes(weight.info.op))) return false;
  return true;
}

/**
 * A weight with fewer elements than this is stored dense whatever the rule says: the default plan's
 * 91% pruning keeps round(0.09 × n) elements, nothing at all for n ≤ 5 (a 1-element kernel silently
 * became zero), and a 2^bits codebook plus indices outgrow the few floats they would replace.
 */
export const MIN_COMPRESSED_ELEMENTS = 8;

/** What the plan decides for one weight. */
export type WeightDecision =
  | { readonly store: "dense"; readonly ruleIndex: number | undefined; readonly reason?: string }
  | {
      readonly store: "compressed";
      readonly ruleIndex: number;
      readonly prune: PruneTarget | undefined;
      readonly weightBits: number;
      readonly init: CentroidInit;
      /** Present only when the rule sets a positive one (see the rule's `entropyWeight`). */
      readonly entropyWeight?: number;
      readonly indexBits: number;
      readonly indexOrder: IndexOrder;
      /** Present only when the rule sets one (see the rule's `indexView`). */
      readonly indexView?: readonly number[];
      readonly huffman: boolean;
    };

/**
 * The first matching rule decides; a weight no rule matches is stored dense. Given the tensor, a weight
 * the plan would compress but cannot gain from it is stored dense too, with the reason: one smaller than
 * `MIN_COMPRESSED_ELEMENTS`, or one that is not float32 (only float32 weights share centroids).
 */
export function decideWeight(
  plan: CompressionPlan,
  weight: Pick<NamedWeight, "name" | "info"> & { readonly tensor?: { readonly data: ArrayLike<number>; readonly dtype?: string } },
): WeightDecision {
  const ruleIndex = plan.rules.findIndex((rule) => matchesWeight(rule.match, weight));
  const rule = plan.rules[ruleIndex];
  if (rule === undefined) return { store: "dense", ruleIndex: undefined };
  if (rule.store === "dense") return { store: "dense", ruleIndex };
  const elements = weight.tensor?.data.length;
  if (elements !== undefined && elements < MIN_COMPRESSED_ELEMENTS) {
    return {
      store: "dense",
      ruleIndex,
      reason:
        `${weight.name} has ${elements} element${elements === 1 ? "" : "s"}, fewer than ${MIN_COMPRESSED_ELEMENTS}: ` +
        "too small to prune or share weights, stored dense",
    };
  }
  const dtype = weight.tensor?.dtype;
  if (dtype !== undefined && dtype !== "float32") {
    return { store: "dense", ruleIndex, reason: `${weight.name} is ${dtype}, not float32: stored dense` };
  }
  return {
    store: "compressed",
    ruleIndex,
    prune: rule.prune,
    weightBits: rule.weightBits!,
    init: rule.init ?? "linear",
    ...((rule.entropyWeight ?? 0) > 0 ? { entropyWeight: rule.entropyWeight! } : {}),
    indexBits: rule.indexBits ?? 5,
    indexOrder: rule.indexOrder ?? "tfjs",
    ...(rule.indexView === undefined ? {} : { indexView: rule.indexView }),
    huffman: rule.huffman ?? true,
  };
}
