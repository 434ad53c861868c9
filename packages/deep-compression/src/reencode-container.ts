import { toLayerInput, type ContainerContents, type ContainerContentsRead, type DenseTensorInput } from "@dcnpi/sparse-format";
import { leanMetadata } from "./compressed-metadata.js";
import { containerFormatOf, type ContainerOptions } from "./container-options.js";
import { encodeCodes, type HuffmanPolicy } from "./encode.js";

/**
 * The same container with its code and index streams encoded again under another Huffman policy
 * (e.g. `never`, to measure what Huffman coding saves). Codes stay in their stored layout; dense
 * tensors and metadata are kept as they are. `container` picks the coder and header (issue 17:
 * `{ coder: "best", header: "binary" }` re-encodes a file with the arithmetic coder and the binary
 * header, no retraining); without it the result is a version-1 file as before.
 */
export function reencodeContainer(
  contents: ContainerContentsRead,
  huffman: HuffmanPolicy,
  container?: ContainerOptions,
): ContainerContents {
  const layers = contents.layers.map((layer) => encodeCodes(toLayerInput(layer), huffman, container));
  const denseTensors = contents.denseTensors.map((d): DenseTensorInput => ({
    name: d.name,
    shape: d.shape,
    data: d.data,
    ...(d.info === undefined ? {} : { info: d.info }),
  }));
  return {
    layers,
    denseTensors,
    metadata: container?.metadata === "lean" ? leanMetadata(contents.metadata) : contents.metadata,
    ...(container === undefined ? {} : { format: containerFormatOf(container) }),
  };
}
