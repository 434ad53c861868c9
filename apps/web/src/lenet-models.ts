/**
 * The two LeNet-300-100 models of the digit view: the Deep-Compressed one, loaded through the
 * `dcnpiModel` IOHandler of `@dcnpi/deep-compression` (tfjs's own loader shape), and the dense one
 * it was made from, loaded from float32 shards with tfjs's http loader.
 */
import { dcnpiModel } from "@dcnpi/deep-compression";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

export interface LoadedClassifier {
  readonly model: tfl.LayersModel;
  readonly bytes: number;
  readonly loadMs: number;
}

export async function loadCompressedClassifier(url: string, onProgress?: (fraction: number) => void): Promise<LoadedClassifier> {
  const start = performance.now();
  const model = await tfl.loadLayersModel(dcnpiModel(url, onProgress === undefined ? {} : { onProgress }));
  const loadMs = performance.now() - start;
  const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith(url.replace(/^\.\//, ""))) as
    PerformanceResourceTiming | undefined;
  return { model, bytes: entry?.encodedBodySize ?? 0, loadMs };
}

export async function loadDenseClassifier(modelJsonUrl: string): Promise<LoadedClassifier> {
  const start = performance.now();
  const model = await tfl.loadLayersModel(modelJsonUrl);
  const loadMs = performance.now() - start;
  const base = new URL(modelJsonUrl, location.href).href.replace(/[^/]*$/, "");
  const bytes = performance
    .getEntriesByType("resource")
    .filter((e) => e.name.startsWith(base))
    .reduce((sum, e) => sum + (e as PerformanceResourceTiming).encodedBodySize, 0);
  return { model, bytes, loadMs };
}

/** Class probabilities of `count` images of 784 pixels each (row-major, 0..1). */
export function classify(model: tfl.LayersModel, images: Float32Array, count: number): Float32Array {
  return tf.tidy(() => {
    const inputShape = model.inputs[0]!.shape;
    const shape = inputShape.length === 4 ? [count, 28, 28, 1] : [count, 784];
    return (model.predict(tf.tensor(images, shape)) as tf.Tensor).dataSync() as Float32Array;
  });
}

export function argmaxRows(probabilities: Float32Array, classes = 10): number[] {
  const out: number[] = [];
  for (let r = 0; r < probabilities.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    out.push(best);
  }
  return out;
}
