// The bytes of a `.dcnpi` from wherever a page has them: a URL, a fetch Request/Response, a File/Blob
// or a buffer. Only web-platform APIs (fetch, streams, Blob), so it runs in browsers and in Node 20.
import { SparseFormatError } from "@dcnpi/sparse-format";
import { CompressionError } from "./errors.js";

/** Where a compressed model comes from. A string or URL is fetched. */
export type DcnpiModelSource = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | Blob;

export interface SourceBytesOptions {
  readonly fetchFunc?: typeof fetch | undefined;
  readonly requestInit?: RequestInit | undefined;
  /** Bytes at most: a larger download is cancelled (LIMIT_EXCEEDED) instead of filling memory. */
  readonly maxFileBytes: number;
  /** Called as bytes arrive: received so far and the expected total when the source says it. */
  readonly onBytes?: ((received: number, total: number | undefined) => void) | undefined;
}

/** How a source is named in errors: its URL, a file's name, or what it is. */
export function describeSource(source: DcnpiModelSource): string {
  if (typeof source === "string") return source;
  if (source instanceof URL) return source.href;
  if (typeof Request !== "undefined" && source instanceof Request) return source.url;
  if (typeof Response !== "undefined" && source instanceof Response) return source.url === "" ? "response" : source.url;
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    const name = (source as { name?: unknown }).name;
    return typeof name === "string" && name !== "" ? name : "blob";
  }
  return "buffer";
}

function tooLarge(where: string, bytes: number, limit: number): SparseFormatError {
  return new SparseFormatError("LIMIT_EXCEEDED", `${where}: ${bytes} bytes, more than the read limit maxFileBytes = ${limit} bytes`);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === length) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Reads a stream to the end, chunk by chunk, with `total` the size the source announced (if any). Memory
 * grows with the bytes that actually arrive, never with an announced size, and stops at `maxFileBytes`.
 */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | undefined,
  where: string,
  options: SourceBytesOptions,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  options.onBytes?.(0, total);
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (error) {
      // The connection (or the file) broke off: what arrived is a truncated container.
      throw new SparseFormatError("TRUNCATED", `${where}: the download broke off after ${received} bytes (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (step.done) break;
    const chunk = step.value;
    received += chunk.length;
    if (received > options.maxFileBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(where, received, options.maxFileBytes);
    }
    chunks.push(chunk);
    options.onBytes?.(received, total);
  }
  if (total !== undefined && received < total)
    throw new SparseFormatError("TRUNCATED", `${where}: the download ended after ${received} of ${total} bytes`);
  return concat(chunks, received);
}

async function readResponse(response: Response, where: string, options: SourceBytesOptions): Promise<Uint8Array> {
  if (!response.ok)
    throw new SparseFormatError("IO_ERROR", `${where}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
  // Content-Length counts the encoded bytes when the server compressed the body (Content-Encoding):
  // then it says nothing about the bytes the stream yields, and progress has no total.
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  const total = Number.isSafeInteger(declared) && declared >= 0 && response.headers.get("content-encoding") === null ? declared : undefined;
  if (total !== undefined && total > options.maxFileBytes) throw tooLarge(where, total, options.maxFileBytes);
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > options.maxFileBytes) throw tooLarge(where, bytes.length, options.maxFileBytes);
    options.onBytes?.(bytes.length, bytes.length);
    return bytes;
  }
  return readStream(response.body, total, where, options);
}

async function fetchSource(input: string | URL | Request, where: string, options: SourceBytesOptions): Promise<Uint8Array> {
  const fetchFunc = options.fetchFunc ?? globalThis.fetch;
  if (typeof fetchFunc !== "function")
    throw new CompressionError("INVALID_ARGUMENT", `${where}: no fetch in this environment (pass fetchFunc)`);
  let response: Response;
  try {
    response = await fetchFunc(input, options.requestInit);
  } catch (error) {
    throw new SparseFormatError("IO_ERROR", `${where}: cannot fetch (${(error as Error).message})`, { cause: error });
  }
  return readResponse(response, where, options);
}

/** The whole container as bytes, read from `source` (fetched, streamed or as it is). */
export async function sourceBytes(source: DcnpiModelSource, options: SourceBytesOptions): Promise<Uint8Array> {
  const where = describeSource(source);
  if (typeof source === "string" || source instanceof URL || (typeof Request !== "undefined" && source instanceof Request))
    return fetchSource(source, where, options);
  if (typeof Response !== "undefined" && source instanceof Response) return readResponse(source, where, options);
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    if (source.size > options.maxFileBytes) throw tooLarge(where, source.size, options.maxFileBytes);
    return readStream(source.stream() as ReadableStream<Uint8Array>, source.size, where, options);
  }
  let bytes: Uint8Array;
  if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (ArrayBuffer.isView(source)) bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  else
    throw new CompressionError(
      "INVALID_ARGUMENT",
      `dcnpiModel: expected a URL, Request, Response, File/Blob, ArrayBuffer or Uint8Array, got ${Object.prototype.toString.call(source)}`,
    );
  if (bytes.length > options.maxFileBytes) throw tooLarge(where, bytes.length, options.maxFileBytes);
  options.onBytes?.(bytes.length, bytes.length);
  return bytes;
}
