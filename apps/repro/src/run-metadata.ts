import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";

export interface RunMetadata {
  readonly command: string;
  readonly seed: number;
  readonly backend: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly versions: Record<string, string>;
  readonly startedAt: string;
  readonly loadAverageAtStart: number;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** Facts about this run that someone comparing numbers later will want: seed, backend, versions, commit. */
export function collectRunMetadata(command: string, seed: number, backend: string, versions: Record<string, string>): RunMetadata {
  return {
    command,
    seed,
    backend,
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    gitCommit: git(["rev-parse", "HEAD"]) ?? "unknown",
    gitDirty: (git(["status", "--porcelain"]) ?? "").length > 0,
    versions,
    startedAt: new Date().toISOString(),
    loadAverageAtStart: loadavg()[0] ?? 0,
  };
}
