import { statSync } from "node:fs";
import { markdownTable } from "@dcnpi/report-kit";
import { formatInspection, type ContainerInspection } from "@dcnpi/sparse-format";
import { inspectContainer, readContainer } from "@dcnpi/sparse-format/node";
import { readCheckpoint } from "@dcnpi/npi-core/node";
import { NpiAppError } from "./errors.js";
import { checkpointDirOf, npiMetadataSchema } from "./model-store.js";

export interface InspectCommandOptions {
  readonly file: string;
  readonly json: boolean;
}

/** The NPI part a weight belongs to (encoder, fusion, core, decoder, memory). */
export function groupOf(name: string): string {
  return name.slice(0, name.indexOf("/")) || name;
}

function byGroup(rows: readonly { name: string; elementCount: number; fileBytes: number }[]) {
  const groups = new Map<string, { weights: number; float32Bytes: number; fileBytes: number }>();
  for (const row of rows) {
    const g = groups.get(groupOf(row.name)) ?? { weights: 0, float32Bytes: 0, fileBytes: 0 };
    g.weights += row.elementCount;
    g.float32Bytes += 4 * row.elementCount;
    g.fileBytes += row.fileBytes;
    groups.set(groupOf(row.name), g);
  }
  return [...groups].map(([group, g]) => ({ group, ...g }));
}

function groupTable(groups: ReturnType<typeof byGroup>, total: number): string {
  const pad = (cells: string[][]) => {
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
  };
  return pad([
    ["part", "weights", "float32 bytes", "stored bytes", "share of file", "ratio"],
    ...groups.map((g) => [
      g.group,
      String(g.weights),
      String(g.float32Bytes),
      String(g.fileBytes),
      `${((100 * g.fileBytes) / total).toFixed(1)}%`,
      `${(g.float32Bytes / Math.max(1, g.fileBytes)).toFixed(1)}x`,
    ]),
  ]);
}

/** `npi inspect`: where the bytes of a .dcnpi file (or a dense checkpoint) go. */
export async function inspectCommand(options: InspectCommandOptions): Promise<string> {
  const dir = checkpointDirOf(options.file);
  if (dir !== undefined) {
    let checkpoint;
    try {
      checkpoint = readCheckpoint(dir);
    } catch (error) {
      throw new NpiAppError("MODEL_FILE", (error as Error).message);
    }
    const rows = [...checkpoint.weights].map((w) => ({
      name: w.name,
      shape: w.tensor.shape,
      elementCount: w.tensor.data.length,
      fileBytes: 4 * w.tensor.data.length,
    }));
    const total = rows.reduce((s, r) => s + r.fileBytes, 0);
    if (options.json)
      return `${JSON.stringify({ kind: "dense", dir, step: checkpoint.step, model: checkpoint.model, weights: rows, float32Bytes: total }, null, 2)}\n`;
    return [
      `dense checkpoint ${dir} (step ${checkpoint.step}; its .bin also holds Adam's two moments per weight)`,
      markdownTable(
        ["weight", "shape", "weights", "float32 bytes"],
        rows.map((r) => [r.name, `[${r.shape.join(",")}]`, r.elementCount, r.fileBytes]),
      ),
      "",
      groupTable(byGroup(rows), total),
      `total: ${rows.reduce((s, r) => s + r.elementCount, 0)} weights, ${total} bytes as float32`,
      "",
    ].join("\n");
  }
  let inspection: ContainerInspection;
  let user: unknown;
  try {
    if (statSync(options.file).isDirectory()) throw new NpiAppError("MODEL_FILE", `${options.file}: a directory without checkpoint.json`);
    inspection = await inspectContainer(options.file);
    user = ((await readContainer(options.file)).metadata as { user?: unknown } | undefined)?.user;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new NpiAppError("MODEL_FILE", `${options.file}: no such file or directory`);
    throw error;
  }
  const npi = npiMetadataSchema.safeParse(user);
  const groups = byGroup(inspection.rows);
  if (options.json)
    return `${JSON.stringify({ kind: "compressed", file: options.file, npi: npi.success ? npi.data : null, groups, inspection }, null, 2)}\n`;
  const lines = [formatInspection(inspection), ""];
  if (npi.success) {
    const m = npi.data;
    lines.push(
      `NPI ${m.task}: programs ${m.model.programs.join(", ")}; LSTM ${m.model.config.lstmLayers}x${m.model.config.lstmSize}, ` +
        `state ${m.model.config.stateSize}, key ${m.model.config.programKeySize}, embedding ${m.model.config.programEmbeddingSize}; ` +
        `from ${m.source.checkpoint} at step ${m.source.step}`,
      "",
      groupTable(groups, inspection.fileBytes),
      `(the rest of the file, ${inspection.fileBytes - groups.reduce((s, g) => s + g.fileBytes, 0)} ` +
        `bytes, is the preamble, the JSON header with the plan and the NPI's layout, and the trailer)`,
    );
  } else {
    lines.push("(not an NPI: no npi metadata in this container)");
  }
  return `${lines.join("\n")}\n`;
}
