import type { CompressionReport } from "@dcnpi/deep-compression";

/**
 * The line a run without data owes the user when weight sharing changed weights. Sharing is exact
 * when a kernel has no more distinct values than centroids (the uint8 shards tfjs-converter writes,
 * at 8 bits); float32- and float16-born kernels change, and how much that moves the outputs differs
 * from model to model (apps/dcnpi README, "The safe default on 41 models nobody made for it"):
 * without data nothing measured it.
 */
export function uncheckedSharingNote(report: CompressionReport): string | undefined {
  const shared = report.layers.filter((layer) => layer.kmeans !== null);
  const changed = shared.filter((layer) => layer.kmeans!.squaredError > 0).length;
  if (changed === 0) return undefined;
  return (
    `outputs were not checked: weight sharing changed ${changed} of ${shared.length} shared kernels ` +
    "(more distinct values than centroids); pass --data to measure what that does to the outputs"
  );
}
