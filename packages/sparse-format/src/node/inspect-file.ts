import { inspectSource, type ContainerInspection, type InspectOptions } from "../inspect.js";
import { fileSource } from "./file-source.js";

/** Sizes a container file both ways (paper-style and true bytes) from its header, and prints it if asked. */
export async function inspectContainer(path: string, options: InspectOptions = {}): Promise<ContainerInspection> {
  return inspectSource(await fileSource(path), options);
}
