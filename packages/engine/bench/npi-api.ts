import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The part of @dcnpi/npi-core, @dcnpi/npi-core/tfjs and @dcnpi/npi-envs that bench/npi-speed.ts uses,
 * written out because the engine cannot list those packages as dependencies (they list the engine;
 * see npi-speed.ts). Shapes follow their api-report.md files.
 */
export interface NpiTaskLike {
  readonly name: string;
  readonly environment: string;
  randomInput(rng: unknown, length: number): unknown;
}

export interface NpiSequenceBatch {
  readonly steps: number;
  readonly size: number;
  readonly groups: readonly {
    readonly environment: string;
    readonly start: number;
    readonly count: number;
    readonly observations: Float32Array;
  }[];
  readonly programs: Int32Array;
  readonly args: Int32Array;
  readonly ends: Float32Array;
  readonly calls: Int32Array;
  readonly callArgs: Int32Array;
  readonly argumentMask: Float32Array;
  readonly stepMask: Float32Array;
}

export interface NpiSampleLike {
  readonly length: number;
  readonly count: number;
}

export interface NpiDatasetLike {
  addTeacherTraces(task: NpiTaskLike, inputs: readonly unknown[], extraPrograms?: readonly string[]): NpiDatasetLike;
  programs(): number[];
  samplesOf(program: number): readonly NpiSampleLike[];
}

export interface NpiModelLike {
  readonly config: Record<string, number>;
  weights(): Iterable<{ readonly name: string; readonly tensor: { readonly shape: readonly number[]; readonly data: ArrayLike<number> } }>;
  programNames(): string[];
  programName(index: number): string;
  step(requests: readonly unknown[]): { readonly state: unknown }[];
  dispose(): void;
}

export interface NpiTrainerLike {
  trainStep(): { readonly step: number; readonly loss: number; readonly programs: readonly string[] };
  dispose(): void;
}

export interface GradientWorkersLike {
  readonly stepLoss: unknown;
  close(): Promise<void>;
}

export interface NpiApi {
  readonly GradientWorkers: {
    start(options: { model: NpiModelLike; threads: number; replica: { module: URL; data: unknown } }): Promise<GradientWorkersLike>;
  };
  readonly additionTask: NpiTaskLike;
  readonly sortingTask: NpiTaskLike;
  createNpiModel(options: { tasks: readonly NpiTaskLike[]; seed: number }): NpiModelLike;
  readonly InvocationDataset: new (model: NpiModelLike) => NpiDatasetLike;
  readonly NpiTrainer: new (model: NpiModelLike, dataset: NpiDatasetLike, options: Record<string, unknown>) => NpiTrainerLike;
  buildSequenceBatch(samples: readonly NpiSampleLike[], dataset: NpiDatasetLike): NpiSequenceBatch;
  drawIndex(probabilities: ArrayLike<number>, u: number): number;
  readonly MEASURED_TRAINER_OPTIONS: {
    readonly batchSize: number;
    readonly programsPerStep: number;
    readonly stepsPerBatch: number;
    readonly gradientClipNorm: number;
    readonly learningRate: { readonly initial: number };
  };
}

/**
 * npi-core and npi-envs, loaded through a path resolved from npi-envs: both list @dcnpi/engine as a
 * dev dependency (their tests and benches choose the backend), so the engine cannot list them back
 * (turbo refuses the cycle for `build`). npi-envs' own manifest resolves all of them.
 */
export async function loadNpi(): Promise<NpiApi> {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(join(here, "..", "..", "npi-envs", "package.json"));
  const load = async (specifier: string) => (await import(pathToFileURL(require.resolve(specifier)).href)) as Record<string, unknown>;
  const parts = await Promise.all(["@dcnpi/npi-core", "@dcnpi/npi-core/tfjs", "@dcnpi/npi-core/node", "@dcnpi/npi-envs"].map(load));
  return Object.assign({}, ...parts) as NpiApi;
}
