#!/usr/bin/env node
// The `repro` command. Inside this repository it runs the TypeScript source (tsx, with the
// `@dcnpi/source` export condition), so `pnpm exec repro` works before any build and nothing but the
// command itself prints (issue 16: pnpm's run scripts add their own lines). A published package has no
// src/ and runs the built dist/cli.js.
import { existsSync } from "node:fs";
import { register } from "node:module";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli.ts", import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const addSourceCondition =
    'export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "@dcnpi/source"] }); }';
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  await import(source.href);
} else {
  await import(new URL("../dist/cli.js", import.meta.url).href);
}
