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

/**
 * The ceiling the test holds the decoder to, minified + gzipped: issue 15's target of 25 KB, counted as
 * 25,000 bytes. Every decoder is in the one bundle (container versions 1 and 2, Huffman, arithmetic,
 * the binary header with issue 17's compact form, graph models): no chunk loaded on demand (README, "Sizes").
 */
export const DECODER_BUDGET_BYTES = 25_000;
