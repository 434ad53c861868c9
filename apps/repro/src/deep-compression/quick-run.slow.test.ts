/**
 * The README's main job end to end (opt-in: DCNPI_SLOW_TESTS=1, minutes): LeNet-300-100 trained on
 * real MNIST, compressed, figures and report written; then the same command again resumes every
 * stage and rewrites the report without recomputing anything.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCompressed } from "@dcnpi/deep-compression/node";
import { inspectContainer } from "@dcnpi/sparse-format/node";
import { afterAll, describe, expect, it } from "vitest";
import { runDeepCompression } from "./run-deep-compression.js";

const scratch = mkdtempSync(join(tmpdir(), "dcnpi-quick-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("repro (quick run)", () => {
  it("writes the compressed model, report, metrics and metadata, and a second run resumes everything", async () => {
    const dir = join(scratch, "quick");
    const options = {
      models: ["lenet-300-100" as const],
      full: false,
      seed: 1,
      dir,
      command: "test",
      progress: "silent" as const,
      say: () => {},
    };
    const { outcomes } = await runDeepCompression(options);
    for (const file of ["lenet-300-100.dcnpi", "lenet-300-100.v2.dcnpi", "report.md", "report.html", "metrics.jsonl", "metadata.json"])
      expect(existsSync(join(dir, file)), file).toBe(true);
    const outcome = outcomes[0]!;
    expect(outcome.kind).toBe("lenet");
    if (outcome.kind !== "lenet") return;
    const report = outcome.compress.report;
    expect(report.layers.filter((l) => l.store === "sparse").map((l) => l.keptCount)).toEqual([18_816, 2_700, 260]);
    expect(report.totals.paper.ratio).toBeGreaterThan(30);
    expect(report.metrics.at(-1)!.value).toBeLessThan(0.025);
    expect(outcome.compress.loadedError).toBe(report.metrics.at(-1)!.value);
    const inspection = await inspectContainer(join(dir, "lenet-300-100.dcnpi"));
    expect(inspection.fileBytes).toBe(report.totals.onDisk.fileBytes);
    const model = await loadCompressed(join(dir, "lenet-300-100.dcnpi"));
    expect(model.layers.map((l) => l.name)).toContain("ip1");
    model.dispose();
    // The third column: the same codes re-encoded (arithmetic coder, binary header), smaller, same error.
    const v2 = outcome.reencoded!;
    expect(v2.source.fileBytes).toBe(inspection.fileBytes);
    expect(v2.v2.fileBytes).toBe((await inspectContainer(join(dir, "lenet-300-100.v2.dcnpi"))).fileBytes);
    expect(v2.v2.fileBytes).toBeLessThan(v2.source.fileBytes);
    expect(v2.loadedError).toBe(outcome.compress.loadedError);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("the third column");
    const metadata = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8"));
    expect(metadata).toMatchObject({ seed: 1, finished: true, mode: "quick" });
    expect(metadata.stages.length).toBeGreaterThan(10);
    expect(metadata.loadAverage.samples).toBeGreaterThan(0);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(4);

    const again = await runDeepCompression(options);
    const second = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8"));
    expect(second.stages.every((s: { resumed: boolean }) => s.resumed)).toBe(true);
    expect(second.wallSeconds).toBeLessThan(60);
    expect(again.outcomes[0]).toEqual(outcome);
  }, 1_800_000);
});
