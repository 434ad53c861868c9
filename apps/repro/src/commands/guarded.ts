import { UsageError } from "../deep-compression/options.js";

/**
 * Runs a command's work and turns every failure into one line on stderr and a non-zero exit code
 * (2 for usage errors, 1 otherwise); `DCNPI_DEBUG=1` also prints the stack. Without it a failure deep
 * in a run would escape as an uncaught exception, which the wasm backend's handler rethrows with a
 * page of its own minified source.
 */
export async function guarded(name: string, action: () => Promise<void>, fail: (message: string, exitCode: number) => void): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof UsageError) return fail(`${name}: ${error.message}`, 2);
    const message = error instanceof Error ? error.message : String(error);
    if (process.env["DCNPI_DEBUG"] === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    fail(`${name}: ${message.split("\n")[0]}`, 1);
  }
}
