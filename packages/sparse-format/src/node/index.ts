// The Node half of @dcnpi/sparse-format: containers as files (node:fs). Everything in memory is in the main entry.
export { fileSource } from "./file-source.js";
export { openContainer, readContainer } from "./container-file.js";
export { ContainerWriter, writeContainer } from "./container-file-writer.js";
export { inspectContainer } from "./inspect-file.js";
