import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliHarness, TINY_PLAN } from "./testing/cli-harness.js";

// A tiny recursive-addition model trained for a few steps: checks that train → compress → verify
// and run fit together for a recursive task (not that the model is good; the real run is in the README).
const { scratch, cli } = cliHarness("npi-verify-");

describe("npi verify (recursive addition, tiny model)", () => {
  it("trains, compresses, verifies and runs a recursive model; refuses a model without a verification set", async () => {
    const train = await cli(["train", "--task", "recursive-addition", "--quick", "--max-steps", "3", "--out", "tiny"]);
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(/^recursive-addition: 3 steps/);
    writeFileSync(join(scratch, "plan.json"), JSON.stringify(TINY_PLAN));
    // The file fails the check before writing (its verification set): nothing is written, exit 1, one
    // line naming the count and the first wrong context.
    const refused = await cli(["compress", "tiny", "--plan", "plan.json", "-o", "tiny.dcnpi"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/tiny\.dcnpi: not written: the compressed recursive-addition model fails the check before writing, /);
    expect(refused.err).toMatch(
      /verification set: NOT PROVEN, \d+ of 49184 contexts wrong \(first: .+, step \d+: expected .+, got .+\); .*--force/,
    );
    expect(existsSync(join(scratch, "tiny.dcnpi"))).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.includes("tmp") || f.endsWith(".compress.json"))).toEqual([]);
    // --force writes it and says so; by default it was retrained on the verification set's contexts.
    const compress = await cli(["compress", "tiny", "--plan", "plan.json", "-o", "tiny.dcnpi", "--force"]);
    expect(compress.code, compress.err).toBe(0);
    expect(compress.out).toMatch(/memory\/programKeys\/recursive-addition\/ADD +1x\d+ +quantized/);
    expect(compress.out).toMatch(/\ncheck before writing: FAILED \(written because of --force\): verification set: NOT PROVEN/);
    const saved = JSON.parse(readFileSync(join(scratch, "tiny.compress.json"), "utf8"));
    expect(saved.trainedOnVerificationSet).toBe(true);
    expect(saved.check).toMatchObject({ method: "verification-set", passed: false });

    // Three steps of training do not make a correct model: both are reported not proven, with the
    // set's size and the first wrong contexts; the JSON file holds the same.
    const verify = await cli(["verify", "tiny", "tiny.dcnpi", "--task", "recursive-addition", "--out", "verify.json"]);
    expect(verify.code, verify.err).toBe(0);
    expect(verify.out).toMatch(/^dense .*tiny \(\d+ bytes\), task recursive-addition\nNOT PROVEN: \d+ of 49184 contexts wrong\n/);
    expect(verify.out).toMatch(/\ncompressed .*tiny\.dcnpi \(\d+ bytes\), task recursive-addition\nNOT PROVEN/);
    expect(verify.out).toMatch(/ {2}wrong: ADD.*, step \d: expected .*, got /);
    const verified = JSON.parse(readFileSync(join(scratch, "verify.json"), "utf8"));
    expect(verified.models.map((m: { result: { contexts: number; proven: boolean } }) => [m.result.contexts, m.result.proven])).toEqual([
      [49_184, false],
      [49_184, false],
    ]);
    expect(verified.models[0].result.perProgram.map((p: { program: string; contexts: number }) => [p.program, p.contexts]).sort()).toEqual([
      ["ADD", 24_421],
      ["ADD1", 241],
      ["CARRY", 102],
      ["LSHIFT", 24_420],
    ]);

    // The compressed recursive model runs: the RUN loop gives it a stack for the problem's depth.
    const run = await cli(["run", "tiny.dcnpi", "--task", "recursive-addition", "--input", "1007+3", "--json"]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ task: "recursive-addition", expected: "1010" });

    // A model of a task without a verification set is refused by name.
    const flat = await cli(["train", "--task", "addition", "--quick", "--max-steps", "1", "--out", "flat"]);
    expect(flat.code, flat.err).toBe(0);
    const noSet = await cli(["verify", "flat"]);
    expect(noSet.code).toBe(1);
    expect(noSet.err).toMatch(/flat: task addition has no verification set; only recursive tasks \(recursive-addition[^)]*\) have one/);
  }, 600_000);
});
