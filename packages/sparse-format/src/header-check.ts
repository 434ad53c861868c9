/**
 * The header schema of container-schema.ts checked by hand: the same rules as `headerSchema` (strict
 * objects, integer ranges, enums, the `kind` discriminator), without zod's cost per entry record, which
 * dominated loading a header of 100,000 entries (issue 16 item 7). Returns the first problem as
 * `{ path, message }` (the path in zod's `entries.3.shape.0` form), or null when the header matches.
 */
import { FORMAT_VERSION, FORMAT_VERSION_2 } from "./container-constants.js";

export interface HeaderIssue {
  readonly path: string;
  readonly message: string;
}

class Issue {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function object(value: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (!isObject(value)) throw new Issue(path, `expected object, received ${describe(value)}`);
  for (const key in value) {
    if (!keys.includes(key) && !optional.includes(key)) throw new Issue(path, `unrecognized key: "${key}"`);
  }
  for (const key of keys) if (!Object.hasOwn(value, key)) throw new Issue(join(path, key), "required");
  return value;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function int(value: unknown, path: string, min: number, max: number): void {
  if (typeof value !== "number") throw new Issue(path, `expected number, received ${describe(value)}`);
  if (!Number.isSafeInteger(value)) throw new Issue(path, "expected int, received number");
  if (value < min) throw new Issue(path, `too small: expected number to be >=${min}`);
  if (value > max) throw new Issue(path, `too big: expected number to be <=${max}`);
}

const uint = (value: unknown, path: string) => int(value, path, 0, Number.MAX_SAFE_INTEGER);

function string(value: unknown, path: string, min: number): void {
  if (typeof value !== "string") throw new Issue(path, `expected string, received ${describe(value)}`);
  if (value.length < min) throw new Issue(path, `too small: expected string to have >=${min} characters`);
  if (value.length > 4096) throw new Issue(path, "too big: expected string to have <=4096 characters");
}

function oneOf(value: unknown, path: string, options: readonly string[]): void {
  if (typeof value !== "string" || !options.includes(value))
    throw new Issue(path, `invalid option: expected one of ${options.map((o) => `"${o}"`).join("|")}`);
}

const SECTION_KEYS = ["offset", "length", "crc32"] as const;
const STREAM_KEYS = ["offset", "length", "crc32", "encoding", "symbolCount", "payloadBits"] as const;

function section(value: unknown, path: string, stream: boolean, version: number, codebook = false): void {
  // Version 2 only: a codebook or dense data section may say it is packed (container-schema's packableSectionSchema).
  const s = object(value, path, stream ? STREAM_KEYS : SECTION_KEYS, codebook && version === FORMAT_VERSION_2 ? ["encoding"] : []);
  uint(s["offset"], `${path}.offset`);
  uint(s["length"], `${path}.length`);
  int(s["crc32"], `${path}.crc32`, 0, 0xffffffff);
  if (codebook && Object.hasOwn(s, "encoding")) oneOf(s["encoding"], `${path}.encoding`, ["packed"]);
  if (!stream) return;
  oneOf(
    s["encoding"],
    `${path}.encoding`,
    version === FORMAT_VERSION ? ["huffman", "fixed"] : ["huffman", "fixed", "arithmetic", "arithmetic-context"],
  );
  uint(s["symbolCount"], `${path}.symbolCount`);
  uint(s["payloadBits"], `${path}.payloadBits`);
}

const COMMON = ["kind", "name", "shape", "info"] as const;
const KEYS = {
  sparse: [...COMMON, "weightBits", "indexBits", "codebookSize", "nonzeroCount", "fillerCount", "sections"],
  quantized: [...COMMON, "weightBits", "codebookSize", "sections"],
  dense: [...COMMON, "dtype", "sections"],
} as const;

function entry(value: unknown, path: string, version: number): void {
  if (!isObject(value)) throw new Issue(path, `expected object, received ${describe(value)}`);
  const kind = value["kind"];
  if (kind !== "sparse" && kind !== "quantized" && kind !== "dense") throw new Issue(join(path, "kind"), "invalid input");
  const e = object(value, path, KEYS[kind]);
  string(e["name"], `${path}.name`, 1);
  const shape = e["shape"];
  if (!Array.isArray(shape)) throw new Issue(`${path}.shape`, `expected array, received ${describe(shape)}`);
  if (shape.length > 8) throw new Issue(`${path}.shape`, "too big: expected array to have <=8 items");
  for (let i = 0; i < shape.length; i++) uint(shape[i], `${path}.shape.${i}`);
  const info = object(e["info"], `${path}.info`, [], ["layer", "layerClass", "role"]);
  for (const key in info) string(info[key], `${path}.info.${key}`, 0);
  const sectionsPath = `${path}.sections`;
  if (kind === "dense") {
    oneOf(e["dtype"], `${path}.dtype`, ["float32", "int32", "uint8"]);
    const sections = object(e["sections"], sectionsPath, ["data"]);
    section(sections["data"], `${sectionsPath}.data`, false, version, true);
    return;
  }
  int(e["weightBits"], `${path}.weightBits`, 1, 16);
  int(e["codebookSize"], `${path}.codebookSize`, 1, 65_536);
  if (kind === "quantized") {
    const sections = object(e["sections"], sectionsPath, ["codebook", "weights"]);
    section(sections["codebook"], `${sectionsPath}.codebook`, false, version, true);
    section(sections["weights"], `${sectionsPath}.weights`, true, version);
    return;
  }
  int(e["indexBits"], `${path}.indexBits`, 1, 16);
  uint(e["nonzeroCount"], `${path}.nonzeroCount`);
  uint(e["fillerCount"], `${path}.fillerCount`);
  const sections = object(e["sections"], sectionsPath, ["codebook", "weights", "indices"]);
  section(sections["codebook"], `${sectionsPath}.codebook`, false, version, true);
  section(sections["weights"], `${sectionsPath}.weights`, true, version);
  section(sections["indices"], `${sectionsPath}.indices`, true, version);
}

/** Null when `json` matches `headerSchema`, else its first problem. */
export function headerIssue(json: unknown): HeaderIssue | null {
  try {
    const header = object(json, "", ["format", "version", "entries"], ["metadata"]);
    if (header["format"] !== "dcnpi") throw new Issue("format", 'invalid input: expected "dcnpi"');
    const version = header["version"];
    if (version !== FORMAT_VERSION && version !== FORMAT_VERSION_2)
      throw new Issue("version", `invalid input: expected ${FORMAT_VERSION} or ${FORMAT_VERSION_2}`);
    const entries = header["entries"];
    if (!Array.isArray(entries)) throw new Issue("entries", `expected array, received ${describe(entries)}`);
    for (let i = 0; i < entries.length; i++) entry(entries[i], `entries.${i}`, version);
    return null;
  } catch (error) {
    if (error instanceof Issue) return { path: error.path, message: error.message };
    throw error;
  }
}
