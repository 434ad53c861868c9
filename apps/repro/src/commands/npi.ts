import type { Command } from "commander";

/** `repro npi`: the Neural Programmer-Interpreters experiments (owned by src/npi/). */
export function registerNpiCommand(program: Command): void {
  program
    .command("npi")
    .description("NPI: addition and sorting generalisation, sample complexity (report with SVG plots)")
    .action(() => {
      throw new Error("repro npi is not implemented yet");
    });
}
