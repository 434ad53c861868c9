import type { NpiTrainer } from "../tfjs/trainer.js";
import { hasCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.js";

/** Writes the trainer's checkpoint (weights, optimizer moments, step, sampling state, curriculum) into `dir`, atomically. */
export function saveTrainerCheckpoint(trainer: NpiTrainer, dir: string): string {
  return writeCheckpoint(dir, trainer.checkpoint());
}

/**
 * Continues `trainer` from the checkpoint in `dir`, if there is one (returns false otherwise). The
 * checkpoint must come from the same model layout, data set and options (INCOMPATIBLE_CHECKPOINT).
 */
export function restoreTrainerCheckpoint(trainer: NpiTrainer, dir: string): boolean {
  if (!hasCheckpoint(dir)) return false;
  trainer.restore(readCheckpoint(dir), dir);
  return true;
}
