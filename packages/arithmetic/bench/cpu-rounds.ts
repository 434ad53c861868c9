import type { Timing } from "@dcnpi/bench-kit";

/** CPU milliseconds (user + system) one call of `fn` takes: steadier than wall time on a shared machine. */
export function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Times every function `rounds` times in CPU milliseconds, interleaved (one call of each per round, so
 * a load spike hits all alike), after `warmup` untimed calls each; minimum and median per function.
 */
export function timeCpuRounds<K extends string>(fns: Record<K, () => unknown>, rounds: number, warmup: number): Record<K, Timing> {
  const entries = Object.entries(fns) as [K, () => unknown][];
  for (const [, fn] of entries) for (let i = 0; i < warmup; i++) fn();
  const all = new Map<K, number[]>(entries.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) for (const [name, fn] of entries) all.get(name)!.push(cpuMs(fn));
  const out = {} as Record<K, Timing>;
  for (const [name, list] of all) {
    const sorted = [...list].sort((a, b) => a - b);
    out[name] = { minMs: sorted[0]!, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs: list };
  }
  return out;
}
