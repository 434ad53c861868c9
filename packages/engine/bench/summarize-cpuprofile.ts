/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): self time by area (our wasm kernels, stock tfjs wasm,
 * tfjs-core's engine, npi-core's host loops, GC, ...) and the top functions by self time.
 *
 *   npx tsx bench/summarize-cpuprofile.ts <file.cpuprofile>... [--top N] [--within trainStep]
 *
 * `--within NAME` counts only samples taken inside a function of that name (synchronous callers only:
 * the NPI's trainStep, not LeNet's async trainOnBatch). `--window FROM-TO` counts only samples between
 * two CLOCK_MONOTONIC microsecond stamps (profile-steps.ts prints the timed loop's window).
 *
 * Under tsx, --cpu-prof also profiles tsx's module-loader thread: with several files, the largest
 * (the main thread's) is summarised.
 */
import { readFileSync, statSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const AREAS: readonly [string, (f: ProfileNode["callFrame"]) => boolean][] = [
  ["GC", (f) => f.functionName === "(garbage collector)"],
  ["idle / program", (f) => f.functionName === "(idle)" || f.functionName === "(program)"],
  // Two wasm modules run: tfjs's (hundreds of functions) and our emitted SIMD module (a handful).
  ["stock tfjs wasm (C++ kernels)", (f) => f.url.startsWith("wasm://") && stockModules.has(f.url)],
  ["dcnpi wasm kernels (SIMD module)", (f) => f.url.startsWith("wasm://")],
  ["dcnpi engine kernels (JS)", (f) => f.url.includes("/packages/engine/src/")],
  ["npi-core (host LSTM loops, model, trainer)", (f) => f.url.includes("/packages/npi-core/")],
  // pnpm's folder names mention tfjs-core in every tfjs package's path: match the package's own folder.
  ["tfjs-layers", (f) => f.url.includes("/node_modules/@tensorflow/tfjs-layers/")],
  ["tfjs-backend-wasm (JS side)", (f) => f.url.includes("/node_modules/@tensorflow/tfjs-backend-wasm/")],
  ["tfjs-core (engine, tape, ops)", (f) => f.url.includes("/node_modules/@tensorflow/tfjs-core/")],
  ["other packages / node", () => true],
];

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
const withinAt = args.indexOf("--within");
const within = withinAt >= 0 ? args.splice(withinAt, 2)[1] : undefined;
const windowAt = args.indexOf("--window");
const [from, to] = windowAt >= 0 ? args.splice(windowAt, 2)[1]!.split("-").map(Number) : [0, Number.POSITIVE_INFINITY];
const file = args.sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (file === undefined || !(top > 0)) throw new Error("usage: summarize-cpuprofile.ts <file.cpuprofile>... [--top N]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const stockModules = new Set(
  profile.nodes
    .filter((n) => n.callFrame.url.startsWith("wasm://") && Number(/\[(\d+)\]/.exec(n.callFrame.functionName)?.[1] ?? 0) >= 100)
    .map((n) => n.callFrame.url),
);
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inside = (id: number): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
    if (byId.get(at)!.callFrame.functionName === within) return true;
  return false;
};
const self = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at < from! || at > to!) return;
  if (within === undefined || inside(id)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, ms] of self) {
  const frame = byId.get(id)!.callFrame;
  const area = AREAS.find(([, test]) => test(frame))![0];
  areas.set(area, (areas.get(area) ?? 0) + ms);
  const where =
    frame.url === ""
      ? ""
      : ` ${frame.url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|packages\/)/, "")}:${frame.lineNumber + 1}`;
  const key = `${frame.functionName || "(anonymous)"}${where}`;
  functions.set(key, (functions.get(key) ?? 0) + ms);
}
const pct = (ms: number) => `${((100 * ms) / total).toFixed(1)}%`;
console.log(`${file}: ${(total / 1000).toFixed(2)} s sampled${within === undefined ? "" : ` inside ${within}`}`);
console.log("\n| area | self ms | share |\n| --- | --- | --- |");
for (const [area, ms] of [...areas].sort((a, b) => b[1] - a[1])) console.log(`| ${area} | ${ms.toFixed(0)} | ${pct(ms)} |`);
console.log("\n| function | self ms | share |\n| --- | --- | --- |");
for (const [name, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| \`${name}\` | ${ms.toFixed(0)} | ${pct(ms)} |`);
