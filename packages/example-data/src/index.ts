// The public API of @dcnpi/example-data; every name is listed in README.md ("Exports"). No file system here: see ./node.
export { ExampleDataError, type ExampleDataErrorCode } from "./errors.js";
export { selectExamples, type ExampleSet } from "./example-set.js";
export { type NumericArray } from "./numeric-array.js";
export { encodeNpy, isNpy, parseNpy } from "./npy.js";
export { isIdx, parseIdxArray } from "./idx.js";
export { decodeImage, imageKind, MAX_IMAGE_PIXELS, type DecodedImage } from "./decode-image.js";
export { imageToInput, type ImageInputShape } from "./image-input.js";
export { applyScaleOffset, parsePreprocessing, preprocessingSchema, type Preprocessing } from "./preprocess.js";
export { arrayToExamples, arrayToLabels, resolveExampleShape } from "./array-examples.js";
