/** Test helpers: stock `tf.loadGraphModel` on a model.json on disk (its http loader, fetching through the file system). */
import { readFileSync } from "node:fs";
import { loadGraphModel, type GraphModel } from "@tensorflow/tfjs-converter";

/** Stock tfjs-converter loading: model.json and the shards it names are fetched as tfjs fetches them, from disk. */
export function loadGraphModelFromDisk(modelJsonPath: string): Promise<GraphModel> {
  const fetchFunc = async (url: string | URL | Request) =>
    new Response(readFileSync(decodeURIComponent(new URL(url instanceof Request ? url.url : url).pathname)));
  return loadGraphModel(`http://localhost${modelJsonPath}`, { fetchFunc });
}
