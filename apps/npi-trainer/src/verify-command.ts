import { verifyContexts, type VerificationResult } from "@dcnpi/npi-core";
import { writeJsonAtomic } from "@dcnpi/run-kit";
import { NpiAppError } from "./errors.js";
import { checkTask, loadModel } from "./model-store.js";
import { verifiableTaskNames, type TaskName } from "./tasks.js";

export interface VerifyCommandOptions {
  readonly files: readonly string[];
  readonly task: TaskName | undefined;
  /** Also write the results as JSON here. */
  readonly out: string | undefined;
  readonly json: boolean;
  readonly log: (line: string) => void;
}

export interface VerifiedModel {
  readonly file: string;
  readonly kind: "dense" | "compressed";
  readonly storedBytes: number;
  readonly result: VerificationResult;
}

/** The result as text: the verdict, the set's size, per program, and the first failures. */
export function formatVerification(model: VerifiedModel): string {
  const r = model.result;
  const verdict = r.proven
    ? `PROVEN: correct on all ${r.contexts} contexts of the verification set, so on every input of every length`
    : `NOT PROVEN: ${r.contexts - r.passed} of ${r.contexts} contexts wrong`;
  const lines = [
    `${model.kind} ${model.file} (${model.storedBytes} bytes), task ${r.task}`,
    verdict,
    ...r.perProgram.map((p) => `  ${p.program.padEnd(8)} ${String(p.passed).padStart(6)} / ${p.contexts} contexts`),
    `  ${r.modelSteps} model steps (teacher forced), ${r.wallSeconds.toFixed(1)} s`,
    ...r.failures.map((f) => `  wrong: ${f.label}, step ${f.step}: expected ${f.expected}, got ${f.got}`),
  ];
  return lines.join("\n") + "\n";
}

/**
 * `npi verify`: runs each model on its task's whole verification set (Cai, Shin & Song, ICLR 2017 §5:
 * every context a call of the recursive program can meet) and says whether it is proven correct at
 * every length. Only tasks with a verification set (the recursive ones) can be verified.
 */
export async function verifyCommand(options: VerifyCommandOptions): Promise<VerifiedModel[]> {
  const verified: VerifiedModel[] = [];
  for (const file of options.files) {
    const loaded = await loadModel(file);
    try {
      checkTask(loaded, options.task);
      if (loaded.task.verificationSet === undefined) {
        throw new NpiAppError(
          "INVALID_OPTION",
          `${loaded.source}: task ${loaded.taskName} has no verification set; only recursive tasks (${verifiableTaskNames().join(", ")}) have one`,
        );
      }
      options.log(`${loaded.source}: verifying ${loaded.taskName} ...`);
      const result = verifyContexts(loaded.model, loaded.task, undefined, {
        onChunk: (done, total) => {
          if (done === total || done % 10_000 < 500) options.log(`  ${done} / ${total} contexts`);
        },
      });
      verified.push({ file: loaded.source, kind: loaded.kind, storedBytes: loaded.storedBytes, result });
    } finally {
      loaded.model.dispose();
    }
  }
  if (options.out !== undefined) writeJsonAtomic(options.out, { version: 1, models: verified });
  return verified;
}
