/**
 * The binary header's built-in string dictionary (body flag DICTIONARY, FORMAT.md): strings that
 * the metadata of compressed models keeps repeating, so a header names them by index instead of
 * storing their bytes. On the LeNets the metadata's strings (keys of the tfjs layers topology, of
 * the pipeline's metadata and of a plan) were two thirds of the coded header; with this table most
 * are one small delta each.
 *
 * Part of the format: a file written with the flag means exactly these strings at exactly these
 * indices, so this list is never edited; a different dictionary would need a new flag. Ordered as
 * the strings first appear in the pipeline's metadata (entries' info, then the metadata object's
 * keys, the tfjs topology, the plan, the pipeline and the repro recipe), so the deltas a header
 * stores between consecutive dictionary strings are mostly +1: entries' info (Dense, kernel, bias,
 * Conv2D), the metadata object's keys, the tfjs layers topology, a plan, the pipeline's record,
 * a repro run's and an NPI's user metadata. FORMAT.md lists them with their indices.
 */
export const HEADER_DICTIONARY: readonly string[] = Object.freeze(
  // One "|"-separated string: the decoder bundle pays for the characters, not 114 quoted literals.
  (
    "Dense|kernel|bias|Conv2D|kind|dcnpi/compressed-weights|version|weightOrder|modelTopology|class_name|" +
    "Sequential|config|name|layers|filters|units|activation|relu|use_bias|kernel_initializer|Zeros|" +
    "bias_initializer|kernel_regularizer|bias_regularizer|activity_regularizer|kernel_constraint|bias_constraint|" +
    "kernel_size|strides|padding|valid|same|data_format|channels_last|dilation_rate|linear|trainable|" +
    "batch_input_shape|dtype|float32|MaxPooling2D|pool_size|Flatten|Activation|softmax|sigmoid|tanh|Dropout|rate|" +
    "keras_version|tfjs-layers 4.22.0|backend|tensor_flow.js|plan|rules|match|role|store|dense|compressed|prune|" +
    "keepFraction|weightBits|init|indexBits|indexOrder|caffe|huffman|retrain|pruneIterations|" +
    "epochsPerPruneIteration|epochsAfterLastPrune|quantizeEpochs|pruneLearningRate|quantizeLearningRate|storedAxes|" +
    "pipeline|metricName|test error|metrics|stage|value|quantized|fine-tuned|retrained|notes|user|model|recipe|" +
    "mode|quick|full|optimizer|adam|epochs|batchSize|learningRate|finalRateFraction|weightDecay|l2|iterations|" +
    "epochsPerIteration|epochsAfterLast|quantize|sweepRetrainExamples|producedBy|@dcnpi/repro deep-compression|" +
    "method|beyond|entropyWeight|layerClass|graphModel|task|seed"
  ).split("|"),
);
