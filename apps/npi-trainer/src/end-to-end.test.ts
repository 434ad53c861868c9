import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseContainer } from "@dcnpi/sparse-format";
import { describe, expect, it } from "vitest";
import { cliHarness, TINY_PLAN } from "./testing/cli-harness.js";

// A tiny model trained for a few steps: checks that train → compress → run/eval/inspect fit
// together (not that the model is good; the real runs are in the README).
const { scratch, cli } = cliHarness("npi-e2e-");

describe("train → compress → run, eval, inspect (tiny model)", () => {
  it("works end to end and refuses bad input on the way", async () => {
    const train = await cli(["train", "--task", "addition", "--quick", "--max-steps", "4", "--out", "tiny"]);
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(/^addition: 4 steps, .* checkpoint .*tiny\n$/);
    for (const file of ["checkpoint.json", "npi-train.json", "train-state.json"])
      expect(existsSync(join(scratch, "tiny", file))).toBe(true);

    // Started again with a larger step limit, it resumes from the checkpoint.
    const resumed = await cli(["train", "--task", "addition", "--quick", "--max-steps", "6", "--out", "tiny"]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/resuming at step 4/);
    expect(resumed.out).toMatch(/^addition: 6 steps/);
    // Other settings in the same directory are refused.
    const other = await cli(["train", "--task", "addition", "--quick", "--seed", "2", "--out", "tiny"]);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/holds a run with other settings/);

    writeFileSync(join(scratch, "tiny-plan.json"), JSON.stringify(TINY_PLAN));
    const compress = await cli(["compress", "tiny", "--plan", "tiny-plan.json", "-o", "tiny.dcnpi", "--save-pruned", "tiny-pruned"]);
    expect(compress.code, compress.err).toBe(0);
    expect(compress.out).toMatch(/memory\/programKeys\/addition\/ADD +1x\d+ +quantized/);
    // Every weight goes through Deep Compression except the ones too small to gain from it (fewer
    // than 8 elements: the plan stores those dense, as their codebook would cost more than they do).
    const denseRows = [...compress.out.matchAll(/^(\S+) +(\d+(?:x\d+)*) +dense /gm)];
    expect(denseRows.map((row) => row[1])).toEqual(["decoder/end/bias"]);
    for (const row of denseRows) expect(row[2]!.split("x").reduce((n, d) => n * Number(d), 1)).toBeLessThan(8);
    // The pruned float32 model is a checkpoint: as many zeros as the plan asked for in the LSTM.
    const prunedInspect = await cli(["inspect", "tiny-pruned", "--json"]);
    expect(prunedInspect.code, prunedInspect.err).toBe(0);
    expect(compress.out).toMatch(/core\/lstm0\/recurrent_kernel +64x256 +sparse +30\.0%/);
    expect(compress.out).toMatch(/NPI addition: \d+ bytes of float32 parameters -> \d+ bytes on disk/);
    // Addition has no verification set: the file was checked on held-out problems against the dense model.
    expect(compress.out).toMatch(
      /\ncheck before writing: passed: held-out problems at the training lengths: compressed \d+\/\d+, dense \d+\/\d+; none/,
    );
    const report = JSON.parse(readFileSync(join(scratch, "tiny.compress.json"), "utf8"));
    expect(report.report.layers.length).toBeGreaterThan(20);
    expect(readdirSync(scratch).filter((f) => f.includes("tmp"))).toEqual([]);

    const json = await cli(["run", "tiny.dcnpi", "--task", "addition", "--input", "1007+3", "--json"]);
    expect(json.code, json.err).toBe(0);
    const execution = JSON.parse(json.out);
    expect(execution.model.kind).toBe("compressed");
    expect(execution.expected).toBe("1010");
    expect(typeof execution.result).toBe("string");
    expect(execution.log.length).toBe(execution.steps);
    expect(execution.log[0]).toMatchObject({ step: 0, depth: 1, stack: ["ADD"], program: "ADD" });
    expect(execution.correct).toBe(execution.status === "returned" && execution.result === "1010");

    const plain = await cli(["run", "tiny.dcnpi", "--task", "addition", "--input", "1007+3"]);
    expect(plain.out).toContain("  INP1");
    expect(plain.out).toMatch(/^ +0 {2}ADD +-> /m);
    expect(plain.out).not.toContain("\x1b[");
    const live = await cli(["run", "tiny", "--task", "addition", "--input", "5+5", "--delay", "0"], true);
    expect(live.code, live.err).toBe(0);
    expect(live.out).toContain("call stack");
    expect(live.out).toContain("\x1b[");

    const sortRun = await cli(["run", "tiny.dcnpi", "--task", "sort", "--input", "3,1"]);
    expect(sortRun.code).toBe(1);
    expect(sortRun.err.trim()).toMatch(/^npi: .*tiny\.dcnpi holds an addition model, not sort$/);

    const inspect = await cli(["inspect", "tiny.dcnpi"]);
    expect(inspect.code, inspect.err).toBe(0);
    expect(inspect.out).toContain("adds up");
    expect(inspect.out).toMatch(/^core +\d+/m);
    const inspectDense = await cli(["inspect", "tiny"]);
    expect(inspectDense.out).toMatch(/total: \d+ weights, \d+ bytes as float32/);

    const evaluation = await cli([
      "eval",
      "tiny",
      "tiny.dcnpi",
      "--task",
      "addition",
      "--lengths",
      "1,3",
      "--problems",
      "2",
      "--out",
      "eval",
    ]);
    expect(evaluation.code, evaluation.err).toBe(0);
    expect(evaluation.out).toMatch(/\| length \| problems \| dense \(.*\) \| compressed \(.*\) \|/);
    for (const file of ["report.md", "report.html", "figures/accuracy-addition.svg"])
      expect(existsSync(join(scratch, "eval", file))).toBe(true);
    // A second evaluation reads the saved per-length results.
    const again = await cli(["eval", "tiny", "tiny.dcnpi", "--task", "addition", "--lengths", "1,3", "--problems", "2", "--out", "eval"]);
    expect(again.err).toContain("[saved]");
    expect(again.out.split("\n")[0]).toBe(evaluation.out.split("\n")[0]);

    // The sweep re-quantizes the saved pruned model (no second pruning run) and refuses a pruned model that is not one.
    const sweep = await cli([
      "sweep",
      "tiny",
      "--plan",
      "tiny-plan.json",
      "--pruned",
      "tiny-pruned",
      "--bits",
      "3",
      "--lengths",
      "1",
      "--problems",
      "1",
      "--out",
      "sweep",
    ]);
    expect(sweep.code, sweep.err).toBe(0);
    expect(sweep.out).toMatch(/pruned \+ 3-bit \+ Huffman/);
    for (const file of ["report.md", "figures/accuracy-vs-size.svg"]) expect(existsSync(join(scratch, "sweep", file))).toBe(true);
    const notPruned = await cli(["sweep", "tiny", "--plan", "tiny-plan.json", "--pruned", "tiny", "--bits", "3", "--out", "sweep2"]);
    expect(notPruned.code).toBe(1);
    expect(notPruned.err.trim().split("\n").pop()).toMatch(/^npi: --pruned .*tiny: \d+ of \d+ weights are zero \(not a pruned model\)$/);
    const mismatch = await cli(["sweep", "tiny", "--pruned", "a,b", "--out", "sweep3"]);
    expect(mismatch.err.trim()).toMatch(/^npi: --pruned needs one directory per checkpoint \(1\)/);
    expect(existsSync(join(scratch, "sweep3"))).toBe(false);

    // Compressing a compressed file, or a truncated container, is refused in one line.
    expect((await cli(["compress", "tiny.dcnpi"])).err).toMatch(/not a training checkpoint|already compressed/);
    writeFileSync(join(scratch, "cut.dcnpi"), readFileSync(join(scratch, "tiny.dcnpi")).subarray(0, 500));
    const cut = await cli(["run", "cut.dcnpi", "--task", "addition", "--input", "1+1"]);
    expect(cut.code).toBe(1);
    expect(cut.err.trim().split("\n")).toHaveLength(1);
    // It trains, compresses and evaluates for real: 390 s were measured at load average 18 on 2 cores.
  }, 600_000);

  it("does the same for the car task (16 × 16 renders, the CNN encoder compressed too)", async () => {
    const train = await cli(["train", "--task", "car", "--quick", "--max-steps", "3", "--out", "car"]);
    expect(train.code, train.err).toBe(0);
    expect(train.out).toMatch(/^car: 3 steps, .* checkpoint .*car\n$/);
    expect(JSON.parse(readFileSync(join(scratch, "car", "npi-train.json"), "utf8")).trainingSet.cars).toMatchObject({
      trainCars: 4,
      imageSize: 16,
    });

    const carPlan = {
      ...TINY_PLAN,
      rules: [
        ...TINY_PLAN.rules.slice(0, 2),
        {
          match: { layerClass: ["LSTM", "Dense", "Conv2D"] },
          store: "compressed",
          prune: { keepFraction: 0.3 },
          weightBits: 4,
          indexBits: 4,
        },
      ],
    };
    writeFileSync(join(scratch, "car-plan.json"), JSON.stringify(carPlan));
    // The barely trained model solves one held-out 1-move problem, which its compressed file loses:
    // the check before writing refuses it, and --force writes it anyway, saying so.
    const refused = await cli(["compress", "car", "--plan", "car-plan.json", "-o", "car.dcnpi"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /car\.dcnpi: not written: .*held-out problems at the training lengths: compressed 0\/20, dense 1\/20; 1 the dense/,
    );
    expect(existsSync(join(scratch, "car.dcnpi"))).toBe(false);
    // Written with the arithmetic coder, the binary header and lean metadata (issue 17): no plan or
    // per-stage metrics in the file (they are in car.compress.json), and it still runs below.
    const compress = await cli([
      "compress",
      "car",
      "--plan",
      "car-plan.json",
      "-o",
      "car.dcnpi",
      "--force",
      "--coder",
      "best",
      "--header",
      "binary",
      "--metadata",
      "lean",
    ]);
    expect(compress.code, compress.err).toBe(0);
    const written = (await parseContainer(new Uint8Array(readFileSync(join(scratch, "car.dcnpi"))))).metadata as Record<string, unknown>;
    expect(Object.keys(written)).not.toContain("plan");
    expect(Object.keys(written)).not.toContain("pipeline");
    expect(written).toHaveProperty("user.task", "car");
    expect(JSON.parse(readFileSync(join(scratch, "car.compress.json"), "utf8")).stages.length).toBeGreaterThan(1);
    expect(compress.out).toMatch(/\ncheck before writing: FAILED \(written because of --force\): held-out problems/);
    expect(compress.out).toMatch(/encoder\/car\/conv0\/kernel +3x3x3x16 +sparse +3\d\.\d%/);
    expect(compress.out).toMatch(/NPI car: \d+ bytes of float32 parameters -> \d+ bytes on disk/);

    // An unseen car (the test split starts at seed 2^21) from azimuth -45°, elevation 30°.
    const json = await cli(["run", "car.dcnpi", "--task", "car", "--input", "2097152,-45,30", "--json"]);
    expect(json.code, json.err).toBe(0);
    const execution = JSON.parse(json.out);
    expect(execution.model.kind).toBe("compressed");
    expect(execution.expected).toEqual({ azimuthDegrees: 0, elevationDegrees: 15 });
    expect(execution.log[0]).toMatchObject({ step: 0, stack: ["GOTO"] });
    expect(execution.correct).toBe(
      execution.status === "returned" && execution.result.azimuthDegrees === 0 && execution.result.elevationDegrees === 15,
    );
    const plain = await cli(["run", "car.dcnpi", "--task", "car", "--input", "2097152,-45,30", "--frames", "car-run.svg"]);
    expect(plain.out).toMatch(/^ +30° \.+@\.*\|/m);
    expect(readFileSync(join(scratch, "car-run.svg"), "utf8")).toMatch(
      /^<svg [^]*compressed model on car 2097152 from -45°\/30°[^]*data:image\/png;base64,/,
    );

    // Seen cars: the start poses the split held out of the 4 training cars, at most 3 per length.
    const evaluation = await cli([
      "eval",
      "car",
      "car.dcnpi",
      "--task",
      "car",
      "--cars",
      "seen",
      "--lengths",
      "1,2",
      "--problems",
      "3",
      "--out",
      "eval-car",
    ]);
    expect(evaluation.code, evaluation.err).toBe(0);
    expect(evaluation.out).toMatch(/\| all \| 6 \|/);
    expect(existsSync(join(scratch, "eval-car", "figures", "accuracy-car-seen.svg"))).toBe(true);
    const wrong = await cli(["eval", "car.dcnpi", "--task", "sort"]);
    expect(wrong.err.trim()).toMatch(/^npi: .*car\.dcnpi holds a car model, not sort$/);
    const sweep = await cli(["sweep", "car", "--out", "sweep-car"]);
    expect(sweep.err.trim()).toMatch(/^npi: .*a car model; sweep covers addition and sort/);
  }, 300_000);
});
