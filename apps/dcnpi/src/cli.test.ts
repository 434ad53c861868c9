import "@tensorflow/tfjs-backend-cpu";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelWeights } from "@dcnpi/tensor/tfjs";
import { modelTopologyOf } from "@dcnpi/deep-compression";
import { writeModelFiles, readModelFiles } from "@dcnpi/deep-compression/node";
import { crc32 } from "@dcnpi/base";
import { encodeLayer, parseContainer, serializeContainer, toDense } from "@dcnpi/sparse-format";
import { runDcnpi } from "./cli-program.js";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(packageDir, "../..");
// tsx's loader by absolute URL: the executable runs from directories where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(join(packageDir, "node_modules", "tsx", "dist", "loader.mjs")).href;
const scratch = mkdtempSync(join(tmpdir(), "dcnpi-cli-"));
/** Issue 17's container flags: arithmetic coder, binary header, lean metadata. */
const BEYOND_THE_PAPER = ["--coder", "best", "--header", "binary", "--metadata", "lean"];
let modelJson = "";

/** Conv2D → DepthwiseConv2D → BatchNormalization → Dense on 8x8x3 images (seeded kernels), the layer kinds the CLI must handle. */
function buildConvModel(): tfl.LayersModel {
  const seeded = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 3],
        filters: 6,
        kernelSize: 3,
        name: "conv1",
        activation: "relu",
        kernelInitializer: seeded(1),
      }),
      tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: "dw1", depthwiseInitializer: seeded(2) }),
      tfl.layers.batchNormalization({ name: "bn1" }),
      tfl.layers.flatten({ name: "flat" }),
      tfl.layers.dense({ units: 4, name: "fc1", activation: "softmax", kernelInitializer: seeded(3) }),
    ],
  });
}

/** The CLI in-process (fast); one test below also runs the real executable. */
async function dcnpi(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runDcnpi(args, { cwd: scratch, out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  const model = buildConvModel();
  modelJson = writeModelFiles(join(scratch, "model"), await modelTopologyOf(model), readModelWeights(model)).modelJsonPath;
  model.dispose();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dcnpi CLI", () => {
  it("compresses, inspects and decompresses a model on disk", async () => {
    const compressed = await dcnpi("compress", modelJson, "-o", "model.dcnpi", "--seed", "3", "--plan", "paper", "--unchecked");
    expect(compressed.stderr).toMatch(/\naccuracy was not checked: --unchecked pruned weights one-shot/);
    expect(compressed.code).toBe(0);
    expect(compressed.stdout).toMatch(/fc1\/kernel\s+192x4\s+sparse/);
    expect(compressed.stdout).toMatch(/paper's way: 4152 B of 32-bit weights ->/);

    const inspected = await dcnpi("inspect", "model.dcnpi");
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/adds up/);
    const json = JSON.parse((await dcnpi("inspect", "model.dcnpi", "--json")).stdout);
    expect(json.fileBytes).toBe(readFileSync(join(scratch, "model.dcnpi")).length);

    const decompressed = await dcnpi("decompress", "model.dcnpi", "-o", "restored");
    expect(decompressed.code).toBe(0);
    const restored = readModelFiles(join(scratch, "restored", "model.json"));
    expect(restored.weights.names()).toEqual(readModelFiles(modelJson).weights.names());
  });

  it("compresses with --coder best --header binary (format version 2) and re-encodes a file both ways", async () => {
    const beyond = await dcnpi("compress", modelJson, "-o", "beyond.dcnpi", "--seed", "3", "--coder", "best", "--header", "binary");
    expect(beyond.code).toBe(0);
    const v2 = readFileSync(join(scratch, "beyond.dcnpi"));
    expect(v2[8]).toBe(2);
    expect((await dcnpi("inspect", "beyond.dcnpi")).stdout).toMatch(/adds up/);
    const again = await dcnpi("compress", modelJson, "-o", "plain.dcnpi", "--seed", "3");
    expect(again.code).toBe(0);
    const plain = readFileSync(join(scratch, "plain.dcnpi"));
    expect(v2.length).toBeLessThan(plain.length);
    // Re-encoding the default file gives the same version-2 bytes as compressing with the options.
    const reencoded = await dcnpi("reencode", "plain.dcnpi", "-o", "re.dcnpi", "--coder", "best", "--header", "binary");
    expect(reencoded.code).toBe(0);
    expect(reencoded.stdout).toMatch(new RegExp(`before: ${plain.length} bytes[^\\n]*\\nafter: ${v2.length} bytes`));
    expect(readFileSync(join(scratch, "re.dcnpi")).equals(v2)).toBe(true);
    // And back to the defaults: a version-1 file of the same weights, bit for bit ("best" renumbered the codes to a
    // sorted, packed codebook, so the default file's code streams differ from the first one's).
    expect((await dcnpi("reencode", "re.dcnpi", "-o", "back.dcnpi")).code).toBe(0);
    const back = readFileSync(join(scratch, "back.dcnpi"));
    expect(back[8]).toBe(1);
    const weightsOf = async (bytes: Uint8Array) => (await parseContainer(bytes)).layers.map((l) => Array.from(toDense(l)));
    expect(await weightsOf(back)).toEqual(await weightsOf(plain));
    expect((await dcnpi("reencode", "plain.dcnpi", "-o", "x.dcnpi", "--coder", "fast")).stderr).toMatch(
      /--coder <coder>' argument 'fast' is invalid/,
    );
    // Lean metadata: a smaller file that loads to the same weights; compress --metadata lean writes the same bytes.
    const lean = await dcnpi("reencode", "plain.dcnpi", "-o", "lean.dcnpi", "--coder", "best", "--header", "binary", "--metadata", "lean");
    expect(lean.code, lean.stderr).toBe(0);
    const leanBytes = readFileSync(join(scratch, "lean.dcnpi"));
    expect(leanBytes.length).toBeLessThan(v2.length);
    const leanAgain = await dcnpi("compress", modelJson, "-o", "lean2.dcnpi", "--seed", "3", ...BEYOND_THE_PAPER);
    expect(leanAgain.code, leanAgain.stderr).toBe(0);
    expect(readFileSync(join(scratch, "lean2.dcnpi")).equals(leanBytes)).toBe(true);
    expect((await dcnpi("decompress", "lean.dcnpi", "-o", "lean-model")).code).toBe(0);
    expect((await dcnpi("reencode", "plain.dcnpi", "-o", "x.dcnpi", "--metadata", "thin")).stderr).toMatch(
      /--metadata <form>' argument 'thin' is invalid/,
    );
  });

  it("refuses a sparse layer declaring more than its entries express; --max-zero-tail reads such an old file and reencode makes it strict", async () => {
    // What a version-1 writer before issue 16's fix could leave: one entry at position 0 (3-bit gaps), 1,000 declared positions.
    const codes = new Uint8Array(8);
    codes[0] = 1;
    const fresh = serializeContainer({
      layers: [encodeLayer({ name: "w", shape: [8], codes, codebook: Float32Array.of(0, 1), weightBits: 1, indexBits: 3 })],
    });
    const view = new DataView(fresh.buffer, fresh.byteOffset, fresh.byteLength);
    const headerLength = view.getUint32(fresh.length - 16, true);
    const headerStart = fresh.length - 16 - headerLength;
    const header = JSON.parse(new TextDecoder().decode(fresh.subarray(headerStart, fresh.length - 16)));
    header.entries[0].shape = [1000];
    const json = new TextEncoder().encode(JSON.stringify(header));
    const old = new Uint8Array(headerStart + json.length + 16);
    old.set(fresh.subarray(0, headerStart));
    old.set(json, headerStart);
    const oldView = new DataView(old.buffer);
    oldView.setUint32(headerStart + json.length, json.length, true);
    oldView.setUint32(headerStart + json.length + 4, crc32(json), true);
    old.set(fresh.subarray(fresh.length - 8), old.length - 8);
    writeFileSync(join(scratch, "old.dcnpi"), old);

    const refused = await dcnpi("inspect", "old.dcnpi");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/"w".*declares 1000 positions.*maxZeroTailElements = 0.*--max-zero-tail/);
    // 1 entry with 3-bit gaps expresses (1 + 1)·8 = 16 positions: 984 unstored zeros.
    expect((await dcnpi("inspect", "old.dcnpi", "--max-zero-tail", "983")).code).toBe(1);
    expect((await dcnpi("inspect", "old.dcnpi", "--max-zero-tail", "984")).code).toBe(0);
    const reencoded = await dcnpi("reencode", "old.dcnpi", "-o", "strict.dcnpi", "--max-zero-tail", "984");
    expect(reencoded.code).toBe(0);
    const strict = await parseContainer(new Uint8Array(readFileSync(join(scratch, "strict.dcnpi"))));
    expect(strict.layers[0]!.elementCount).toBe(1000);
    // Version 1 adds the fillers the rule needs: (1 + 123 + 1)·8 = 1,000 positions.
    expect(strict.layers[0]!.fillerCount).toBe(123);
    expect((await dcnpi("inspect", "old.dcnpi", "--max-zero-tail", "-1")).stderr).toMatch(
      /--max-zero-tail.*must be a non-negative integer/,
    );
  });

  it("is safe by default: no plan and no data shares weights without pruning; pruning without data needs --unchecked", async () => {
    const safe = await dcnpi("compress", modelJson, "-o", "safe.dcnpi");
    expect(safe.code).toBe(0);
    expect(safe.stderr).toMatch(/layers model; plan: safe default/);
    expect(safe.stderr).not.toMatch(/accuracy was not checked/);
    // Float32 weights trained here have more distinct values than 256 centroids: the command says so, once.
    expect(safe.stderr).toMatch(/^outputs were not checked: weight sharing changed [1-9]\d* of \d+ shared kernels .* pass --data/m);
    expect(safe.stdout).toMatch(/fc1\/kernel\s+192x4\s+quantized/);
    expect(safe.stdout).not.toMatch(/\ssparse\s/);
    const refused = await dcnpi("compress", modelJson, "-o", "paper.dcnpi", "--plan", "paper");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dcnpi: --plan paper prunes weights and no data was given to measure the damage: pass --unchecked/);
    expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(existsSync(join(scratch, "paper.dcnpi"))).toBe(false);
    expect(JSON.parse((await dcnpi("default-plan")).stdout).rules.some((r: { prune?: unknown }) => r.prune !== undefined)).toBe(false);
    expect(JSON.parse((await dcnpi("default-plan", "--paper")).stdout).rules.some((r: { prune?: unknown }) => r.prune !== undefined)).toBe(
      true,
    );
  });

  it("gives one-line errors and a non-zero exit for bad paths, plans, files and flags", async () => {
    const cases: [string[], RegExp, number][] = [
      [["compress", "missing.json", "-o", "x.dcnpi"], /(^|\n)dcnpi: .*missing\.json: cannot read \(ENOENT\)\n$/, 1],
      [["inspect", "nothing.dcnpi"], /^dcnpi: .*nothing\.dcnpi/, 1],
      [["compress", modelJson, "-o", "x.dcnpi", "--plan", "plan.json"], /^dcnpi: .*plan\.json: .*version/, 1],
      [["compress", modelJson, "-o", "x.dcnpi", "--seed", "-4"], /option '--seed <n>' argument '-4' is invalid/, 2],
      [["compress", modelJson], /required option '-o, --output <file>' not specified/, 2],
      [["inspect", "garbage.dcnpi"], /^dcnpi: .*garbage\.dcnpi/, 1],
      [["frobnicate"], /unknown command 'frobnicate'/, 2],
    ];
    writeFileSync(join(scratch, "plan.json"), JSON.stringify({ rules: [] }));
    writeFileSync(join(scratch, "garbage.dcnpi"), "this is not a container");
    for (const [args, pattern, code] of cases) {
      const result = await dcnpi(...args);
      expect(result.stderr, args.join(" ")).toMatch(pattern);
      expect(result.stderr, args.join(" ")).not.toMatch(/\n\s+at /); // no stack traces
      expect(result.code, args.join(" ")).toBe(code);
    }
    expect(existsSync(join(scratch, "x.dcnpi"))).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.includes("tmp"))).toEqual([]);
  });

  it("runs as an executable: exit codes and one-line errors from the real process, nothing added by a package manager", () => {
    // The package's bin (bin/dcnpi.mjs: the source through tsx here, dist/ once published) and the
    // shim pnpm links into the root's node_modules/.bin, which `pnpm exec dcnpi` and `npx dcnpi` run.
    const launchers: [string, (args: string[]) => ReturnType<typeof spawnSync>][] = [
      [
        "bin/dcnpi.mjs",
        (args) => spawnSync(process.execPath, [join(packageDir, "bin", "dcnpi.mjs"), ...args], { cwd: scratch, encoding: "utf8" }),
      ],
      [
        "node_modules/.bin/dcnpi",
        (args) => spawnSync(join(repoRoot, "node_modules", ".bin", "dcnpi"), args, { cwd: scratch, encoding: "utf8" }),
      ],
    ];
    for (const [how, run] of launchers) {
      const ok = run(["default-plan"]);
      expect(ok.status, how).toBe(0);
      expect(JSON.parse(String(ok.stdout)).version, how).toBe(1);
      const bad = run(["inspect", "garbage.dcnpi"]);
      expect(bad.status, how).toBe(1);
      expect(String(bad.stderr), how).toMatch(/^dcnpi: [^\n]*garbage\.dcnpi[^\n]*\n$/);
      const usage = run(["inspect", "--bogus"]);
      expect(usage.status, how).toBe(2);
      expect(String(usage.stderr), how).toBe("dcnpi: unknown option '--bogus' (run dcnpi --help for usage)\n");
    }
  });

  it("resolves relative paths against the directory the command was typed in, however it is started", () => {
    const sub = join(scratch, "sub");
    mkdirSync(sub, { recursive: true });
    const expectInspected = (result: ReturnType<typeof spawnSync>, how: string) => {
      expect(result.stderr, how).toBe("");
      expect(result.status, how).toBe(0);
      expect(JSON.parse(String(result.stdout)).fileBytes, how).toBe(readFileSync(join(scratch, "model.dcnpi")).length);
    };
    // The executable started in the user's directory by something that a package manager started
    // elsewhere (as under `pnpm test`): the inherited INIT_CWD is not the user's directory.
    const pmEnv = { ...process.env, INIT_CWD: packageDir, npm_package_json: join(packageDir, "package.json") };
    const bin = ["--import", tsxLoader, "--conditions=@dcnpi/source", join(packageDir, "src", "cli.ts")];
    expectInspected(
      spawnSync(process.execPath, [...bin, "inspect", "../model.dcnpi", "--json"], { cwd: sub, encoding: "utf8", env: pmEnv }),
      "bin",
    );

    // The root script as `pnpm dcnpi ...` runs it: in the repository root, INIT_CWD = the user's directory.
    const script = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts.dcnpi as string;
    const viaScript = (...args: string[]) =>
      spawnSync(`${script} ${args.join(" ")}`, {
        shell: true,
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, INIT_CWD: sub, npm_package_json: join(repoRoot, "package.json") },
      });
    expectInspected(viaScript("inspect", "../model.dcnpi", "--json"), "root script");
    const missing = viaScript("inspect", "absent.dcnpi");
    expect(missing.status).toBe(1);
    expect(missing.stderr.startsWith(`dcnpi: cannot open ${join(sub, "absent.dcnpi")}: ENOENT`), missing.stderr).toBe(true);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
    const usage = viaScript("inspect");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("dcnpi: missing required argument 'file' (run dcnpi --help for usage)\n");
  }, 300_000); // four processes that each start TensorFlow.js: slow on a loaded machine
});
