/**
 * How raw values become model inputs: `value * scale[c] + offset[c]` per channel c (the last axis),
 * after images are put in the model's channel order and, when asked, resized. Given by CLI flags or
 * a small JSON file (`preprocessingSchema`). The common "(x/255 - mean) / std" is
 * `scale = 1 / (255 * std)`, `offset = -mean / std`.
 */
import { z } from "zod";
import { ExampleDataError } from "./errors.js";

const perChannel = z.union([z.number().finite(), z.array(z.number().finite()).min(1).max(4)]);

export const preprocessingSchema = z.strictObject({
  version: z.literal(1),
  /** Multiplies each raw value (default 1/255 for bytes: images, uint8 arrays; 1 otherwise). */
  scale: perChannel.optional(),
  /** Added after scaling (default 0). */
  offset: perChannel.optional(),
  /** Channel order of 3-channel inputs (default rgb). One-channel models get luminance. */
  channelOrder: z.enum(["rgb", "bgr"]).optional(),
  /** Resize images (bilinear) to the model's input size instead of refusing other sizes. */
  resize: z.boolean().optional(),
  /** [height, width] for models whose input size is not fixed. */
  size: z.tuple([z.number().int().min(1).max(8192), z.number().int().min(1).max(8192)]).optional(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/** Validates preprocessing read from a file or assembled from flags; errors name the source and field. */
export function parsePreprocessing(input: unknown, source: string): Preprocessing {
  const parsed = preprocessingSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExampleDataError("INVALID_OPTION", `${source}: ${issue.path.length > 0 ? issue.path.join(".") : "root"}: ${issue.message}`);
  }
  return parsed.data;
}

/** Per-channel factors for `channels` channels; one number applies to all. */
function expand(value: number | readonly number[] | undefined, fallback: number, channels: number, field: string): number[] {
  if (value === undefined) return new Array<number>(channels).fill(fallback);
  if (typeof value === "number") return new Array<number>(channels).fill(value);
  if (value.length === 1) return new Array<number>(channels).fill(value[0]!);
  if (value.length !== channels)
    throw new ExampleDataError("INVALID_OPTION", `preprocessing ${field}: ${value.length} values for ${channels} channels`);
  return [...value];
}

/** Applies scale and offset in place over data whose last axis has `channels` entries. */
export function applyScaleOffset(data: Float32Array, channels: number, preprocessing: Preprocessing, rawIsByte: boolean): void {
  const scale = expand(preprocessing.scale, rawIsByte ? 1 / 255 : 1, channels, "scale");
  const offset = expand(preprocessing.offset, 0, channels, "offset");
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    data[i] = data[i]! * scale[c]! + offset[c]!;
  }
}
