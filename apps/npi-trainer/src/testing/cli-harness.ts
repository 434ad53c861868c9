import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runNpi, type CliIo } from "../cli-program.js";

/** What one `npi` invocation printed and its exit code. */
export interface CliOutcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * A scratch directory (removed after the test file) and `npi` run in it in-process, as a user would
 * type it there: the CLI tests' common setup.
 */
export function cliHarness(prefix: string): { scratch: string; cli(args: readonly string[], tty?: boolean): Promise<CliOutcome> } {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return {
    scratch,
    async cli(args, tty = false) {
      let out = "";
      let err = "";
      const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd: scratch, isTTY: tty, errIsTTY: false };
      const code = await runNpi([...args], io);
      return { code, out, err };
    },
  };
}

/**
 * A plan that puts every parameter through the pipeline in seconds (one pruning cycle, a few steps of
 * retraining): checks that the stages fit together, not that the result is good. As the default plan,
 * program keys/embeddings and biases are quantized without pruning.
 */
export const TINY_PLAN = {
  version: 1,
  rules: [
    { match: { layerClass: "ProgramMemory" }, store: "compressed", weightBits: 5 },
    { match: { role: "bias" }, store: "compressed", weightBits: 6 },
    { match: { layerClass: ["LSTM", "Dense"] }, store: "compressed", prune: { keepFraction: 0.3 }, weightBits: 4, indexBits: 4 },
  ],
  retrain: { pruneIterations: 1, epochsPerPruneIteration: 0.03, quantizeEpochs: 0.03 },
} as const;
