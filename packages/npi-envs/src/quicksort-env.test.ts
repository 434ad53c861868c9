import { describe, expect, it } from "vitest";
import {
  QuicksortAction,
  QuicksortDirection,
  QuicksortEnv,
  QuicksortPointer,
  actQuicksort,
  describeQuicksortAction,
  observeQuicksort,
  snapshotQuicksort,
} from "./quicksort-env.js";

const { LO, HI, I, J } = QuicksortPointer;

describe("quicksort environment", () => {
  it("starts with LO = I = 0 and HI = J = n - 1 on an empty stack", () => {
    const env = new QuicksortEnv({ values: [3, 1, 2] });
    expect(Array.from(env.pointers)).toEqual([0, 2, 0, 2]);
    // LO < HI; J is not below HI, so no comparison is shown; the stack is empty.
    expect(Array.from(observeQuicksort(env))).toEqual([1, 0, 0, 1]);
  });

  it("shows flags only: the same relations at another place or length give the same observation", () => {
    const a = new QuicksortEnv({ values: [4, 9] });
    a.pointers.set([0, 1, 0, 0]);
    const b = new QuicksortEnv({ values: [8, 8, 8, 1, 2, 8, 8] });
    b.pointers.set([3, 4, 3, 3]);
    expect(Array.from(observeQuicksort(a))).toEqual([1, 1, 1, 1]);
    expect(Array.from(observeQuicksort(b))).toEqual(Array.from(observeQuicksort(a)));
    // A[J] equal to the pivot is not below it.
    b.values[3] = 2;
    expect(Array.from(observeQuicksort(b))).toEqual([1, 1, 0, 1]);
  });

  it("MOVE stops one past either end, COPY copies a position, SWAP ignores pointers off the array", () => {
    const env = new QuicksortEnv({ values: [5, 6] });
    for (let k = 0; k < 3; k++) actQuicksort(env, [QuicksortAction.MOVE, HI, QuicksortDirection.LEFT]);
    expect(env.pointer(HI)).toBe(-1);
    for (let k = 0; k < 4; k++) actQuicksort(env, [QuicksortAction.MOVE, LO, QuicksortDirection.RIGHT]);
    expect(env.pointer(LO)).toBe(2);
    actQuicksort(env, [QuicksortAction.MOVE, I, 3]);
    expect(env.pointer(I)).toBe(0);
    actQuicksort(env, [QuicksortAction.SWAP, HI, I]);
    expect(Array.from(env.values)).toEqual([5, 6]);
    actQuicksort(env, [QuicksortAction.COPY, J, I]);
    actQuicksort(env, [QuicksortAction.MOVE, J, QuicksortDirection.RIGHT]);
    actQuicksort(env, [QuicksortAction.SWAP, I, J]);
    expect(Array.from(env.values)).toEqual([6, 5]);
    expect(describeQuicksortAction([QuicksortAction.COPY, J, I])).toBe("COPY J := I");
    expect(describeQuicksortAction([QuicksortAction.MOVE, LO, QuicksortDirection.LEFT])).toBe("MOVE LO LEFT");
  });

  it("PUSH saves all four pointers and POP restores them; a full stack ignores PUSH, an empty one POP", () => {
    const env = new QuicksortEnv({ values: [1, 2] });
    expect(env.stackCapacity).toBe(3);
    env.pointers.set([0, 1, 1, 0]);
    actQuicksort(env, [QuicksortAction.PUSH, 0, 0]);
    env.pointers.set([1, 1, 0, 1]);
    for (let k = 0; k < 5; k++) actQuicksort(env, [QuicksortAction.PUSH, 0, 0]);
    expect(env.stackHeight).toBe(3);
    expect(snapshotQuicksort(env).stack).toEqual([
      [0, 1, 1, 0],
      [1, 1, 0, 1],
      [1, 1, 0, 1],
    ]);
    for (let k = 0; k < 5; k++) actQuicksort(env, [QuicksortAction.POP, 0, 0]);
    expect(env.stackHeight).toBe(0);
    expect(Array.from(env.pointers)).toEqual([0, 1, 1, 0]);
    expect(env.peakHeight).toBe(3);
  });
});
