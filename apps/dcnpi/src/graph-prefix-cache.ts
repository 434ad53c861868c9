/**
 * The budget search's sensitivity scan changes one weight at a time. In a graph model, every node that
 * does not depend on that weight computes the same values for every candidate, so the scan only needs
 * to run the nodes downstream of it: the values entering them from upstream (the "cut": the weight's
 * consumer's input, and any skip connection crossing it) are kept from the first candidate and fed to
 * the graph by name for the next ones (tfjs-converter runs only the nodes between fed tensors and the
 * output). The outputs are the same numbers, computed by the same kernels on the same values.
 */
import type { GraphModelSpec, PredictBatch } from "@dcnpi/deep-compression";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import { graphModelPredictor } from "./graph-predictor.js";
import { SliceStore } from "./slice-store.js";

/** Node name of a GraphDef input reference (`name`, `name:1`, `^name` for a control input). */
function nodeOf(input: string): string {
  const bare = input.startsWith("^") ? input.slice(1) : input;
  const colon = bare.lastIndexOf(":");
  return colon > 0 && /^\d+$/.test(bare.slice(colon + 1)) ? bare.slice(0, colon) : bare;
}

/**
 * The tensors to feed so that `output` (a node or `node:k`) can be computed without any node upstream of `weight`'s
 * consumers, or undefined when nothing would be saved (the weight is read next to the model's input,
 * the output does not depend on it) or the graph crosses the cut with a control dependency.
 */
export function graphCut(spec: GraphModelSpec, weight: string, output: string): string[] | undefined {
  const nodes = spec.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const input of node.input ?? []) {
      const from = nodeOf(input);
      consumers.set(from, [...(consumers.get(from) ?? []), node.name]);
    }
  }
  const below = new Set<string>();
  const queue = [...(consumers.get(weight) ?? [])];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (below.has(name)) continue;
    below.add(name);
    queue.push(...(consumers.get(name) ?? []));
  }
  if (!below.has(nodeOf(output))) return undefined;
  const cut = new Set<string>();
  for (const name of below) {
    for (const input of byName.get(name)!.input ?? []) {
      const from = nodeOf(input);
      if (below.has(from)) continue;
      if (input.startsWith("^")) return undefined;
      const op = byName.get(from)?.op;
      if (op === "Const") continue;
      if (op === "Placeholder") return undefined;
      cut.add(input);
    }
  }
  return cut.size === 0 ? undefined : [...cut].sort();
}

/**
 * Cut values per slice of inputs, for one weight at a time, up to `limitBytes` (slices past it run
 * the whole graph). `dispose` frees them.
 */
export class GraphPrefixCache {
  private weight: string | undefined;
  private cut: string[] | undefined;
  private readonly kept: SliceStore;

  constructor(
    private readonly spec: GraphModelSpec,
    limitBytes = 1024 * 2 ** 20,
  ) {
    this.kept = new SliceStore(limitBytes);
  }

  /** Predictions of `graph`, whose weights differ from the original only in `weight`. */
  predictor(graph: GraphModel, shape: readonly number[], weight: string): PredictBatch {
    const output = graph.outputNodes[0]!;
    if (weight !== this.weight) {
      this.dispose();
      this.weight = weight;
      this.cut = graphCut(this.spec, weight, output);
    }
    const cut = this.cut;
    if (cut === undefined) return graphModelPredictor(graph, shape);
    return (inputs, count) => {
      const kept = this.kept.get(inputs);
      let out: tf.Tensor;
      if (kept !== undefined) {
        out = graph.execute(Object.fromEntries(cut.map((name, i) => [name, kept[i]!])), output) as tf.Tensor;
      } else {
        const x = tf.tensor(inputs, [count, ...shape]);
        const [scores, ...values] = graph.execute(x, [output, ...cut]) as tf.Tensor[];
        x.dispose();
        if (!this.kept.keep(inputs, values)) tf.dispose(values);
        out = scores!;
      }
      try {
        return out.dataSync() as Float32Array;
      } finally {
        out.dispose();
      }
    };
  }

  dispose(): void {
    this.kept.clear();
    this.weight = undefined;
    this.cut = undefined;
  }
}
