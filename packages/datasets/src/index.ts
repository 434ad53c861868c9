export { DatasetError, type DatasetErrorCode } from "./errors.js";
export { parseIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxArray } from "./idx.js";
export {
  defaultMnistDir,
  loadMnist,
  oneHotLabels,
  MNIST_CLASSES,
  MNIST_COLS,
  MNIST_FILES,
  MNIST_PIXELS,
  MNIST_ROWS,
  type MnistData,
  type MnistOptions,
  type MnistSplit,
} from "./mnist.js";
