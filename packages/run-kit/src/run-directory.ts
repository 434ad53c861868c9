import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.js";
import { RunError } from "./errors.js";

export interface StageContext {
  /** A directory that belongs to this stage, for files it produces (models, arrays). */
  readonly stageDir: string;
}

export interface RunDirectory {
  readonly runId: string;
  readonly dir: string;
  /** A path inside the run directory. */
  path(...parts: string[]): string;
  /** True when stage `name` finished in an earlier (or this) invocation. */
  isDone(name: string): boolean;
  /**
   * Runs `compute` once per run directory. Its JSON result is saved as the stage's last act, so a
   * run killed mid-stage redoes only that stage; a finished stage is read back (and validated with
   * `schema` when given) instead of being recomputed.
   */
  stage<T>(name: string, compute: (context: StageContext) => Promise<T> | T, schema?: z.ZodType<T>): Promise<T>;
  /** Appends one JSON record to metrics.jsonl. */
  appendMetric(record: Record<string, unknown>): void;
  /** Names of stages that were read back from an earlier run rather than computed. */
  readonly resumedStages: readonly string[];
}

const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkName(kind: string, name: string): void {
  if (!safeName.test(name)) {
    throw new RunError("INVALID_RUN_ID", `${kind} "${name}" must be letters, digits, ".", "_" or "-" (and not start with a symbol)`);
  }
}

/** Drops a trailing partial line that a killed process may have left in a JSONL file. */
function repairJsonl(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  if (text.length === 0 || text.endsWith("\n")) return;
  writeFileSync(file, text.slice(0, text.lastIndexOf("\n") + 1));
}

/** Opens (creating if needed) `<root>/<runId>/`; reopening the same id resumes it. */
export function openRunDirectory(root: string, runId: string): RunDirectory {
  checkName("run id", runId);
  const dir = resolve(root, runId);
  mkdirSync(join(dir, "stages"), { recursive: true });
  const metricsFile = join(dir, "metrics.jsonl");
  repairJsonl(metricsFile);
  const resumed: string[] = [];
  const resultFile = (name: string) => join(dir, "stages", name, "result.json");

  return {
    runId,
    dir,
    resumedStages: resumed,
    path: (...parts) => join(dir, ...parts),
    isDone: (name) => existsSync(resultFile(name)),
    async stage<T>(name: string, compute: (context: StageContext) => Promise<T> | T, schema?: z.ZodType<T>): Promise<T> {
      checkName("stage name", name);
      const file = resultFile(name);
      if (existsSync(file)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(file, "utf8"));
        } catch {
          throw new RunError("CORRUPT_STAGE", `${file}: not valid JSON; delete it to recompute stage "${name}"`);
        }
        const value = (parsed as { value: unknown }).value;
        if (schema !== undefined) {
          const checked = schema.safeParse(value);
          if (!checked.success) {
            throw new RunError(
              "CORRUPT_STAGE",
              `${file}: does not match stage "${name}" (${checked.error.issues[0]?.message ?? "invalid"}); delete it to recompute`,
            );
          }
          resumed.push(name);
          return checked.data;
        }
        resumed.push(name);
        return value as T;
      }
      const stageDir = join(dir, "stages", name);
      mkdirSync(stageDir, { recursive: true });
      const value = await compute({ stageDir });
      writeJsonAtomic(file, { stage: name, finishedAt: new Date().toISOString(), value });
      return value;
    },
    appendMetric(record) {
      appendFileSync(metricsFile, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    },
  };
}
