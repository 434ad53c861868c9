/**
 * What the "where the bytes go" view shows for a `.dcnpi` file, computed from its bytes alone: the
 * paper-style and true-bytes accounting of `@dcnpi/sparse-format` per entry, and for each compressed
 * layer its codebook and how many weights share each centroid (the histogram).
 */
import { inspectContainerBytes, parseContainer, type ContainerInspection, type DecodedLayer } from "@dcnpi/sparse-format";
import type { HistogramBar } from "./plots.js";

export interface LayerSharing {
  readonly name: string;
  readonly kind: DecodedLayer["kind"];
  readonly shape: readonly number[];
  readonly weightBits: number;
  readonly indexBits: number | null;
  /** Non-zero weights (sparse) or all weights (quantized). */
  readonly storedCount: number;
  readonly elementCount: number;
  readonly codebook: Float32Array;
  /** One bar per used centroid (code 0 of a sparse layer, the pruned zero, is left out). */
  readonly bars: readonly HistogramBar[];
}

export interface ContainerSummary {
  readonly source: string;
  readonly inspection: ContainerInspection;
  readonly layers: readonly LayerSharing[];
  readonly metadata: unknown;
}

export function sharingOf(layer: DecodedLayer): LayerSharing {
  const counts = new Float64Array(layer.codebook.length);
  for (let i = 0; i < layer.codes.length; i++) counts[layer.codes[i]!]!++;
  const bars: HistogramBar[] = [];
  for (let code = layer.kind === "sparse" ? 1 : 0; code < layer.codebook.length; code++) {
    if (counts[code]! > 0) bars.push({ value: layer.codebook[code]!, count: counts[code]! });
  }
  return {
    name: layer.name,
    kind: layer.kind,
    shape: layer.shape,
    weightBits: layer.weightBits,
    indexBits: layer.indexBits,
    storedCount: layer.codes.length,
    elementCount: layer.elementCount,
    codebook: layer.codebook,
    bars,
  };
}

/** Inspects and decodes a `.dcnpi` file's bytes; errors are sparse-format's typed errors. */
export async function summariseContainer(bytes: Uint8Array, source: string): Promise<ContainerSummary> {
  const inspection = await inspectContainerBytes(bytes);
  const contents = await parseContainer(bytes);
  return { source, inspection, layers: contents.layers.map(sharingOf), metadata: contents.metadata };
}
