/**
 * A model.json on disk, whichever kind, as something `compress` takes: a layers model as a
 * `LayersModel`, a graph model as its weights in variables plus the graph (`graphCompressionTarget`).
 * Read once; the error names the file.
 */
import { CompressionError } from "../errors.js";
import type { CompressionTarget } from "../compression-target.js";
import type { GraphModelSpec } from "../graph-model.js";
import { graphCompressionTarget } from "../graph-target.js";
import { buildLayersModel } from "../tfjs-model.js";
import { readModelFiles, type ModelFiles } from "./tfjs-model-files.js";

export interface ModelTarget {
  readonly files: ModelFiles;
  readonly target: CompressionTarget;
  /** Set for graph models: pass to `compress` as `options.graphModel`. */
  readonly graphModel: GraphModelSpec | undefined;
  /** Disposes the model or the variables. */
  dispose(): void;
}

export async function loadModelTarget(modelJsonPath: string): Promise<ModelTarget> {
  const files = readModelFiles(modelJsonPath);
  if (files.format === "graph-model") {
    const graph = graphCompressionTarget(files);
    return { files, target: graph.target, graphModel: graph.graphModel, dispose: graph.dispose };
  }
  try {
    const model = await buildLayersModel(files.modelJson.modelTopology, files.weights);
    return { files, target: model, graphModel: undefined, dispose: () => model.dispose() };
  } catch (error) {
    if (error instanceof CompressionError) throw error;
    throw new CompressionError(
      "UNSUPPORTED_MODEL",
      `${modelJsonPath}: TensorFlow.js cannot build this model (${(error as Error).message})`,
    );
  }
}
