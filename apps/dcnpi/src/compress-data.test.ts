/**
 * `dcnpi compress --data`: a small convolutional classifier trained here on real MNIST, real digits
 * as PNG class folders and .npy arrays; the budget search end to end, and every bad input of issue 14
 * item 6 as one line, exit != 0, and no output file or plan left behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMnist } from "@dcnpi/datasets";
import { modelTopologyOf } from "@dcnpi/deep-compression";
import { readModelFiles, writeModelFiles } from "@dcnpi/deep-compression/node";
import { initEngine } from "@dcnpi/engine";
import { encodeNpy } from "@dcnpi/example-data";
import { initializeWeights, trainClassifier } from "@dcnpi/model-zoo";
import { Rng } from "@dcnpi/tensor";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { runDcnpi } from "./cli-program.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-data-"));
/** Issue 17's container flags: arithmetic coder, binary header, lean metadata. */
const BEYOND_THE_PAPER = ["--coder", "best", "--header", "binary", "--metadata", "lean"];
const test = loadMnist({ split: "test", limit: 1600 });
let modelJson = "";

async function dcnpi(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runDcnpi(args, { cwd: scratch, out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Test digits from..from+count as PNGs in one folder per class (`digit-<label>`), or all in one folder. */
function digitFolder(name: string, from: number, count: number, classFolders = true): string {
  const dir = join(scratch, name);
  for (let i = from; i < from + count; i++) {
    const image = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = Math.round(test.images[i * 784 + p]! * 255);
      image.data.set([v, v, v, 255], p * 4);
    }
    const folder = classFolders ? join(dir, `digit-${test.labels[i]}`) : dir;
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${i}.png`), PNG.sync.write(image));
  }
  return dir;
}

/** A short base plan: the default rules, one short distillation cycle, so the test stays quick. */
const quickPlan = {
  version: 1,
  rules: [
    { match: { role: "bias" }, store: "dense" },
    { match: { role: "kernel" }, store: "compressed", weightBits: 8, indexBits: 5 },
  ],
  retrain: { pruneIterations: 1, epochsPerPruneIteration: 0.1, quantizeEpochs: 0.05 },
};

beforeAll(async () => {
  await initEngine({ log: () => {} });
  // Conv (8 filters 5x5, stride 2) → Dense 10: trained for one epoch on 6,000 real training digits.
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, strides: 2, activation: "relu", name: "conv1" }),
      tfl.layers.flatten({ name: "flat" }),
      tfl.layers.dense({ units: 10, activation: "softmax", name: "fc1" }),
    ],
  });
  // Seeded weights (tfjs's own initialisers are not), so every run trains the same model and searches the same plans.
  initializeWeights(model, Rng.fromSeed(3).fork("weights"));
  const optimizer = tf.train.adam(2e-3);
  await trainClassifier(model, loadMnist({ split: "train", limit: 6000 }), { epochs: 1, batchSize: 64, rng: Rng.fromSeed(3), optimizer });
  optimizer.dispose();
  modelJson = writeModelFiles(join(scratch, "model"), await modelTopologyOf(model), readModelWeights(model)).modelJsonPath;
  model.dispose();
  writeFileSync(join(scratch, "quick-plan.json"), JSON.stringify(quickPlan));
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dcnpi compress --data", () => {
  it("chooses a plan within --min-agreement on held-out PNG digits, prints the per-layer table, saves a plan --plan reuses", async () => {
    const digits = digitFolder("digits", 0, 300);
    const run = await dcnpi(
      "compress",
      modelJson,
      "--data",
      "digits",
      "--min-agreement",
      "97",
      "--plan",
      "quick-plan.json",
      "-o",
      "m.dcnpi",
    );
    expect(run.stderr).toMatch(/data: 300 inputs of \[28,28,1\] from .*digits, labelled; 210 for search\/retraining, 90 held out/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/chosen per layer\s+weights\s+keep\s+bits\s+points lost alone/);
    expect(run.stdout).toMatch(/conv1\/kernel\s+200\s/);
    expect(run.stdout).toMatch(/fc1\/kernel\s+11520\s/);
    const heldOut = /held-out: top-1 agreement ([\d.]+)%/.exec(run.stdout);
    expect(Number(heldOut![1])).toBeGreaterThanOrEqual(97);
    const plan = JSON.parse(readFileSync(join(scratch, "m.dcnpi.plan.json"), "utf8"));
    expect(plan.rules[0].match).toEqual({ name: "conv1/kernel" });
    expect(readFileSync(join(scratch, "m.dcnpi"))[8]).toBe(1);
    // The saved plan is an ordinary plan file; the container flags apply with --data too.
    const again = await dcnpi(
      "compress",
      modelJson,
      "--data",
      digits,
      "--plan",
      "m.dcnpi.plan.json",
      "-o",
      "again.dcnpi",
      ...BEYOND_THE_PAPER,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/held-out: top-1 agreement/);
    expect(readFileSync(join(scratch, "again.dcnpi"))[8]).toBe(2);
  }, 600_000);

  it("--one-shot --scan-share: the plan is checked as it is, not retrained; small layers unscanned; broken candidates stop early", async () => {
    // 600 digits: 420 for the search, measured in slices of 256 (sliceSize), so an evaluation can stop after the first.
    digitFolder("one-shot-digits", 1000, 600, false);
    // 1-bit sharing breaks the model outright: those candidates are decided on the first slice.
    const args = ["--data", "one-shot-digits", "--min-agreement", "99", "--one-shot", "--scan-share", "0.5", "--search-bits", "8,1"];
    const run = await dcnpi("compress", modelJson, ...args, "-o", "one.dcnpi");
    expect(run.code).toBe(0);
    // --scan-share 0.5: fc1's kernel holds most of the bytes; conv1's keeps the safest setting, unscanned.
    expect(run.stdout).toMatch(/conv1\/kernel\s+200\s+all\s+8\s+not scanned/);
    expect(run.stderr).not.toMatch(/scan: .*conv1\/kernel keep/);
    expect(run.stderr).toMatch(/--one-shot: not retrained; the plan is checked as it is/);
    expect(run.stderr).not.toMatch(/distil/);
    const counts = /(\d+) evaluations \((\d+) stopped early, their outcome decided\)/.exec(run.stderr);
    expect(Number(counts![2])).toBeGreaterThan(0);
    expect(Number(counts![2])).toBeLessThan(Number(counts![1]));
    // Not retrained: the file measures exactly what the search's one-shot check measured on the held-out part.
    const searched = /held-out (top-1 agreement [\d.]+% on \d+ inputs)/.exec(run.stderr)![1];
    expect(run.stdout).toContain(`held-out: ${searched}`);
  }, 600_000);

  it("error feedback (the default with --data): the Dense kernel's codes come from the search inputs, the file is what the search measured", async () => {
    digitFolder("feedback-digits", 2000, 400, false);
    const args = ["--data", "feedback-digits", "--min-agreement", "98", "--one-shot", "--search-bits", "8,4,2"];
    const run = await dcnpi("compress", modelJson, ...args, "-o", "fed.dcnpi");
    expect(run.code).toBe(0);
    // fc1 is the only Dense / 1x1 kernel (conv1 is 5x5: nearest-centroid codes); 280 of the 400 inputs are the search's.
    expect(run.stderr).toMatch(/--feedback: 1 Dense \/ 1x1 conv kernel coded by error feedback from 280 inputs/);
    const searched = /held-out (top-1 agreement [\d.]+% on \d+ inputs)/.exec(run.stderr)![1];
    expect(run.stdout).toContain(`held-out: ${searched}`);
    // A fixed plan (4-bit kernels, nothing pruned) with feedback (explicit here) and with --no-feedback (the paper's nearest codes):
    // conv1 (5x5) decodes to the same weights, fc1 to other codes.
    const fourBits = { ...quickPlan, rules: [quickPlan.rules[0], { match: { role: "kernel" }, store: "compressed", weightBits: 4 }] };
    writeFileSync(join(scratch, "four-bits.json"), JSON.stringify(fourBits));
    const withPlan = ["--data", "feedback-digits", "--plan", "four-bits.json", "--one-shot"];
    expect((await dcnpi("compress", modelJson, ...withPlan, "--feedback", "-o", "fed4.dcnpi")).code).toBe(0);
    const plain = await dcnpi("compress", modelJson, ...withPlan, "--no-feedback", "-o", "plain4.dcnpi");
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toMatch(/--feedback/);
    const decoded = async (file: string) => {
      expect((await dcnpi("decompress", file, "-o", `${file}-model`)).code).toBe(0);
      return readModelFiles(join(scratch, `${file}-model`, "model.json")).weights;
    };
    const [fed, nearest] = [await decoded("fed4.dcnpi"), await decoded("plain4.dcnpi")];
    expect([...fed.get("conv1/kernel").data]).toEqual([...nearest.get("conv1/kernel").data]);
    const fedValues = fed.get("fc1/kernel").data;
    const nearestValues = nearest.get("fc1/kernel").data;
    expect(fedValues.some((v, i) => v !== nearestValues[i])).toBe(true);
  }, 600_000);

  it("--holdout-group: files of one group (here digits 60-69, 70-79, ...) are held out or searched together", async () => {
    digitFolder("grouped-digits", 60, 100, false);
    const args = ["--data", "grouped-digits", "--plan", "quick-plan.json", "--one-shot", "--holdout-group", "^(\\d+)\\d\\.png$"];
    const run = await dcnpi("compress", modelJson, ...args, "-o", "grouped.dcnpi");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("70 for search/retraining, 30 held out (3 of 10 groups held out, each kept whole)");
    // The same 100 digits as a .npy array, grouped by a text file (one line per example): arrays have no file names.
    writeFileSync(join(scratch, "grouped.npy"), encodeNpy([100, 28, 28, 1], test.images.slice(60 * 784, 160 * 784)));
    writeFileSync(join(scratch, "groups.txt"), Array.from({ length: 100 }, (_, i) => `clip-${Math.floor((60 + i) / 10)}\n`).join(""));
    const arrays = ["--data", "grouped.npy", "--plan", "quick-plan.json", "--one-shot", "--holdout-groups", "groups.txt"];
    const fromArray = await dcnpi("compress", modelJson, ...arrays, "-o", "grouped-npy.dcnpi");
    expect(fromArray.code).toBe(0);
    expect(fromArray.stderr).toContain("70 for search/retraining, 30 held out (3 of 10 groups held out, each kept whole)");
    writeFileSync(join(scratch, "short-groups.txt"), "clip-a\nclip-b\n");
    const short = await dcnpi("compress", modelJson, ...arrays.slice(0, -1), "short-groups.txt", "-o", "short.dcnpi");
    expect(short.code).toBe(1);
    expect(short.stderr.split("\n").filter((line) => line.startsWith("dcnpi: "))).toEqual([
      `dcnpi: ${join(scratch, "short-groups.txt")}: 2 group lines for the 100 examples of ${join(scratch, "grouped.npy")} (one line per example)`,
    ]);
    expect(existsSync(join(scratch, "short.dcnpi"))).toBe(false);
    const noNames = await dcnpi("compress", modelJson, "--data", "grouped.npy", "--one-shot", "--holdout-group", "(.)", "-o", "x.dcnpi");
    expect(noNames.code).toBe(1);
    expect(noNames.stderr).toMatch(/has no file names to group \(an image folder has them; for arrays give --holdout-groups <file>\)\n$/);
  }, 600_000);

  it("refuses each bad input in one line naming the file or flag, exits != 0, and writes nothing", async () => {
    digitFolder("broken", 0, 20);
    writeFileSync(join(scratch, "broken", "digit-7", "zz.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const sized = digitFolder("sized", 0, 20);
    const big = new PNG({ width: 30, height: 30 });
    writeFileSync(join(sized, "digit-1", "big.png"), PNG.sync.write(big));
    const eleven = digitFolder("eleven", 0, 150);
    expect(new Set(test.labels.subarray(0, 150)).size).toBe(10);
    mkdirSync(join(eleven, "digit-x"));
    writeFileSync(join(eleven, "digit-x", "a.png"), readFileSync(join(eleven, `digit-${test.labels[0]}`, "0.png")));
    writeFileSync(join(scratch, "wide.npy"), encodeNpy([50, 32, 32], new Uint8Array(50 * 32 * 32)));
    const unlabeled = digitFolder("unlabeled", 100, 60, false);

    const cases: [string[], string | RegExp, number][] = [
      [
        ["--data", "broken", "--min-agreement", "99"],
        new RegExp(`^dcnpi: ${join(scratch, "broken", "digit-7", "zz.png")}: cannot decode png \\(.*\\)\\n$`),
        1,
      ],
      [
        ["--data", "sized", "--min-agreement", "99"],
        `dcnpi: ${join(sized, "digit-1", "big.png")}: image is 30x30, the model takes 28x28 (pass --resize to resize)\n`,
        1,
      ],
      [
        ["--data", "wide.npy"],
        `dcnpi: ${join(scratch, "wide.npy")}: each example is [32,32] (1024 values), the model takes [28,28,1] (784)\n`,
        1,
      ],
      [
        ["--data", "eleven"],
        `dcnpi: ${eleven}: 11 class folders, but the model has 10 outputs (class folders give labels 0..n-1 in sorted order)\n`,
        1,
      ],
      [
        ["--data", "unlabeled", "--min-agreement", "99", "--search-bits", "1"],
        new RegExp(
          "^dcnpi: --min-agreement 99 cannot be met: even the safest plan \\(no pruning, 1-bit shared weights\\) " +
            "gives top-1 agreement [\\d.]+% on \\d+ inputs \\((search|holdout) split\\)\n$",
        ),
        1,
      ],
      [
        ["--data", "unlabeled", "--max-drop", "1"],
        `dcnpi: --max-drop needs labels: ${unlabeled} has none (class folders or --labels); use --min-agreement\n`,
        1,
      ],
      [["--min-agreement", "99"], "dcnpi: --min-agreement needs --data (the inputs it is measured on)\n", 2],
      [["--data", "unlabeled", "--one-shot", "--mixup"], "dcnpi: --mixup is for retraining; --one-shot does not retrain\n", 2],
      [["--one-shot"], "dcnpi: --one-shot needs --data (without data nothing is retrained anyway)\n", 2],
      [["--feedback"], "dcnpi: --feedback needs --data (the inputs the kernels see)\n", 2],
      [["--holdout-group", "(\\d+)"], "dcnpi: --holdout-group needs --data (the files it groups)\n", 2],
      [
        ["--data", "unlabeled", "--holdout-group", "(["],
        /^dcnpi: option '--holdout-group <regex>' argument '\(\[' is invalid\. not a regular expression/,
        2,
      ],
      [
        ["--data", "unlabeled", "--holdout-group", "^never"],
        new RegExp(`^dcnpi: --holdout-group: ${unlabeled}/\\S+\\.png does not match /\\^never/\n$`),
        1,
      ],
      [
        ["--data", "unlabeled", "--min-agreement", "99", "--scan-share", "0"],
        /^dcnpi: option '--scan-share <fraction>' argument '0' is invalid\. must be a number in \[0\.01, 1\]/,
        2,
      ],
      [
        ["--data", "unlabeled", "--min-agreement", "101"],
        /^dcnpi: option '--min-agreement <percent>' argument '101' is invalid\. must be a number in \[0, 100\]/,
        2,
      ],
    ];
    for (const [args, message, exit] of cases) {
      const run = await dcnpi("compress", modelJson, "-o", "bad.dcnpi", "--plan", "quick-plan.json", ...args);
      if (typeof message === "string") expect(run.stderr.slice(run.stderr.lastIndexOf("dcnpi: "))).toBe(message);
      else expect(run.stderr.slice(run.stderr.lastIndexOf("dcnpi: "))).toMatch(message);
      expect(run.code, args.join(" ")).toBe(exit);
      expect(existsSync(join(scratch, "bad.dcnpi"))).toBe(false);
      expect(existsSync(join(scratch, "bad.dcnpi.plan.json"))).toBe(false);
    }
  }, 600_000);
});
