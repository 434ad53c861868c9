export { ModelZooError, type ModelZooErrorCode } from "./errors.js";
export { buildLenet300100, buildLenet5, initializeWeights, LENET_5_WIDE_IP1_UNITS, type Lenet5Options } from "./lenet.js";
export { type ClassifierData } from "./classifier-data.js";
export { trainClassifier, type TrainOptions, type TrainResult } from "./train-classifier.js";
export { evaluateClassifier, type Evaluation } from "./evaluate-classifier.js";
export { ALEXNET_LAYERS, VGG16_LAYERS, totalWeights, type LayerShape } from "./imagenet-layer-shapes.js";
