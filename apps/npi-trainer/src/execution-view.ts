/**
 * Pictures of an NPI execution for `npi run`: the call stack with each program and its arguments,
 * the step's decision, and the scratch pad with its pointers (the paper's Figure 1 as text). Pure
 * functions from a log entry and an environment snapshot to lines.
 */
import { DEFAULT_ARGUMENTS, sameArguments, type ExecutionLogEntry } from "@dcnpi/npi-core";
import { BLANK } from "@dcnpi/npi-envs";
import {
  AZIMUTH_STEP_DEGREES,
  ELEVATION_STEP_DEGREES,
  MAX_ELEVATION_DEGREES,
  MIN_ELEVATION_DEGREES,
  TARGET_POSE,
  carSplitOf,
  type CarPose,
} from "@dcnpi/npi-envs/car-world";

export interface AdditionSnapshot {
  readonly rows: readonly (readonly number[])[];
  readonly pointers: readonly number[];
}
export interface SortingSnapshot {
  readonly values: readonly number[];
  readonly pointers: readonly number[];
}
export interface CarSnapshot {
  readonly carSeed: number;
  readonly pose: CarPose;
}

const ADDITION_ROWS = ["INP1", "INP2", "CARRY", "OUT"] as const;
/** Columns of the pad shown at most (a window that follows the pointers). */
export const PAD_WINDOW = 48;

function windowOf(width: number, focus: number, size = PAD_WINDOW): [number, number] {
  if (width <= size) return [0, width];
  const start = Math.min(width - size, Math.max(0, focus - Math.floor(size / 2)));
  return [start, start + size];
}

/** The addition pad: one line per row, the cell under the row's pointer in brackets, blanks as ".". */
export function drawAdditionPad(snapshot: AdditionSnapshot): string[] {
  const width = snapshot.rows[0]?.length ?? 0;
  const [start, end] = windowOf(width, snapshot.pointers[3] ?? 0);
  return snapshot.rows.map((row, r) => {
    let line = `  ${ADDITION_ROWS[r]!.padEnd(6)}${start > 0 ? "…" : " "}`;
    for (let c = start; c < end; c++) {
      const cell = row[c] === BLANK ? "." : String(row[c]);
      line += c === snapshot.pointers[r] ? `[${cell}]` : ` ${cell} `;
    }
    return `${line}${end < width ? "…" : ""}`.trimEnd();
  });
}

/** The sorting array with a marker line per pointer (P1, P2 swap pointers; P3 the sweep counter). */
export function drawSortingPad(snapshot: SortingSnapshot): string[] {
  const n = snapshot.values.length;
  // Swap pointers may stand one past the end: show that cell as "·".
  const [start, end] = windowOf(n + 1, snapshot.pointers[0] ?? 0);
  const cell = (i: number) => (i < n ? String(snapshot.values[i]) : "·");
  let values = `  array ${start > 0 ? "…" : " "}`;
  for (let i = start; i < end; i++) values += ` ${cell(i)} `;
  const lines = [values.trimEnd()];
  ["P1", "P2", "P3"].forEach((name, p) => {
    let line = `  ${name.padEnd(6)}${start > 0 ? "…" : " "}`;
    for (let i = start; i < end; i++) line += i === snapshot.pointers[p] ? " ^ " : "   ";
    lines.push(line.trimEnd());
  });
  return lines;
}

/**
 * The car's "pad": the camera's place on the pose grid (azimuth across, −180° to 165°; elevation up,
 * 60° at the top), "@" the camera, "T" the target pose, and the numbers. The model itself sees only
 * the rendered image and the target; the grid is for the reader.
 */
export function drawCarPad(snapshot: CarSnapshot, target: CarPose = TARGET_POSE): string[] {
  const { pose, carSeed } = snapshot;
  const split = carSplitOf(carSeed);
  const lines = [
    `  car ${carSeed} (${split === "train" ? "a training car" : `${split} split`}): camera at azimuth ${pose.azimuthDegrees}°, ` +
      `elevation ${pose.elevationDegrees}°; target ${target.azimuthDegrees}°, ${target.elevationDegrees}°`,
  ];
  for (let e = MAX_ELEVATION_DEGREES; e >= MIN_ELEVATION_DEGREES; e -= ELEVATION_STEP_DEGREES) {
    let row = `  ${`${e}°`.padStart(4)} `;
    for (let a = -180; a < 180; a += AZIMUTH_STEP_DEGREES) {
      row +=
        pose.azimuthDegrees === a && pose.elevationDegrees === e
          ? "@"
          : target.azimuthDegrees === a && target.elevationDegrees === e
            ? "T"
            : a === 0
              ? "|"
              : ".";
    }
    lines.push(row);
  }
  lines.push(`       ${"-180°".padEnd(12)}${"0°".padEnd(11)}165°`);
  return lines;
}

/** "ADD1" or "ACT(WRITE OUT 0)"-style text for a call. */
export function describeCall(entry: ExecutionLogEntry): string {
  if (entry.call === null) return entry.end ? "return" : "(nothing)";
  if (entry.action !== undefined) return `ACT(${entry.action})`;
  return sameArguments(entry.call.args, DEFAULT_ARGUMENTS) ? entry.call.program : `${entry.call.program}(${entry.call.args.join(",")})`;
}

/** One plain line per step (non-terminal output). */
export function formatStepLine(entry: ExecutionLogEntry): string {
  return `${String(entry.step).padStart(6)}  ${entry.stack.join(" > ").padEnd(32)} -> ${describeCall(entry)}${entry.end ? "  [end]" : ""}`;
}

/** A whole frame: header, the call stack (the running program last, with its decision), the pad (its task's picture). */
export function drawFrame(header: string, entry: ExecutionLogEntry, pad: readonly string[]): string[] {
  const lines = [header, "", "  call stack"];
  entry.stack.forEach((name, depth) => {
    const indent = `    ${"  ".repeat(depth)}${depth > 0 ? "└ " : ""}`;
    if (depth < entry.stack.length - 1) lines.push(`${indent}${name}`);
    else lines.push(`${indent}${name}  → ${describeCall(entry)}${entry.end ? "  (end)" : ""}   p(end)=${entry.endProbability.toFixed(2)}`);
  });
  lines.push("", "  scratch pad", ...pad);
  return lines;
}
