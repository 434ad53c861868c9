/** Random access to the bytes of a container: a file read piece by piece, or a buffer. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (callers stay inside `size`). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The same without a promise, for sources in memory. */
  readonly readSync?: (offset: number, length: number) => Uint8Array;
  /** True when reads are views of bytes already in memory (nothing gained by reading ahead). */
  readonly inMemory?: boolean;
  close(): Promise<void>;
  readonly description: string;
}

export function memorySource(bytes: Uint8Array, description = "buffer"): ByteSource {
  return {
    size: bytes.length,
    description,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    readSync: (offset, length) => bytes.subarray(offset, offset + length),
    inMemory: true,
    close: async () => undefined,
  };
}
