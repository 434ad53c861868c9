// @dcnpi/example-data/node: reading example inputs from disk (the only part that touches the file system).
export { MAX_ARRAY_FILE_BYTES, readExampleData, type ReadExampleDataOptions } from "./read-example-data.js";
