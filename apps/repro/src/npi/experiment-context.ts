import type { NpiModel } from "@dcnpi/npi-core/tfjs";
import type { RunDirectory } from "@dcnpi/run-kit";
import type { z } from "zod";

/** What run-npi gives the experiments that live in their own modules (car, multi-task). */
export interface NpiExperimentContext {
  readonly run: RunDirectory;
  readonly seed: number;
  readonly quick: boolean;
  readonly progress?: "bar" | "lines" | "silent";
  readonly say: (line: string) => void;
  /** Appends a record to metrics.jsonl. */
  readonly log: (record: Record<string, unknown>) => void;
  /** A resumable stage (read back when an earlier invocation finished it) whose wall time is logged. */
  timed<T>(name: string, compute: (stageDir: string) => T | Promise<T>, schema?: z.ZodType<T>): Promise<T>;
  /** Models to dispose of when the run ends. */
  readonly models: NpiModel[];
}
