import type { MaskSet, PruneTarget } from "@dcnpi/pruning";
import type { KMeansReport, QuantizedWeight } from "@dcnpi/quantization";
import type { ContainerInspection } from "@dcnpi/sparse-format";
import { CompressionError } from "./errors.js";
import { totalsFromInspection, type CompressionTotals, type LayerReport } from "./report.js";

export interface StagesOutput {
  /** Every weight, in the model's order. */
  readonly names: readonly string[];
  readonly quantized: ReadonlyMap<string, QuantizedWeight>;
  readonly masks: MaskSet;
  /** The plan's compressed decisions (prune target and index bits), by weight name. */
  readonly decisions: ReadonlyMap<string, { readonly prune?: PruneTarget | undefined; readonly indexBits: number }>;
  readonly kmeans?: ReadonlyMap<string, KMeansReport>;
}

/**
 * The per-weight report and the totals: what each stage did to each weight (kept fraction, bits) and
 * what it costs, the paper's way and in true bytes, as read back from the written container.
 */
export function accountSizes(inspection: ContainerInspection, stages: StagesOutput): { layers: LayerReport[]; totals: CompressionTotals } {
  const rows = new Map(inspection.rows.map((row) => [row.name, row]));
  const layers = stages.names.map((name): LayerReport => {
    const row = rows.get(name);
    if (row === undefined) throw new CompressionError("WEIGHT_MISMATCH", `accountSizes: the container holds no entry "${name}"`);
    const q = stages.quantized.get(name);
    const mask = stages.masks.get(name);
    const elementCount = row.elementCount;
    const keptCount = mask === undefined ? elementCount : mask.reduce((sum, m) => sum + m, 0);
    const decision = stages.decisions.get(name);
    return {
      name,
      shape: row.shape,
      elementCount,
      store: q === undefined ? "dense" : q.masked ? "sparse" : "quantized",
      keptCount,
      keptFraction: elementCount === 0 ? 1 : keptCount / elementCount,
      pruneTarget: decision?.prune ?? null,
      weightBits: q?.bits ?? null,
      indexBits: q?.masked ? (decision?.indexBits ?? null) : null,
      averageWeightBits: row.paper?.averageWeightBits ?? null,
      averageIndexBits: row.paper === null || !q?.masked ? null : row.paper.averageIndexBits,
      fillerCount: row.paper?.fillerCount ?? 0,
      paperBits: row.paper?.paperTotalBits ?? null,
      paperRate: row.paper?.paperRate ?? null,
      fileBytes: row.fileBytes,
      kmeans: stages.kmeans?.get(name) ?? null,
    };
  });
  return { layers, totals: totalsFromInspection(inspection) };
}
