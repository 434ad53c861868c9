#!/usr/bin/env node
import { Command } from "commander";
import { registerNpiCommand } from "./commands/npi.js";

const program = new Command()
  .name("repro")
  .description("Reproduce the Deep Compression and Neural Programmer-Interpreters papers' results on this machine")
  .showHelpAfterError();

registerNpiCommand(program);

await program.parseAsync(process.argv);
