#!/usr/bin/env node
import { runRepro } from "./cli-program.js";

process.exitCode = await runRepro(process.argv.slice(2));
