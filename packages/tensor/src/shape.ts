import { TensorError } from "./errors.js";

/** A tensor shape: non-negative integer extents, outermost first (row-major). */
export type Shape = readonly number[];

/** Number of elements a shape holds; checks that every extent is a non-negative safe integer. */
export function sizeOfShape(shape: Shape, what = "tensor"): number {
  let size = 1;
  for (const extent of shape) {
    if (!Number.isSafeInteger(extent) || extent < 0) {
      throw new TensorError("INVALID_SHAPE", `${what}: shape ${formatShape(shape)} has an invalid extent ${String(extent)}`);
    }
    size *= extent;
  }
  if (!Number.isSafeInteger(size)) {
    throw new TensorError("INVALID_SHAPE", `${what}: shape ${formatShape(shape)} holds too many elements`);
  }
  return size;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((extent, i) => extent === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/**
 * Throws a SHAPE_MISMATCH error naming `what` unless `actual` equals `expected`.
 * `-1` in `expected` accepts any extent on that axis.
 */
export function assertShape(actual: Shape, expected: Shape, what = "tensor"): void {
  const matches = actual.length === expected.length && expected.every((extent, i) => extent === -1 || extent === actual[i]);
  if (!matches) {
    throw new TensorError("SHAPE_MISMATCH", `${what}: expected shape ${formatShape(expected)}, got ${formatShape(actual)}`);
  }
}
