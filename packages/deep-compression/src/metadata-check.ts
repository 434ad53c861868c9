/**
 * `compressedMetadataSchema` (compressed-metadata-schema.ts) checked by hand: the same rules and the
 * same parsed value (unknown keys of objects dropped, fields in the schema's order, arrays and records
 * copied, `__proto__` keys skipped), without zod in the browser decoder (zod/mini was 6.5 KB of its
 * 25 KB min+gzip). metadata-check.test.ts holds the two to agreement on seeded mutations.
 */
import type { CompressedMetadata } from "./compressed-metadata-schema.js";

class Invalid {
  constructor(readonly path: string) {}
}

type Check<T> = (value: unknown, path: string) => T;

function check(ok: boolean, path: string): void {
  if (!ok) throw new Invalid(path);
}

function at(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** zod's `isPlainObject`, which its records require. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const ctor = value.constructor;
  if (typeof ctor !== "function") return true;
  const proto: unknown = ctor.prototype;
  return isObject(proto) && Object.hasOwn(proto, "isPrototypeOf");
}

const unknown: Check<unknown> = (value) => value;

const string: Check<string> = (value, path) => {
  check(typeof value === "string", path);
  return value as string;
};

const number: Check<number> = (value, path) => {
  check(Number.isFinite(value), path);
  return value as number;
};

const axis: Check<number> = (value, path) => {
  check(Number.isSafeInteger(value) && (value as number) >= 0, path);
  return value as number;
};

const array =
  <T>(item: Check<T>): Check<T[]> =>
  (value, path) => {
    check(Array.isArray(value), path);
    const input = value as unknown[];
    const out = new Array<T>(input.length);
    for (let i = 0; i < input.length; i++) out[i] = item(input[i], at(path, i));
    return out;
  };

const record =
  <T>(item: Check<T>): Check<Record<string, T>> =>
  (value, path) => {
    check(isPlainObject(value), path);
    const input = value as Record<string | symbol, unknown>;
    const out: Record<string, T> = {};
    for (const key of Reflect.ownKeys(input)) {
      if (key === "__proto__" || !Object.prototype.propertyIsEnumerable.call(input, key)) continue;
      check(typeof key === "string", at(path, String(key)));
      out[key as string] = item(input[key], at(path, key as string));
    }
    return out;
  };

/** An object's listed fields, in this order; `optional` ones may be absent; other keys are dropped. */
function object(value: unknown, path: string, fields: [string, Check<unknown>, optional?: boolean][]): Record<string, unknown> {
  check(isObject(value), path);
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, item, optional] of fields) {
    const present = key in input;
    if (optional && (!present || input[key] === undefined)) {
      if (present) out[key] = undefined;
      continue;
    }
    // A required field that is absent fails even when its schema accepts undefined (`plan`).
    check(present || item !== unknown, at(path, key));
    out[key] = item(input[key], at(path, key));
  }
  return out;
}

const literal =
  (expected: unknown): Check<unknown> =>
  (value, path) => {
    check(value === expected, path);
    return value;
  };

const METRIC = array((value, path) =>
  object(value, path, [
    ["stage", string],
    ["value", number],
  ]),
);

const METADATA: [string, Check<unknown>, optional?: boolean][] = [
  ["kind", literal("dcnpi/compressed-weights")],
  ["version", literal(1)],
  ["weightOrder", array(string)],
  ["modelTopology", record(unknown), true],
  ["graphModel", record(unknown), true],
  ["plan", unknown, true],
  ["storedAxes", record(array(axis)), true],
  ["weightShapes", record(array(axis)), true],
  [
    "pipeline",
    (value, path) =>
      object(value, path, [
        ["metricName", string],
        ["metrics", METRIC],
        ["retrained", (v, p) => (check(typeof v === "boolean", p), v)],
        ["notes", array(string)],
      ]),
    true,
  ],
  ["user", unknown, true],
];

/**
 * The metadata as `compressedMetadataSchema.safeParse(raw).data` would give it, or the path of the
 * first issue zod would report (`pipeline.metrics.0.value`; "" for the root).
 */
export function checkCompressedMetadata(raw: unknown): { data: CompressedMetadata } | { path: string } {
  try {
    return { data: object(raw, "", METADATA) as CompressedMetadata };
  } catch (error) {
    if (error instanceof Invalid) return { path: error.path };
    throw error;
  }
}
