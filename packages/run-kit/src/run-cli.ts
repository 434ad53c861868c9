/**
 * One way for every dcnpi command line (dcnpi, npi, repro) to end: what went wrong is one line
 * `name: message` on stderr and the exit code says what kind of failure it was.
 *   0  done (also --help and --version)
 *   1  the operation failed: a bad file, path or input (an expected error), or a bug ("unexpected error")
 *   2  the command line itself is wrong (commander's parse errors, or an error with code "USAGE")
 * DCNPI_DEBUG=1 also prints the stack (and cause) of the error after its line.
 * Commander is not imported here: its errors are recognised by their `commander.*` codes.
 */
import { dirname, resolve } from "node:path";
import { inspect } from "node:util";
import { DcnpiError } from "@dcnpi/base";

export interface RunCliOptions {
  /** Where the error line goes (default: process.stderr). */
  readonly err?: (text: string) => void;
  /** Read for DCNPI_DEBUG (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

type CodedError = Error & { readonly code: string };

function hasStringCode(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}

/** Commander's own errors (parse errors, help, version) when the program uses `exitOverride()`. */
function isCommanderError(error: unknown): error is CodedError & { readonly exitCode: number } {
  return hasStringCode(error) && error.code.startsWith("commander.") && typeof (error as { exitCode?: unknown }).exitCode === "number";
}

/**
 * An error about the input rather than a bug: a DcnpiError (every dcnpi package's errors extend it),
 * or another error with a string `code`, which in practice is a Node system error (ENOENT, EACCES,
 * ENOTDIR...) naming the path the user gave.
 */
export function isExpectedError(error: unknown): error is CodedError {
  return DcnpiError.is(error) || (hasStringCode(error) && !isCommanderError(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

export function isDebug(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env["DCNPI_DEBUG"];
  return value !== undefined && value !== "" && value !== "0";
}

/**
 * Runs `main` (typically `program.parseAsync(...)`) and resolves to the process exit code, having
 * printed at most one line for the failure. `name` may be a function, read after the failure, so a
 * program can name the subcommand that failed (`repro npi: ...`).
 */
export async function runCli(name: string | (() => string), main: () => unknown, options: RunCliOptions = {}): Promise<number> {
  const err = options.err ?? ((text: string) => void process.stderr.write(text));
  try {
    await main();
    return 0;
  } catch (error) {
    // Commander has already printed its message (see usageErrorOutput); help and --version exit 0.
    if (isCommanderError(error)) return error.exitCode === 0 ? 0 : 2;
    const prefix = typeof name === "function" ? name() : name;
    if (isExpectedError(error)) {
      err(`${prefix}: ${oneLine(error.message)}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      // The first line only: a bug's message can carry pages of context (the wasm backend's source).
      err(`${prefix}: unexpected error: ${message.trim().split("\n")[0]}\n`);
    }
    if (isDebug(options.env)) err(`${inspect(error)}\n`);
    return isExpectedError(error) && error.code === "USAGE" ? 2 : 1;
  }
}

/**
 * Commander's `outputError` for `configureOutput`: a parse error as the same one line
 * `name: message (run name --help for usage)`, without commander's "error: " prefix.
 */
export function usageErrorOutput(name: string): (text: string, write: (text: string) => void) => void {
  return (text, write) => write(`${name}: ${oneLine(text.replace(/^error: /, ""))} (run ${name} --help for usage)\n`);
}

/**
 * The directory the user typed the command in, which relative paths on the command line mean.
 * A package manager runs a script in its package's directory and keeps the user's in INIT_CWD; but
 * every process started under a script inherits INIT_CWD (a test the `pnpm test` script runs, and
 * the programs it spawns elsewhere), so it is only trusted when this process runs in the directory
 * of the package.json whose script is running (npm_package_json), i.e. when we are that script.
 */
export function invocationDirectory(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const initCwd = env["INIT_CWD"];
  const packageJson = env["npm_package_json"];
  if (initCwd && packageJson && resolve(dirname(packageJson)) === resolve(cwd)) return initCwd;
  return cwd;
}
