import { loadMnist } from "@dcnpi/datasets";
import { loadCompressed, loadLayersModelFiles } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { evaluateClassifier } from "@dcnpi/model-zoo";
import { statSync } from "node:fs";
await initEngine({ log: () => {} });
const test = loadMnist({ split: "test" });
const dir = "/work/wt/data/bench-results/dcnpi-data";
const { model: dense } = await loadLayersModelFiles(`${dir}/lenet-300-100/model.json`);
for (const f of process.argv.slice(2)) {
  const restored = await loadCompressed(`${dir}/${f}`);
  const d = evaluateClassifier(dense, test).errorRate, r = evaluateClassifier(restored, test).errorRate;
  console.log(`${f}: dense test error ${(100 * d).toFixed(2)}%, compressed ${(100 * r).toFixed(2)}%, file ${statSync(`${dir}/${f}`).size} B`);
}
