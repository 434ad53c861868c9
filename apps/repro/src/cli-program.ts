/**
 * The `repro` command line as a function, so tests drive it in-process; `cli.ts` is the executable.
 * Every failure ends in runCli (@dcnpi/run-kit): one line `repro <command>: message` on stderr,
 * exit 1 for a failed run, 2 for a wrong command line (commander's errors, UsageError), and the
 * stack only with DCNPI_DEBUG=1.
 */
import { Command } from "commander";
import { runCli, usageErrorOutput } from "@dcnpi/run-kit";
import {
  registerDeepCompressionCommand,
  runExperiments,
  runQuickReproduction,
  type DeepCompressionRunner,
} from "./commands/deep-compression.js";
import { registerNpiCommand } from "./commands/npi.js";

export interface ReproIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: ReproIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** The program; `runner` is what `deep-compression` (and the quick default) run (tests swap it out). */
export function buildReproProgram(io: ReproIo = processIo, runner: DeepCompressionRunner = runExperiments): Command {
  const program = new Command()
    .name("repro")
    .description(
      "Reproduce the Deep Compression and Neural Programmer-Interpreters papers' results on this machine.\n" +
        "With no command: the quick reproduction (LeNet-300-100 trained on real MNIST, Deep-Compressed, report in results/).",
    )
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: usageErrorOutput("repro") })
    .exitOverride();
  registerNpiCommand(program);
  registerDeepCompressionCommand(program, runner);
  // Subcommands copied the program's output settings when made; their usage errors name them.
  for (const command of program.commands) command.configureOutput({ outputError: usageErrorOutput(`repro ${command.name()}`) });
  program.action(async () => runQuickReproduction(runner));
  return program;
}

/** Runs `program` on `args` (without node and script); resolves to the exit code. */
export function runRepro(args: readonly string[], io: ReproIo = processIo, program: Command = buildReproProgram(io)): Promise<number> {
  let name = "repro";
  program.hook("preAction", (_program, action) => {
    name = action === program ? "repro" : `repro ${action.name()}`;
  });
  return runCli(
    () => name,
    () => program.parseAsync([...args], { from: "user" }),
    { err: io.err },
  );
}
