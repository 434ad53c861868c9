/**
 * Writes the two models nsfwjs 4.4.0 ships (bundled as JS modules) as model.json + shard folders, to
 * try the dcnpi command line on: `<dir>/mobilenet_v2_mid` (graph model) and `<dir>/mobilenet_v2` (layers).
 * Run: node --conditions=@dcnpi/source --import tsx packages/deep-compression/bench/write-nsfwjs-models.ts <dir>
 */
import { join, resolve } from "node:path";
import { writeNsfwjsModel } from "../test/nsfwjs-models.js";

const dir = resolve(process.env["INIT_CWD"] ?? process.cwd(), process.argv[2] ?? "nsfwjs-models");
for (const model of ["mobilenet_v2_mid", "mobilenet_v2"] as const) console.log(`wrote ${writeNsfwjsModel(model, join(dir, model))}`);
