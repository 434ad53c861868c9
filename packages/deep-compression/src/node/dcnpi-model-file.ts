import type * as tf from "@tensorflow/tfjs-core";
import { fileSource } from "@dcnpi/sparse-format/node";
import { loadArtifactsFrom, monotoneProgress, type DcnpiModelOptions } from "../dcnpi-model.js";

/**
 * `dcnpiModel` over a file: the same IOHandler (`tf.loadLayersModel(dcnpiModelFile(path))`), reading the
 * header first and then each entry's sections from disk, so memory holds the decoded weights, not the
 * file. `onProgress` goes from 0 to 1 over the entries' bytes; `fetchFunc`, `requestInit` and `maxFileBytes` do not apply.
 */
export function dcnpiModelFile(path: string, options: DcnpiModelOptions = {}): tf.io.IOHandler {
  return {
    load: async () => {
      const progress = monotoneProgress(options.onProgress);
      progress(0);
      return loadArtifactsFrom(await fileSource(path), options, progress, 0);
    },
  };
}
