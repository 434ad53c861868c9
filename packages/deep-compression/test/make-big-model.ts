// Writes a container of a Dense-only model with `units`x`units` kernels (`layers` of them), stored dense,
// for the peak-memory test (issue 16). argv: path units layers.
import { writeFileSync } from "node:fs";
import { serializeContainer } from "@dcnpi/sparse-format";
import { compressedMetadata } from "../src/compressed-metadata.js";

const [path, unitsText, layersText] = process.argv.slice(2);
const units = Number(unitsText);
const count = Number(layersText);
const layers = Array.from({ length: count }, (_, i) => ({
  class_name: "Dense",
  config: {
    name: `d${i}`,
    units,
    activation: "linear",
    use_bias: true,
    kernel_initializer: { class_name: "Zeros", config: {} },
    bias_initializer: { class_name: "Zeros", config: {} },
    ...(i === 0 ? { batch_input_shape: [null, units], dtype: "float32" } : {}),
  },
}));
const modelTopology = {
  class_name: "Sequential",
  config: { name: "big", layers },
  keras_version: "tfjs-layers",
  backend: "tensor_flow.js",
};
const denseTensors = layers.flatMap((_, i) => [
  { name: `d${i}/kernel`, shape: [units, units], data: new Float32Array(units * units).fill(0.5) },
  { name: `d${i}/bias`, shape: [units], data: new Float32Array(units).fill(0.25) },
]);
const pipeline = { metricName: "none", metrics: [], retrained: false, notes: [] };
writeFileSync(
  path!,
  serializeContainer({
    denseTensors,
    metadata: compressedMetadata({ weightOrder: denseTensors.map((t) => t.name), modelTopology, plan: null, pipeline }),
  }),
);
