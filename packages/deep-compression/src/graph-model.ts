/**
 * TensorFlow.js graph models (tfjs-converter's `"format": "graph-model"`): a GraphDef as JSON whose
 * weights are `Const` nodes. Here: the schema of what the `.dcnpi` file keeps of one (everything of
 * model.json but the weights), which op consumes each weight (so plans can match by op and the
 * paper's per-layer-kind defaults apply), and the up-front refusal of ops stock TensorFlow.js cannot run.
 * Graph models have no training loop here, so every stage on them is one-shot.
 */
import type * as z from "zod/mini";
import type { WeightInfo } from "@dcnpi/tensor";
import { CompressionError } from "./errors.js";
import { TFJS_GRAPH_OPS } from "./graph-ops.js";
import { graphModelSpecSchema, graphTopologySchema, type GraphModelSpec, type GraphNode } from "./graph-model-spec.js";

export { graphModelSpecSchema, graphTopologySchema, type GraphModelSpec } from "./graph-model-spec.js";

/** Ops whose input 1 is a kernel, and the tfjs-layers class and role the paper's plans use for it. */
const KERNEL_OPS: Readonly<Record<string, { layerClass: string; role: string }>> = {
  Conv1D: { layerClass: "Conv1D", role: "kernel" },
  Conv2D: { layerClass: "Conv2D", role: "kernel" },
  _FusedConv2D: { layerClass: "Conv2D", role: "kernel" },
  FusedConv2D: { layerClass: "Conv2D", role: "kernel" },
  Conv3D: { layerClass: "Conv3D", role: "kernel" },
  Conv2DBackpropInput: { layerClass: "Conv2DTranspose", role: "kernel" },
  DepthwiseConv2d: { layerClass: "DepthwiseConv2D", role: "depthwise_kernel" },
  DepthwiseConv2dNative: { layerClass: "DepthwiseConv2D", role: "depthwise_kernel" },
  FusedDepthwiseConv2dNative: { layerClass: "DepthwiseConv2D", role: "depthwise_kernel" },
  MatMul: { layerClass: "Dense", role: "kernel" },
  _FusedMatMul: { layerClass: "Dense", role: "kernel" },
  BatchMatMul: { layerClass: "Dense", role: "kernel" },
  BatchMatMulV2: { layerClass: "Dense", role: "kernel" },
};
const FUSED_OPS = new Set(["_FusedConv2D", "FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"]);
const BATCH_NORM_ROLES = ["gamma", "beta", "moving_mean", "moving_variance"];
/** Ops a weight is passed through unchanged before it reaches its real consumer. */
const PASS_THROUGH_OPS = new Set(["Identity", "StopGradient", "Cast"]);

/** `name:1` and `^name` both refer to the node `name`. */
function sourceNode(input: string): string {
  const name = input.startsWith("^") ? input.slice(1) : input;
  const colon = name.lastIndexOf(":");
  return colon > 0 && /^\d+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

/** The role a weight plays as input `index` of `op` (`bias` for the extra arguments of fused ops). */
function roleOf(op: string, index: number): Pick<WeightInfo, "layerClass" | "role"> {
  const kernel = KERNEL_OPS[op];
  if (kernel !== undefined && index === 1) return kernel;
  if (kernel !== undefined && index >= 2 && FUSED_OPS.has(op)) return { layerClass: kernel.layerClass, role: "bias" };
  if (op === "BiasAdd" && index === 1) return { role: "bias" };
  if (op.startsWith("FusedBatchNorm") && index >= 1 && index <= 4)
    return { layerClass: "BatchNormalization", role: BATCH_NORM_ROLES[index - 1]! };
  return { role: "constant" };
}

/**
 * For each weight (a `Const` node), what consumes it: `op` and `layer` (the consuming node; through
 * Identity/StopGradient/Cast), and the tfjs-layers `layerClass` and `role` it corresponds to
 * (`_FusedConv2D` input 1 is a `Conv2D` `kernel`, its fused bias a `bias`; `MatMul` input 1 a `Dense`
 * `kernel`; `FusedBatchNormV3` inputs 1–4 `gamma`/`beta`/`moving_mean`/`moving_variance`), so the
 * paper's plans apply to graph models as written. A weight nothing consumes gets `role: "constant"`.
 */
export function graphWeightInfo(topology: { node: readonly GraphNode[] }, weightNames: readonly string[]): Map<string, WeightInfo> {
  const consumers = new Map<string, { node: GraphNode; index: number }[]>();
  for (const node of topology.node) {
    (node.input ?? []).forEach((input, index) => {
      if (input.startsWith("^")) return; // a control dependency, not data
      const source = sourceNode(input);
      const list = consumers.get(source) ?? [];
      list.push({ node, index });
      consumers.set(source, list);
    });
  }
  const infos = new Map<string, WeightInfo>();
  for (const name of weightNames) {
    let current = name;
    let consumer = consumers.get(current)?.[0];
    for (let hops = 0; consumer !== undefined && PASS_THROUGH_OPS.has(consumer.node.op) && hops < 8; hops++) {
      current = consumer.node.name;
      consumer = consumers.get(current)?.[0];
    }
    if (consumer === undefined) {
      infos.set(name, { role: "constant" });
      continue;
    }
    infos.set(name, { layer: consumer.node.name, ...roleOf(consumer.node.op, consumer.index), op: consumer.node.op });
  }
  return infos;
}

/**
 * Refuses a graph with an op stock TensorFlow.js cannot run (`UNSUPPORTED_MODEL` naming the node and
 * the op), functions of the graph's library included: such a model would compress, then not load.
 */
export function checkGraphOps(topology: z.infer<typeof graphTopologySchema>, source: string): void {
  const nodes = [...topology.node, ...(topology.library?.function ?? []).flatMap((f) => f.nodeDef ?? [])];
  for (const node of nodes) {
    if (!TFJS_GRAPH_OPS.has(node.op)) {
      throw new CompressionError(
        "UNSUPPORTED_MODEL",
        `${source}: node "${node.name}" uses op "${node.op}", which TensorFlow.js (tfjs-converter 4.22) cannot run`,
      );
    }
  }
}

/** Parses what a `.dcnpi` file keeps of a graph model (`UNSUPPORTED_MODEL` naming the field). */
export function parseGraphModelSpec(raw: unknown, source: string): GraphModelSpec {
  const parsed = graphModelSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CompressionError("UNSUPPORTED_MODEL", `${source}: graph model ${issue.path.join(".") || "root"}: ${issue.message}`);
  }
  return parsed.data;
}
