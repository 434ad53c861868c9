import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Versions of the packages whose numbers end up in the report. */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const name of ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm", "@dcnpi/npi-core", "@dcnpi/npi-envs", "@dcnpi/engine"]) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      out[name] = "unknown";
    }
  }
  return out;
}
