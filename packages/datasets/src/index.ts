export { DatasetError, type DatasetErrorCode } from "./errors.js";
export { defaultMnistDir, loadMnist, MNIST_PIXELS, type MnistData, type MnistOptions } from "./mnist.js";
