/**
 * Which plan `dcnpi compress` uses (issue 14, "safe by default"). Without data nothing can measure
 * what pruning breaks, and one-shot pruning to the paper's densities broke real models while the
 * command exited 0; so with no plan and no data the plan is `safePlan()` (weight sharing only,
 * measured to keep top-1 agreement ≥ 99% on every benchmark model), and a plan that prunes needs
 * `--unchecked` when there is no data. `--plan paper` is the paper's plan (`defaultPlan`).
 */
import { readFileSync } from "node:fs";
import { CompressionError, defaultPlan, parsePlan, safePlan, type CompressionPlan } from "@dcnpi/deep-compression";

export interface PlanChoice {
  readonly plan: CompressionPlan;
  /** What the plan is, for the log line: `safe default`, `paper`, or the file. */
  readonly source: string;
  /** The plan prunes some weight (possible damage only data can measure). */
  readonly prunes: boolean;
}

function readPlanFile(file: string): CompressionPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? "is not valid JSON" : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new CompressionError("INVALID_PLAN", `${file}: ${reason}`);
  }
  return parsePlan(raw, file);
}

/**
 * `plan`: `paper`, `safe`, a plan file (already resolved), or undefined. `hasData`: examples were given
 * to measure the damage. Refuses (INVALID_ARGUMENT naming `--unchecked`) a pruning plan without data
 * unless `unchecked`.
 */
export function choosePlan(options: { readonly plan?: string; readonly unchecked?: boolean; readonly hasData: boolean }): PlanChoice {
  const { plan: name } = options;
  const plan = name === undefined || name === "safe" ? safePlan() : name === "paper" ? defaultPlan : readPlanFile(name);
  const source = name === undefined ? "safe default" : name;
  const prunes = plan.rules.some((rule) => rule.prune !== undefined);
  if (prunes && !options.hasData && options.unchecked !== true) {
    throw new CompressionError(
      "INVALID_ARGUMENT",
      `--plan ${source} prunes weights and no data was given to measure the damage: pass --unchecked to prune anyway ` +
        "(one-shot, accuracy not checked), or leave out --plan for the safe default (weight sharing only)",
    );
  }
  return { plan, source, prunes };
}
