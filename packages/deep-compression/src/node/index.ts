// The Node half of @dcnpi/deep-compression: models as files (node:fs). Decoding bytes is in the main entry.
export { containerFile } from "./container-file.js";
export { dcnpiModelFile } from "./dcnpi-model-file.js";
export { loadCompressed, readCompressedWeights } from "./load-compressed-file.js";
export { decompressToModelFiles } from "./decompress-to-files.js";
export { loadLayersModelFiles, readModelFiles, writeModelFiles, type ModelFiles } from "./tfjs-model-files.js";
