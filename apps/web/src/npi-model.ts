/**
 * An NPI from the bytes of a `.dcnpi` file written by `npi compress`, in the page. The same steps as
 * apps/npi-trainer's model-store (apps do not import apps): decode the weights with
 * `parseCompressedWeights`, check the `user` metadata with the same bounds (a hostile file is refused
 * before tfjs builds anything), build the model for the task, assign every parameter by name.
 * Addition and sorting only: the car task renders its observations, which this page does not ship.
 */
import { parseCompressedWeights } from "@dcnpi/deep-compression";
import { npiModelDescriptionSchema, type Task } from "@dcnpi/npi-core";
import { createNpiModel, type NpiModel } from "@dcnpi/npi-core/tfjs";
import { additionTask, sortingTask, type AdditionInput, type SortingInput } from "@dcnpi/npi-envs";
import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { WebAppError } from "./errors.js";

// npi-trainer's metadata of a compressed NPI (apps/npi-trainer/src/model-store.ts); the model part is
// npi-core's bounded schema, so a hostile file cannot make the page build a huge model.
const npiMetadataSchema = z.object({
  kind: z.literal("dcnpi/npi-model"),
  version: z.literal(1),
  task: z.enum(["addition", "sort", "car"]),
  model: npiModelDescriptionSchema,
  source: z.object({ checkpoint: z.string(), step: z.number().int().nonnegative() }).passthrough(),
});

export type WebTaskName = "addition" | "sort";

export interface LoadedNpi {
  readonly model: NpiModel;
  readonly task: Task;
  readonly taskName: WebTaskName;
  readonly fileBytes: number;
  readonly float32Bytes: number;
  readonly trainingStep: number;
}

export async function loadNpi(bytes: Uint8Array, source: string): Promise<LoadedNpi> {
  const { weights, metadata } = await parseCompressedWeights(bytes, source);
  const parsed = npiMetadataSchema.safeParse(metadata.user);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebAppError(
      "MODEL_FILE",
      `${source}: a .dcnpi file, but not an NPI written by npi compress (user.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "missing"})`,
    );
  }
  const npi = parsed.data;
  if (npi.task === "car")
    throw new WebAppError(
      "MODEL_FILE",
      `${source}: a car model; this page runs addition and sorting NPIs (the car task renders its own frames)`,
    );
  const task = (npi.task === "addition" ? additionTask : sortingTask) as Task;
  const model = createNpiModel({ tasks: [task], config: npi.model.config, seed: 0 });
  try {
    const described = model.describe();
    if (
      JSON.stringify(described.programs) !== JSON.stringify(npi.model.programs) ||
      JSON.stringify(described.encoders) !== JSON.stringify(npi.model.encoders)
    )
      throw new WebAppError(
        "MODEL_FILE",
        `${source}: the model's program table or observation shape does not match the current ${task.name} task`,
      );
    const parameters = model.parameters();
    for (const p of parameters) {
      if (!weights.has(p.name)) throw new WebAppError("MODEL_FILE", `${source}: has no weight "${p.name}"`);
      const w = weights.get(p.name);
      if (w.shape.length !== p.variable.shape.length || w.shape.some((d, i) => d !== p.variable.shape[i]))
        throw new WebAppError(
          "MODEL_FILE",
          `${source}: "${p.name}" is [${w.shape.join(",")}], the model needs [${p.variable.shape.join(",")}]`,
        );
    }
    for (const p of parameters)
      tf.tidy(() => p.variable.assign(tf.tensor(Float32Array.from(weights.get(p.name).data as Float32Array), [...p.variable.shape])));
    const float32Bytes = parameters.reduce((sum, p) => sum + p.variable.size * 4, 0);
    return { model, task, taskName: npi.task, fileBytes: bytes.length, float32Bytes, trainingStep: npi.source.step };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** `"1007+3"` → `{ a: "1007", b: "3" }` (as `npi run --input`; at most 200 digits here, the page draws every step). */
export function parseAdditionInput(text: string): AdditionInput {
  const match = /^\s*([0-9]+)\s*\+\s*([0-9]+)\s*$/.exec(text);
  if (match === null)
    throw new WebAppError(
      "INVALID_INPUT",
      `addition input must look like "1007+3" (two non-negative integers joined by "+"), got "${text}"`,
    );
  const [a, b] = [match[1]!, match[2]!];
  for (const operand of [a, b]) {
    if (operand.length > 1 && operand.startsWith("0"))
      throw new WebAppError("INVALID_INPUT", `addition operand "${operand}" has a leading zero`);
    if (operand.length > 200)
      throw new WebAppError("INVALID_INPUT", `addition operand has ${operand.length} digits; the page runs at most 200`);
  }
  return { a, b };
}

/** `"9,2,5,1"` → `{ values: [9, 2, 5, 1] }`, single digits, at most 50 (as `npi run --input`). */
export function parseSortingInput(text: string): SortingInput {
  const inner = text.trim().replace(/^\[(.*)\]$/s, "$1");
  const parts = inner.split(",").map((p) => p.trim());
  if (inner.trim() === "" || parts.some((p) => !/^[0-9]$/.test(p)))
    throw new WebAppError("INVALID_INPUT", `sort input must be single digits separated by commas, like "9,2,5,1", got "${text}"`);
  if (parts.length > 50) throw new WebAppError("INVALID_INPUT", `sort input has ${parts.length} values; the page runs at most 50`);
  return { values: parts.map(Number) };
}
