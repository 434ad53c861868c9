import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recursionTasks } from "./recursion-command.js";
import { cliHarness, TINY_PLAN } from "./testing/cli-harness.js";

// `npi recursion` on tiny models trained for a few steps: checks that train (both programs) →
// compress → verify → eval → report fit together and resume (not that the models are good: the
// real run is in the README).
const { scratch, cli } = cliHarness("npi-recursion-");

describe("npi recursion", () => {
  it("trains both programs, compresses, verifies, evaluates, reports; a second run reuses everything", async () => {
    writeFileSync(join(scratch, "plan.json"), JSON.stringify(TINY_PLAN));
    const args = ["recursion", "--quick", "--max-steps", "3", "--lengths", "1,2", "--problems", "2", "--plan", "plan.json", "--out", "rec"];
    const first = await cli(args);
    expect(first.code, first.err).toBe(0);
    const dir = join(scratch, "rec");
    expect(first.out).toBe(`report: ${join(dir, "report.md")}\n`);
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toContain("## recursive-addition (and addition)");
    expect(report).toMatch(/\| non-recursive \(addition\), same recipe \| 3 \|/);
    // Both recursive models ran on the whole verification set (49,184 contexts of recursive addition).
    expect(report.match(/\| \d+ \/ 49184 \|/g)).toHaveLength(2);
    expect(report).toContain("recursive, compressed");
    const verify = JSON.parse(readFileSync(join(dir, "recursive-addition-seed1-quick-verify.json"), "utf8"));
    expect(verify.models.map((m: { kind: string }) => m.kind)).toEqual(["dense", "compressed"]);
    expect(readdirSync(join(dir, "figures")).some((f) => f.endsWith(".svg"))).toBe(true);
    expect(existsSync(join(dir, "compressed", "recursive-addition-seed1-quick.dcnpi"))).toBe(true);
    // The compressed model was retrained on the verification set's contexts too.
    const compressed = JSON.parse(readFileSync(join(dir, "compressed", "recursive-addition-seed1-quick.compress.json"), "utf8"));
    expect(compressed.trainedOnVerificationSet).toBe(true);
    // A task without a verification set cannot be retrained on one: one line, nothing written.
    const plain = await cli([
      "compress",
      "rec/addition-as-recursive-addition-seed1-quick",
      "--train-on-verification-set",
      "-o",
      "plain.dcnpi",
    ]);
    expect(plain.code).toBe(1);
    expect(plain.err.trimEnd().split("\n").at(-1)).toBe("npi: --train-on-verification-set: task addition has no verification set");
    expect(existsSync(join(scratch, "plain.dcnpi"))).toBe(false);

    const second = await cli(args);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toMatch(/recursive-addition-seed1-quick\.dcnpi exists \(\d+ bytes\); reused/);
    // Three models × two lengths per recursive task (every recursive task of the registry runs by default).
    expect(second.err.match(/\[saved\]/g)).toHaveLength(3 * 2 * recursionTasks().length);
    // The same measurements give the same tables (wall times aside).
    const tables = (text: string) => text.replace(/\d+(\.\d+)? (s|min)\b/g, "");
    expect(tables(readFileSync(join(dir, "report.md"), "utf8"))).toBe(tables(report));
    // Recording the 49,184 contexts and running two models on them is most of the time (~1 min idle).
  }, 400_000);

  it("refuses a task without recursion, in one line", async () => {
    const { code, err } = await cli(["recursion", "--tasks", "addition", "--out", "never"]);
    expect(code).toBe(1);
    expect(err.trimEnd().split("\n").at(-1)).toBe(
      `npi: --tasks addition: not a recursive task with a non-recursive counterpart (recursive tasks: ${recursionTasks().join(", ")})`,
    );
    expect(recursionTasks()).toContain("recursive-addition");
    expect(existsSync(join(scratch, "never"))).toBe(false);
  });
});
