/**
 * What every experiment of a run shares: the run directory (resumable stages), the seeded rng,
 * progress output and the record of stage wall times that goes into metadata.json.
 */
import { createProgress, type Progress, type RunDirectory } from "@dcnpi/run-kit";
import type { Rng } from "@dcnpi/tensor";
import { z } from "zod";

export type ProgressMode = "bar" | "lines" | "silent";

export const stageTimingSchema = z.strictObject({
  stage: z.string(),
  seconds: z.number(),
  /** True when this invocation read the stage back instead of computing it. */
  resumed: z.boolean(),
  /** The stage this one ran inside (its time is part of the parent's). */
  parent: z.string().optional(),
});
export type StageTiming = z.infer<typeof stageTimingSchema>;

export interface RunContext {
  readonly run: RunDirectory;
  readonly rng: Rng;
  readonly progressMode: ProgressMode | undefined;
  readonly say: (line: string) => void;
  readonly timings: StageTiming[];
}

export function progressFor(ctx: RunContext, label: string, total: number): Progress {
  return createProgress({ label, total, ...(ctx.progressMode === undefined ? {} : { mode: ctx.progressMode }) });
}

/** A stage result carries its own wall time, so a resumed run still reports how long it took. */
export interface Timed<T> {
  readonly seconds: number;
  readonly value: T;
}

/**
 * `run.stage` with the wall time recorded inside the result (and in `ctx.timings`). A stage that
 * was finished in an earlier invocation is read back, validated with `schema`, and not recomputed.
 */
export async function timedStage<T>(
  ctx: RunContext,
  name: string,
  compute: (stageDir: string) => Promise<T>,
  schema: z.ZodType<T>,
  parent?: string,
): Promise<T> {
  const resumed = ctx.run.isDone(name);
  const timedSchema = z.strictObject({ seconds: z.number(), value: schema }) as unknown as z.ZodType<Timed<T>>;
  const result = await ctx.run.stage<Timed<T>>(
    name,
    async ({ stageDir }) => {
      const started = performance.now();
      const value = await compute(stageDir);
      return { seconds: (performance.now() - started) / 1000, value };
    },
    timedSchema,
  );
  ctx.timings.push({ stage: name, seconds: result.seconds, resumed, ...(parent === undefined ? {} : { parent }) });
  if (resumed) ctx.say(`${name}: finished in an earlier run (${result.seconds.toFixed(1)} s then); read back`);
  return result.value;
}
