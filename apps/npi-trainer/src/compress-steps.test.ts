import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePlan } from "@dcnpi/deep-compression";
import { parseContainer } from "@dcnpi/sparse-format";
import { describe, expect, it } from "vitest";
import { compressCommand } from "./compress-command.js";
import { readCheckpoint } from "@dcnpi/npi-core/node";
import { cliHarness, TINY_PLAN } from "./testing/cli-harness.js";

// `npi compress --plan v6` runs v5 first and continues from its pruned float32 model. Checked here with
// two tiny plans on a tiny model (seconds, not the real plans' half hour): the second step prunes only
// among the weights the first step kept, and the first step's quantized model is thrown away.
const { scratch, cli } = cliHarness("npi-steps-");

const first = parsePlan(TINY_PLAN);
const second = parsePlan({
  ...TINY_PLAN,
  rules: [
    ...TINY_PLAN.rules.slice(0, 2),
    { match: { layerClass: ["LSTM", "Dense"] }, store: "compressed", prune: { keepFraction: 0.15 }, weightBits: 5, indexBits: 5 },
  ],
});

describe("npi compress with earlier steps (plan v6's shape)", () => {
  it("starts the plan from the earlier plan's pruned float32 model and prunes only among its survivors", async () => {
    const train = await cli(["train", "--task", "addition", "--quick", "--max-steps", "4", "--out", "tiny"]);
    expect(train.code, train.err).toBe(0);
    const common = { checkpoint: join(scratch, "tiny"), seed: 3, backend: "wasm", progress: "silent" as const };
    const lines: string[] = [];
    // The first plan alone: its pruned model is what the chain's second step must start from (same seed, same model).
    await compressCommand({
      ...common,
      plan: first,
      output: join(scratch, "first.dcnpi"),
      savePruned: join(scratch, "first-pruned"),
      log: () => {},
    });
    const text = await compressCommand({
      ...common,
      plan: second,
      earlierSteps: [first],
      output: join(scratch, "chain.dcnpi"),
      log: (line) => lines.push(line),
    });
    expect(lines.join("\n")).toMatch(/step 1\/2: an earlier plan; only its pruned float32 model is kept/);
    expect(lines.join("\n")).toMatch(/step 2\/2: the plan itself, from that pruned model/);
    // The second step's first measurement is of the first step's pruned model, and says so.
    expect(lines.join("\n")).toMatch(/\n {2}start \(the earlier step's pruned model\): [\d.]+% of validation problems solved/);
    expect(text).toMatch(/validation \(training lengths\) solved: start \(the earlier step's pruned model\) [\d.]+%, /);
    expect(text).toMatch(/check before writing: passed/);
    const firstPruned = readCheckpoint(join(scratch, "first-pruned")).weights;
    const chain = await parseContainer(new Uint8Array(readFileSync(join(scratch, "chain.dcnpi"))));
    let checked = 0;
    for (const layer of chain.layers) {
      if (layer.kind !== "sparse") continue;
      const before = firstPruned.get(layer.name).data as Float32Array;
      const keptBefore = before.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      // The second plan's density, and every survivor was a survivor of the first step.
      expect(Math.abs(layer.positions!.length - 0.15 * layer.elementCount), layer.name).toBeLessThanOrEqual(1);
      expect(Math.abs(keptBefore - 0.3 * layer.elementCount), layer.name).toBeLessThanOrEqual(1);
      for (const position of layer.positions!) expect(before[position], `${layer.name}[${position}]`).not.toBe(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
    // The same as the two commands a user could type: the second plan on the saved pruned checkpoint.
    await compressCommand({
      ...common,
      checkpoint: join(scratch, "first-pruned"),
      plan: second,
      output: join(scratch, "two.dcnpi"),
      log: () => {},
    });
    const two = await parseContainer(new Uint8Array(readFileSync(join(scratch, "two.dcnpi"))));
    expect(two.layers.map((l) => l.name)).toEqual(chain.layers.map((l) => l.name));
    for (const [i, layer] of chain.layers.entries()) {
      expect(Array.from(two.layers[i]!.codebook), layer.name).toEqual(Array.from(layer.codebook));
      expect(Array.from(two.layers[i]!.codes), layer.name).toEqual(Array.from(layer.codes));
      expect(two.layers[i]!.positions === null ? null : Array.from(two.layers[i]!.positions!)).toEqual(
        layer.positions === null ? null : Array.from(layer.positions),
      );
    }
    const report = JSON.parse(readFileSync(join(scratch, "chain.compress.json"), "utf8"));
    expect(report.earlierStages).toHaveLength(1);
    expect(report.earlierStages[0].map((s: { stage: string }) => s.stage)).toContain("pruned");
  }, 600_000);
});
