#!/usr/bin/env node
import { runDcnpi } from "./cli-program.js";

process.exitCode = await runDcnpi(process.argv.slice(2));
