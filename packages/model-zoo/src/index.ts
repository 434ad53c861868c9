export { ModelZooError, type ModelZooErrorCode } from "./errors.js";
export { fans, glorotUniformValues } from "./glorot-uniform.js";
export { buildLenet300100, buildLenet5, initializeWeights, LENET_300_100_LAYERS, LENET_5_LAYERS } from "./lenet.js";
export { type ClassifierData } from "./classifier-data.js";
export { trainClassifier, type EpochSummary, type TrainOptions, type TrainProgress, type TrainResult } from "./train-classifier.js";
export { evaluateClassifier, type Evaluation } from "./evaluate-classifier.js";
export { ALEXNET_LAYERS, VGG16_LAYERS, totalWeights, type LayerShape } from "./imagenet-layer-shapes.js";
