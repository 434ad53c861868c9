#!/usr/bin/env node
import { runNpi } from "./cli-program.js";

// `npi run ... | head` closes stdout early: stop quietly, as Unix tools do, instead of an uncaught
// EPIPE (which Node prints with the whole wasm backend's source as "context").
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await runNpi(process.argv.slice(2));
