/**
 * Benchmark helpers shared by every package's `bench` script.
 * Speed is always reported as a ratio against a baseline timed in the same run, on the same
 * machine, because the absolute numbers move with the machine's load; each figure is the minimum
 * of several runs (the least-disturbed one), with the median beside it.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface Timing {
  readonly minMs: number;
  readonly medianMs: number;
  readonly runsMs: readonly number[];
}

export interface TimeOptions {
  readonly runs?: number;
  readonly warmup?: number;
}

/** Times `fn` `runs` times after `warmup` untimed calls. */
export async function time(fn: () => unknown, options: TimeOptions = {}): Promise<Timing> {
  const { runs = 5, warmup = 1 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    runsMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { minMs: sorted[0]!, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs };
}

function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  return value.toPrecision(digits);
}

/** Prints rows as an aligned plain-text table under a title. */
export function printTable(title: string, rows: readonly Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => (typeof row[c] === "number" ? formatNumber(row[c]) : String(row[c] ?? ""))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  console.log(line(columns));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of cells) console.log(line(r));
}

export interface MachineInfo {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadAverage1m: number;
  readonly date: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    cpu: cpuList[0]?.model ?? "unknown",
    cores: cpuList.length,
    loadAverage1m: loadavg()[0] ?? 0,
    date: new Date().toISOString(),
  };
}

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Writes `bench-results/<name>.json` at the workspace root (temp file, then rename). */
export function recordBenchResult(name: string, data: unknown): string {
  const dir = join(workspaceRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ machine: machineInfo(), ...(data as object) }, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
