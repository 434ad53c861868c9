import type { InvocationDataset, InvocationSample } from "../invocation-dataset.js";
import type { SequenceBatch } from "./npi-model.js";

/**
 * A training batch from invocation samples: padded to the longest (with a step mask), rows grouped
 * by environment so each encoder reads one block.
 */
export function buildSequenceBatch(samples: readonly InvocationSample[], dataset: InvocationDataset): SequenceBatch {
  const order = [...samples.keys()].sort((a, b) => {
    const ea = samples[a]!.environment;
    const eb = samples[b]!.environment;
    return ea < eb ? -1 : ea > eb ? 1 : a - b;
  });
  const rows = order.map((i) => samples[i]!);
  const size = rows.length;
  const steps = Math.max(...rows.map((s) => s.length));
  const programs = new Int32Array(size);
  const args = new Int32Array(size * 3);
  const ends = new Float32Array(steps * size);
  const calls = new Int32Array(steps * size).fill(-1);
  const callArgs = new Int32Array(steps * size * 3);
  const argumentMask = new Float32Array(steps * size);
  const stepMask = new Float32Array(steps * size);
  const groups: { environment: string; start: number; count: number; observations: Float32Array }[] = [];
  rows.forEach((sample, b) => {
    programs[b] = sample.program;
    args.set(sample.args, b * 3);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.environment === sample.environment) last.count++;
    else groups.push({ environment: sample.environment, start: b, count: 1, observations: new Float32Array(0) });
    for (let t = 0; t < sample.length; t++) {
      const r = t * size + b;
      ends[r] = sample.ends[t]!;
      calls[r] = sample.calls[t]!;
      callArgs.set(sample.callArgs.subarray(t * 3, t * 3 + 3), r * 3);
      argumentMask[r] = sample.argumentMask[t]!;
      stepMask[r] = 1;
    }
  });
  for (const group of groups) {
    const pool = dataset.pool(group.environment);
    const observations = new Float32Array(steps * group.count * pool.size);
    for (let k = 0; k < group.count; k++) {
      const sample = rows[group.start + k]!;
      // Padding steps repeat the last observation (they are masked out of the loss).
      for (let t = 0; t < steps; t++)
        pool.copyTo(sample.observations[Math.min(t, sample.length - 1)]!, observations, (t * group.count + k) * pool.size);
    }
    group.observations = observations;
  }
  return { steps, size, groups, programs, args, ends, calls, callArgs, argumentMask, stepMask };
}
