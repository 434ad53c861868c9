import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { invocationDirectory } from "@dcnpi/run-kit";
import { UsageError } from "../deep-compression/options.js";

// "all" stays addition + sorting + sample complexity; the car task runs on its own (`car`).
const experimentNames = ["addition", "sorting", "sample-complexity", "all", "car", "multitask"] as const;

const optionsSchema = z.object({
  seed: z.coerce.number().int().nonnegative(),
  quick: z.boolean().default(false),
  runId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "run ids are letters, digits, '.', '_' and '-'")
    .optional(),
  resultsDir: z.string().min(1).optional(),
  progress: z.enum(["bar", "lines", "silent"]).optional(),
  traceCounts: z
    .string()
    .regex(/^\d+(,\d+)*$/, "a comma-separated list of training-set sizes")
    .optional(),
  singleTaskRuns: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(,[A-Za-z0-9][A-Za-z0-9._-]*)*$/, "a comma-separated list of run ids")
    .optional(),
});

/** `repro npi`: the Neural Programmer-Interpreters experiments (owned by src/npi/). */
export function registerNpiCommand(program: Command): void {
  program
    .command("npi")
    .description("NPI: addition and sorting generalisation, sample complexity, synthetic car canonicalisation (report with SVG plots)")
    .argument("[experiment]", `one of ${experimentNames.join(", ")}`, "all")
    .option("--seed <n>", "seed of everything random (data, initial weights, batches)", "1")
    .option("--quick", "smoke test: tiny model, a few training steps, short tests")
    .option("--run-id <id>", "results/<run-id>/ (default npi-<experiment>-seed<n>[-quick]); an existing one resumes")
    .option("--results-dir <dir>", "where run directories go (default ./results where the command was started)")
    .option("--progress <mode>", "bar, lines or silent (default: bar on a terminal)")
    .option(
      "--single-task-runs <ids>",
      "multitask: earlier run ids (comma-separated, in the results directory) whose addition-eval, " +
        "sorting-eval and car-eval stages fill Table 1's single-task column",
    )
    .option("--trace-counts <list>", "sample-complexity: only these training-set sizes (comma-separated, from 2,4,8,16,64)")
    // Errors are one line (runCli, as `repro deep-compression`): no help page after them.
    .showHelpAfterError(false)
    .action(async (experiment: string, raw: Record<string, unknown>) => {
      if (!(experimentNames as readonly string[]).includes(experiment)) {
        throw new UsageError(`unknown experiment "${experiment}" (expected ${experimentNames.join(", ")})`);
      }
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "));
      const options = parsed.data;
      const traceCounts = options.traceCounts?.split(",").map(Number);
      if (traceCounts !== undefined) {
        const { FULL_RECIPES, QUICK_RECIPES } = await import("../npi/recipes.js");
        const allowed = (options.quick ? QUICK_RECIPES : FULL_RECIPES).sampleComplexity.traceCounts;
        const bad = traceCounts.filter((c) => !allowed.includes(c));
        if (bad.length > 0)
          throw new UsageError(`--trace-counts ${bad.join(", ")} not among the recipe's training-set sizes (${allowed.join(", ")})`);
      }
      await run(experiment as (typeof experimentNames)[number], options, traceCounts);
    });
}

/** One `repro npi` invocation: the engine, the experiments, the report path on stdout. */
async function run(
  experiment: (typeof experimentNames)[number],
  options: z.infer<typeof optionsSchema>,
  traceCounts: number[] | undefined,
): Promise<void> {
  // Loaded here so `repro --help` does not start TensorFlow.js.
  const [{ initEngine }, { runNpi }, versions] = await Promise.all([
    import("@dcnpi/engine"),
    import("../npi/run-npi.js"),
    import("../npi/versions.js"),
  ]);
  const engine = await initEngine();
  const experiments =
    experiment === "all"
      ? (["addition", "sorting", "sample-complexity"] as const)
      : ([experiment] as ["addition" | "sorting" | "sample-complexity" | "car" | "multitask"]);
  const runId = options.runId ?? `npi-${experiment}-seed${options.seed}${options.quick ? "-quick" : ""}`;
  const resultsDir = resolve(invocationDirectory(), options.resultsDir ?? "results");
  const { dir } = await runNpi({
    experiments,
    seed: options.seed,
    quick: options.quick,
    resultsDir,
    runId,
    backend: engine.backend + (engine.wasmKernels ? ` (${engine.wasmKernels} dcnpi kernels)` : ""),
    versions: versions.packageVersions(),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.singleTaskRuns ? { singleTaskRuns: options.singleTaskRuns.split(",") } : {}),
    ...(traceCounts ? { traceCounts } : {}),
    say: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${join(dir, "report.md")}\n`);
}
