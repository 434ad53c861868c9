// A multi-file output (model.json + shards) that readers see whole or not at all. The files are
// written into a temporary sibling folder named like `AtomicFile`'s temporaries
// (`.<name>.<pid>.<n>.dcnpi-tmp`), flushed, and renamed into place. A directory that already exists
// cannot be replaced by one rename (rename(2) refuses a non-empty target and Node has no
// RENAME_EXCHANGE), so it is first renamed to a backup `.<name>.<pid>.<n>.dcnpi-old`, the new folder
// is renamed in, and the backup removed. A kill between those two renames leaves no folder at the
// path but a complete backup, which the next write into the same parent (or
// `removeAtomicLeftovers`) renames back: the old output, exactly as it was.
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, parse, resolve, sep } from "node:path";
import { DcnpiError } from "../dcnpi-error.js";
import { nextTempNumber, TEMP_SUFFIX } from "./temp-names.js";

export type OutputPathErrorCode = "UNSAFE_PATH" | "NOT_A_DIRECTORY" | "NOT_EMPTY" | "CANNOT_CREATE";

/** An output path dcnpi will not write to; the message names the path and why. */
export class OutputPathError extends DcnpiError<OutputPathErrorCode> {
  override readonly name = "OutputPathError";
}

const BACKUP_SUFFIX = ".dcnpi-old";
/** A temporary whose process is still alive is left alone unless it is this old (pid reuse, other hosts). */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
// Pseudo file systems where mkdir/rename either fail oddly or loop (Node's recursive mkdirSync never
// returns on /proc/self/x): nothing dcnpi writes belongs there.
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];

const under = (path: string, root: string) => path === root || path.startsWith(`${root}${sep}`);

function isPseudo(path: string): boolean {
  // /dev/shm is an ordinary tmpfs people do write to.
  return PSEUDO_ROOTS.some((root) => under(path, root)) && !under(path, "/dev/shm");
}

/** Flushes a directory entry change (a rename) to disk; a no-op where the platform cannot. */
export function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems refuse fsync on a directory (EISDIR, EINVAL, EPERM): the
    // rename still happened, it is only less durable there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Creates `directory` and its missing parents one level at a time (never Node's recursive mkdir,
 * which loops forever on procfs), refusing paths under /proc, /sys or /dev and any level that
 * exists but is not a directory. Returns the directory's absolute path.
 */
export function ensureDirectory(directory: string): string {
  const absolute = resolve(directory);
  if (isPseudo(absolute)) throw new OutputPathError("UNSAFE_PATH", `${absolute}: will not write under ${PSEUDO_ROOTS.join(", ")}`);
  const { root } = parse(absolute);
  const levels = absolute.slice(root.length).split(sep).filter(Boolean);
  let current = root;
  for (const level of levels) {
    current = join(current, level);
    let exists = false;
    try {
      const stats = statSync(current);
      if (!stats.isDirectory()) throw new OutputPathError("NOT_A_DIRECTORY", `${current}: exists and is not a directory`);
      exists = true;
    } catch (error) {
      if (error instanceof OutputPathError) throw error;
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new OutputPathError("CANNOT_CREATE", `${current}: cannot be used (${(error as NodeJS.ErrnoException).code})`);
      }
    }
    if (exists) {
      // A symlink may lead into a pseudo file system (/tmp/link -> /proc/self).
      const real = realpathSync(current);
      if (isPseudo(real)) throw new OutputPathError("UNSAFE_PATH", `${current}: resolves to ${real}, will not write there`);
      continue;
    }
    try {
      mkdirSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" && statSync(current).isDirectory()) continue;
      throw new OutputPathError("CANNOT_CREATE", `${current}: cannot create directory (${code ?? String(error)})`);
    }
  }
  return absolute;
}

interface LeftoverName {
  readonly target: string;
  readonly pid: number;
  readonly kind: "temp" | "backup";
}

function parseLeftover(name: string): LeftoverName | undefined {
  const match = /^\.(.+)\.(\d+)\.(\d+)(\.dcnpi-tmp|\.dcnpi-old)$/.exec(name);
  if (match === null) return undefined;
  return { target: match[1]!, pid: Number(match[2]), kind: match[4] === TEMP_SUFFIX ? "temp" : "backup" };
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Cleans up after killed writers in `directory`: temporaries (`AtomicFile`'s and
 * `AtomicDirectory`'s) whose process is gone, or that are more than a day old, are removed; a
 * backup of a folder whose replacement never arrived is renamed back. Temporaries of live processes
 * (another dcnpi writing next to us) are left alone. Returns the names it removed or restored.
 */
export function removeAtomicLeftovers(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const handled: string[] = [];
  const now = Date.now();
  for (const name of names) {
    const leftover = parseLeftover(name);
    if (leftover === undefined) continue;
    const path = join(directory, name);
    let mtimeMs: number;
    try {
      mtimeMs = lstatSync(path).mtimeMs;
    } catch {
      continue; // another cleaner got there first
    }
    if (processAlive(leftover.pid) && now - mtimeMs < STALE_AFTER_MS) continue;
    try {
      const target = join(directory, leftover.target);
      if (leftover.kind === "backup" && !lstatExists(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
      handled.push(name);
    } catch {
      // A concurrent cleaner or writer; the next write tries again.
    }
  }
  return handled;
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder of files that appears at its path whole or not at all. `create` makes the temporary
 * sibling (cleaning up after killed writers first); write into `tempPath` (e.g. with
 * `writeFileAtomic(join(dir.tempPath, "model.json"), ...)`), then `commit`; `abort` removes it.
 * An existing folder at the path is replaced only if it holds nothing but the names in `replaces`
 * (so a user's other files are never deleted); otherwise `create` throws NOT_EMPTY.
 */
export class AtomicDirectory {
  readonly path: string;
  readonly tempPath: string;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(path: string, tempPath: string) {
    this.path = path;
    this.tempPath = tempPath;
  }

  static create(path: string, options: { replaces?: readonly string[] } = {}): AtomicDirectory {
    const absolute = resolve(path);
    const parent = ensureDirectory(dirname(absolute));
    removeAtomicLeftovers(parent);
    if (lstatExists(absolute)) {
      const stats = lstatSync(absolute);
      if (!stats.isDirectory()) throw new OutputPathError("NOT_A_DIRECTORY", `${absolute}: exists and is not a directory`);
      const allowed = new Set(options.replaces ?? []);
      const others = readdirSync(absolute).filter((name) => !allowed.has(name));
      if (others.length > 0) {
        throw new OutputPathError(
          "NOT_EMPTY",
          `${absolute}: holds other files (${others.slice(0, 3).join(", ")}${others.length > 3 ? ", ..." : ""}); choose a new or empty directory`,
        );
      }
    }
    const tempPath = join(parent, `.${basename(absolute)}.${process.pid}.${nextTempNumber()}${TEMP_SUFFIX}`);
    try {
      mkdirSync(tempPath);
    } catch (error) {
      throw new OutputPathError("CANNOT_CREATE", `${tempPath}: cannot create directory (${(error as NodeJS.ErrnoException).code})`);
    }
    return new AtomicDirectory(absolute, tempPath);
  }

  get state(): "open" | "committed" | "aborted" {
    return this.#state;
  }

  /** Renames the finished folder into place (replacing an old one via a backup) and flushes the parent. */
  commit(): void {
    if (this.#state !== "open") throw new Error(`atomic directory ${this.path} is already ${this.#state}`);
    const parent = dirname(this.path);
    syncDirectory(this.tempPath);
    let backup: string | undefined;
    try {
      if (lstatExists(this.path)) {
        backup = join(parent, `.${basename(this.path)}.${process.pid}.${nextTempNumber()}${BACKUP_SUFFIX}`);
        renameSync(this.path, backup);
      }
      try {
        renameSync(this.tempPath, this.path);
      } catch (error) {
        if (backup !== undefined) renameSync(backup, this.path);
        backup = undefined;
        throw error;
      }
    } catch (error) {
      this.abort();
      throw error;
    }
    this.#state = "committed";
    syncDirectory(parent);
    if (backup !== undefined) rmSync(backup, { recursive: true, force: true });
  }

  /** Removes the temporary folder; safe to call more than once. */
  abort(): void {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    rmSync(this.tempPath, { recursive: true, force: true });
  }
}

/**
 * Writes `files` (name → bytes or text) as one folder at `path`, all or nothing: on any failure the
 * old folder (if any) is exactly as it was and no temporary is left.
 */
export function writeDirectoryAtomic(
  path: string,
  files: ReadonlyMap<string, string | Uint8Array> | Record<string, string | Uint8Array>,
): string {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  const directory = AtomicDirectory.create(path, { replaces: entries.map(([name]) => name) });
  try {
    for (const [name, data] of entries) {
      if (name.includes("/") || name.includes("\\") || name === "." || name === ".." || name === "") {
        throw new OutputPathError("UNSAFE_PATH", `${name}: a file name inside ${directory.path} must not be a path`);
      }
      writeFileDurable(join(directory.tempPath, name), data);
    }
    directory.commit();
  } catch (error) {
    directory.abort();
    throw error;
  }
  return directory.path;
}

function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
