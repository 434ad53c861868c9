import { TensorError } from "./errors.js";
import type { DType, HostTensor } from "./host-tensor.js";
import { assertShape, formatShape, type Shape } from "./shape.js";

/**
 * What a weight is, when the model it came from can tell: the layer that owns it, that layer's class
 * (`Dense`, `Conv2D`, `LSTM`, ...), and the weight's role in the layer (`kernel`, `bias`,
 * `recurrent_kernel`, `embeddings`, ...). In a graph model (tfjs-converter's `graph-model`) a weight
 * is a constant node: `op` is the TensorFlow op that consumes it (`_FusedConv2D`, `MatMul`, ...) and
 * `layer` that node's name. Compression plans match on these.
 */
export interface WeightInfo {
  readonly layer?: string;
  readonly layerClass?: string;
  readonly role?: string;
  readonly op?: string;
}

export interface NamedWeight<D extends DType = DType> {
  readonly name: string;
  readonly tensor: HostTensor<D>;
  readonly info: WeightInfo;
}

/**
 * A named, ordered collection of weights. Order is insertion order and is part of the contract:
 * files and reports list weights in the order the model declares them.
 */
export class WeightMap implements Iterable<NamedWeight> {
  readonly #entries = new Map<string, NamedWeight>();

  constructor(entries: Iterable<NamedWeight | readonly [string, HostTensor]> = []) {
    for (const entry of entries) {
      if (Array.isArray(entry)) {
        const [name, tensor] = entry as readonly [string, HostTensor];
        this.add(name, tensor);
      } else {
        const weight = entry as NamedWeight;
        this.add(weight.name, weight.tensor, weight.info);
      }
    }
  }

  /** Adds a weight at the end; a name may appear once. */
  add(name: string, tensor: HostTensor, info: WeightInfo = {}): this {
    if (this.#entries.has(name)) {
      throw new TensorError("DUPLICATE_WEIGHT", `weight map: "${name}" is already present`);
    }
    this.#entries.set(name, { name, tensor, info });
    return this;
  }

  /** Replaces the tensor of an existing weight, keeping its place, its info and its shape. */
  replace(name: string, tensor: HostTensor): this {
    const current = this.entry(name);
    assertShape(tensor.shape, current.tensor.shape, `weight "${name}"`);
    this.#entries.set(name, { name, tensor, info: current.info });
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The tensor called `name`; throws UNKNOWN_WEIGHT listing what exists when it is absent. */
  get(name: string): HostTensor {
    return this.entry(name).tensor;
  }

  entry(name: string): NamedWeight {
    const found = this.#entries.get(name);
    if (found === undefined) {
      const known = [...this.#entries.keys()];
      const listed = known.length > 12 ? `${known.slice(0, 12).join(", ")}, ...` : known.join(", ");
      throw new TensorError("UNKNOWN_WEIGHT", `weight map: no weight "${name}" (has: ${listed || "nothing"})`);
    }
    return found;
  }

  get size(): number {
    return this.#entries.size;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Total number of scalar elements across all weights. */
  elementCount(): number {
    let total = 0;
    for (const { tensor } of this.#entries.values()) total += tensor.data.length;
    return total;
  }

  [Symbol.iterator](): Iterator<NamedWeight> {
    return this.#entries.values();
  }

  /** A new map holding the weights for which `keep` is true, in the same order (tensors shared). */
  filter(keep: (weight: NamedWeight) => boolean): WeightMap {
    return new WeightMap([...this.#entries.values()].filter(keep));
  }

  /** Checks that this map has exactly the names and shapes of `expected`, in any order. */
  assertCompatible(expected: ReadonlyMap<string, Shape> | WeightMap, what = "weight map"): void {
    const wanted = expected instanceof WeightMap ? new Map([...expected].map((w) => [w.name, w.tensor.shape])) : expected;
    for (const [name, shape] of wanted) {
      if (!this.#entries.has(name)) {
        throw new TensorError("UNKNOWN_WEIGHT", `${what}: missing weight "${name}" of shape ${formatShape(shape)}`);
      }
      assertShape(this.get(name).shape, shape, `${what}: weight "${name}"`);
    }
    for (const name of this.#entries.keys()) {
      if (!wanted.has(name)) throw new TensorError("UNKNOWN_WEIGHT", `${what}: unexpected weight "${name}"`);
    }
  }
}
