import * as tf from "@tensorflow/tfjs-core";
import { NpiError } from "../errors.js";

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** Saved moments of one parameter (for checkpoints). */
export interface AdamSlotState {
  readonly name: string;
  /** Updates this parameter has received (its own bias-correction step). */
  readonly steps: number;
  readonly shape: readonly number[];
  readonly m: Float32Array;
  readonly v: Float32Array;
}

interface Slot {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  steps: number;
}

/**
 * Adam (Kingma & Ba), the paper's optimiser (§4). Ours, not tf.train.adam: moments are kept per named
 * parameter with their own step count, so parameters added later (new program rows) start their
 * bias correction from 1, frozen parameters are never touched, and the whole state can be saved
 * and restored exactly.
 */
export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly #slots = new Map<string, Slot>();

  constructor(options: AdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /**
   * One update of `parameters` with `gradients` (same order). With `clipNorm`, all gradients are first
   * scaled down together so their global L2 norm is at most `clipNorm`. Returns the norm before clipping.
   */
  apply(
    parameters: readonly { readonly name: string; readonly variable: tf.Variable }[],
    gradients: readonly tf.Tensor[],
    learningRate: number,
    clipNorm: number | null,
  ): number {
    if (parameters.length !== gradients.length)
      throw new NpiError("INVALID_OPTIONS", `adam: ${parameters.length} parameters, ${gradients.length} gradients`);
    const norm = tf.tidy(() => {
      const squares = gradients.map((g) => tf.sum(tf.square(g)));
      return Math.sqrt((tf.addN(squares).dataSync() as Float32Array)[0]!);
    });
    const scale = clipNorm !== null && norm > clipNorm ? clipNorm / norm : 1;
    parameters.forEach((parameter, i) => {
      const gradient = gradients[i]!;
      let slot = this.#slots.get(parameter.name);
      if (slot === undefined) {
        slot = {
          m: tf.variable(tf.zerosLike(parameter.variable), false),
          v: tf.variable(tf.zerosLike(parameter.variable), false),
          steps: 0,
        };
        this.#slots.set(parameter.name, slot);
      }
      slot.steps++;
      const s = slot;
      const correctedRate = (learningRate * Math.sqrt(1 - this.beta2 ** s.steps)) / (1 - this.beta1 ** s.steps);
      tf.tidy(() => {
        const g = scale === 1 ? gradient : tf.mul(gradient, scale);
        const m = tf.add(tf.mul(s.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(s.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        s.m.assign(m);
        s.v.assign(v);
        parameter.variable.assign(tf.sub(parameter.variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), correctedRate)));
      });
    });
    return norm;
  }

  exportState(): AdamSlotState[] {
    return [...this.#slots.entries()].map(([name, slot]) => ({
      name,
      steps: slot.steps,
      shape: [...slot.m.shape],
      m: Float32Array.from(slot.m.dataSync() as Float32Array),
      v: Float32Array.from(slot.v.dataSync() as Float32Array),
    }));
  }

  importState(states: readonly AdamSlotState[]): void {
    this.dispose();
    for (const state of states) {
      const m = tf.tidy(() => tf.variable(tf.tensor(state.m, [...state.shape]), false));
      const v = tf.tidy(() => tf.variable(tf.tensor(state.v, [...state.shape]), false));
      this.#slots.set(state.name, { m, v, steps: state.steps });
    }
  }

  dispose(): void {
    for (const slot of this.#slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.#slots.clear();
  }
}
