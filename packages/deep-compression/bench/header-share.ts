/**
 * What a `.dcnpi` file's header costs, before and after re-encoding it as container version 2
 * (arithmetic coder, binary header): whole file, preamble + header + trailer, and the share of the
 * header that is the metadata (the same file re-encoded without metadata). Files are arguments:
 *   npx tsx --conditions=@dcnpi/source bench/header-share.ts <file.dcnpi>...
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { basename } from "node:path";
import { parseContainer, serializeContainer } from "@dcnpi/sparse-format";
import { reencodeContainer } from "../src/index.js";

function overhead(bytes: Uint8Array): number {
  // Preamble 16 B, trailer 16 B; the header's length H is in the trailer (FORMAT.md).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return 16 + 16 + view.getUint32(bytes.length - 16, true);
}

console.log(`load average 1m ${loadavg()[0]!.toFixed(2)}`);
for (const file of process.argv.slice(2)) {
  const original = new Uint8Array(readFileSync(file));
  const contents = await parseContainer(original);
  const v2 = serializeContainer(reencodeContainer(contents, "smallest", { coder: "best", header: "binary" }));
  const bare = serializeContainer({ ...reencodeContainer(contents, "smallest", { coder: "best", header: "binary" }), metadata: undefined });
  const row = (what: string, b: Uint8Array) =>
    `${what} ${b.length} B, header ${overhead(b)} B (${((100 * overhead(b)) / b.length).toFixed(2)}%)`;
  console.log(
    `${basename(file)}: ${row("as is", original)}; ${row("v2", v2)}; metadata ${v2.length - bare.length} B; ${row("v2 without metadata", bare)}`,
  );
}
