/**
 * readContainer reads small sections of a file through a read-ahead window (issue 16 item 7); the
 * result must equal reading from memory however the sections fall across window boundaries.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseContainer } from "../src/container-reader.js";
import { readContainer } from "../src/node/container-file.js";
import { serializeContainer } from "../src/container-writer.js";

const dir = mkdtempSync(join(tmpdir(), "dcnpi-read-ahead-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reading many small entries from a file", () => {
  it("30,000 small entries around large ones (2.5 MB of data): the same tensors as from memory", async () => {
    const denseTensors = Array.from({ length: 30_000 }, (_, i) => {
      const size = i % 10_000 === 5_000 ? 40_000 : (i % 23) + 1;
      return { name: `t${i}`, shape: [size], data: Float32Array.from({ length: size }, (_, k) => i + k / 1000) };
    });
    const bytes = serializeContainer({ denseTensors, metadata: {} });
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    const path = join(dir, "many.dcnpi");
    writeFileSync(path, bytes);
    const fromFile = await readContainer(path);
    const fromMemory = await parseContainer(bytes);
    expect(fromFile.denseTensors.length).toBe(30_000);
    for (let i = 0; i < 30_000; i++) {
      expect(fromFile.denseTensors[i]!.data).toEqual(denseTensors[i]!.data);
      expect(fromMemory.denseTensors[i]!.data).toEqual(denseTensors[i]!.data);
    }
  });
});
