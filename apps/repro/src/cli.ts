#!/usr/bin/env node
import { Command } from "commander";
import { registerDeepCompressionCommand, runQuickReproduction } from "./commands/deep-compression.js";
import { registerNpiCommand } from "./commands/npi.js";

const program = new Command()
  .name("repro")
  .description(
    "Reproduce the Deep Compression and Neural Programmer-Interpreters papers' results on this machine.\n" +
      "With no command: the quick reproduction (LeNet-300-100 trained on real MNIST, Deep-Compressed, report in results/).",
  )
  .showHelpAfterError();

registerNpiCommand(program);
registerDeepCompressionCommand(program);
program.action(async () => runQuickReproduction(program));

await program.parseAsync(process.argv);
