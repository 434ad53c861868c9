/** Every entry a page may import: none of them may pull in a Node module. `./node` subpaths are the Node halves. */
export const BROWSER_ENTRIES = [
  "@dcnpi/base",
  "@dcnpi/huffman",
  "@dcnpi/arithmetic",
  "@dcnpi/tensor",
  "@dcnpi/tensor/tfjs",
  "@dcnpi/sparse-format",
  "@dcnpi/deep-compression",
  "@dcnpi/npi-core",
  "@dcnpi/npi-core/tfjs",
] as const;

/** The whole public surface of an entry: a namespace used as a value keeps every export in the bundle. */
export function wholeEntry(entry: string): string {
  return `import * as entry from "${entry}";\nexport default entry;\n`;
}

/** The decoder: what a page needs to turn .dcnpi bytes into TensorFlow.js ModelArtifacts (tfjs itself excluded). */
export const DECODER_SOURCE = `export { dcnpiModel } from "@dcnpi/deep-compression";\n`;

/** Issue 15's target for the decoder, minified + gzipped. */
export const DECODER_BUDGET_BYTES = 25 * 1024;
