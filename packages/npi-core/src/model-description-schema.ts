import { z } from "zod";

/**
 * What an NPI model is made of (`NpiModelDescription`), as read from a file a user may have
 * downloaded (a compressed NPI's metadata): sizes bounded so a hostile file is refused before a
 * huge model is built (`lstmSize: 2048` ran past 120 s, issue 16). Real models use sizes of at most
 * 256 (the paper's 2x256 LSTM core), 2 layers and 10 argument values; the bounds allow 2x that width
 * and 4x the depth. The checkpoint reader (`./node`) applies the same bounds.
 */
const size = z.number().int().positive().max(512);
export const npiModelDescriptionSchema = z.object({
  config: z.object({
    stateSize: size,
    programEmbeddingSize: size,
    programKeySize: size,
    fusionHiddenSize: size,
    lstmSize: size,
    lstmLayers: z.number().int().positive().max(8),
    argumentDepth: z.number().int().positive().max(256),
    lstmInputGain: z.number().positive().max(100),
    // Absent: a model written before the field existed, trained without seeing its arguments on wasm.
    argumentEncoding: z.enum(["one-hot", "none"]).default("none"),
  }),
  programs: z.array(z.string().max(256)).max(1024),
  encoders: z
    .array(z.object({ environment: z.string().max(256), observationShape: z.array(z.number().int().positive().max(65_536)).max(4) }))
    .max(16),
});
