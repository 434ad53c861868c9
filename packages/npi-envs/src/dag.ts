/**
 * Directed acyclic graphs as topological-sort problems: checking one, drawing a random one, its text
 * form ("5: 0>1 0>2 1>3") and what counts as a topological order of it.
 */
import type { Rng } from "@dcnpi/tensor";
import { NpiEnvError } from "./errors.js";

/**
 * A topological-sort problem: vertices 0..n-1 (n = `adjacency.length`) and each vertex's children in
 * the order a depth-first search visits them. No self-loops, no repeated edges, no cycles.
 */
export interface DagInput {
  readonly adjacency: readonly (readonly number[])[];
}

/**
 * The most children a random problem's vertex gets (ours). The programs never depend on it: a
 * vertex's children are walked one at a time, so the recursive program's verification set holds for
 * any out-degree; the bound only keeps random graphs of 70 vertices sparse enough to have long paths.
 */
export const DAG_MAX_OUT_DEGREE = 3;

/** Largest vertex count a problem (or a text input) may have: keeps memory bounded for untrusted input. */
export const DAG_MAX_VERTICES = 10_000;

/** Throws NpiEnvError INVALID_INPUT naming the first bad vertex id, repeated edge or cycle. */
export function checkDag(input: DagInput, what = "toposort"): void {
  const adjacency = input.adjacency;
  if (!Array.isArray(adjacency) || adjacency.length < 1 || adjacency.length > DAG_MAX_VERTICES) {
    throw new NpiEnvError("INVALID_INPUT", `${what}: a graph needs 1 to ${DAG_MAX_VERTICES} vertices, got ${String(adjacency?.length)}`);
  }
  const n = adjacency.length;
  adjacency.forEach((children, from) => {
    const seen = new Set<number>();
    for (const to of children) {
      if (!Number.isInteger(to) || to < 0 || to >= n) {
        throw new NpiEnvError("INVALID_INPUT", `${what}: edge ${from}>${to}: vertex ids must be integers 0..${n - 1}`);
      }
      if (to === from) throw new NpiEnvError("INVALID_INPUT", `${what}: edge ${from}>${to} is a self-loop (a cycle)`);
      if (seen.has(to)) throw new NpiEnvError("INVALID_INPUT", `${what}: edge ${from}>${to} is listed twice`);
      seen.add(to);
    }
  });
  const cycle = findCycle(adjacency);
  if (cycle !== undefined) {
    throw new NpiEnvError("INVALID_INPUT", `${what}: the graph has a cycle ${cycle.join(">")}; a topological order needs a DAG`);
  }
}

/** A cycle as a vertex path that returns to its first vertex, or undefined for a DAG (iterative DFS). */
function findCycle(adjacency: readonly (readonly number[])[]): number[] | undefined {
  const colour = new Uint8Array(adjacency.length); // 0 white, 1 on the path, 2 done
  const parent = new Int32Array(adjacency.length).fill(-1);
  for (let root = 0; root < adjacency.length; root++) {
    if (colour[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    colour[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const children = adjacency[v]!;
      if (i >= children.length) {
        colour[v] = 2;
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      const w = children[i]!;
      if (colour[w] === 1) {
        const path: number[] = [];
        for (let u = v; u !== w; u = parent[u]!) path.push(u);
        return [w, ...path.reverse(), w];
      }
      if (colour[w] === 0) {
        colour[w] = 1;
        parent[w] = v;
        stack.push([w, 0]);
      }
    }
  }
  return undefined;
}

/**
 * A random DAG of `n` vertices: a hidden random order of the vertices, and each vertex gets 0 to
 * `maxOutDegree` children (uniformly) among the vertices after it in that order, listed in random order.
 * The hidden order is a shuffle, so vertex ids say nothing about the answer.
 */
export function randomDag(rng: Rng, n: number, maxOutDegree = DAG_MAX_OUT_DEGREE): DagInput {
  if (!Number.isInteger(n) || n < 1 || n > DAG_MAX_VERTICES) {
    throw new NpiEnvError("INVALID_OPTION", `toposort: vertex count must be an integer 1..${DAG_MAX_VERTICES}, got ${n}`);
  }
  if (!Number.isInteger(maxOutDegree) || maxOutDegree < 0) {
    throw new NpiEnvError("INVALID_OPTION", `toposort: maxOutDegree must be a non-negative integer, got ${maxOutDegree}`);
  }
  const order = rng.permutation(n);
  const adjacency: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const later = n - 1 - i;
    const k = rng.int(Math.min(maxOutDegree, later) + 1);
    const picks = rng.sampleIndices(later, k);
    adjacency[order[i]!] = Array.from(picks, (p) => order[i + 1 + p]!);
  }
  return { adjacency };
}

/** "n: a>b c>d ..." (edges in each vertex's child order), the form `parseDag` reads. */
export function formatDag(input: DagInput): string {
  const edges = input.adjacency.flatMap((children, from) => children.map((to) => `${from}>${to}`));
  return `${input.adjacency.length}:${edges.length === 0 ? "" : " "}${edges.join(" ")}`;
}

const headerPattern = /^\s*(\d+)\s*:(.*)$/s;
const edgePattern = /^(\d+)>(\d+)$/;

/**
 * Reads "n: a>b c>d ..." (vertex count, then edges separated by spaces or commas; a vertex's children
 * in the order listed). Throws NpiEnvError INVALID_INPUT on a bad form, a vertex id outside 0..n-1, a
 * repeated edge or a cycle.
 */
export function parseDag(text: string): DagInput {
  const header = headerPattern.exec(text);
  if (header === null) throw new NpiEnvError("INVALID_INPUT", `toposort: expected "n: a>b c>d ..." (e.g. "5: 0>1 0>2 1>3"), got "${text}"`);
  if (header[1]!.length > 6)
    throw new NpiEnvError("INVALID_INPUT", `toposort: vertex count "${header[1]}" is too large (at most ${DAG_MAX_VERTICES})`);
  const n = Number(header[1]);
  if (n < 1 || n > DAG_MAX_VERTICES)
    throw new NpiEnvError("INVALID_INPUT", `toposort: vertex count must be 1..${DAG_MAX_VERTICES}, got ${n}`);
  const adjacency: number[][] = Array.from({ length: n }, () => []);
  for (const token of header[2]!.split(/[\s,]+/).filter((t) => t.length > 0)) {
    const edge = edgePattern.exec(token);
    if (edge === null) throw new NpiEnvError("INVALID_INPUT", `toposort: edge "${token}" is not "from>to" (e.g. 0>1)`);
    const [from, to] = [Number(edge[1]), Number(edge[2])];
    if (from >= n) throw new NpiEnvError("INVALID_INPUT", `toposort: edge ${token}: vertex ${from} is not in 0..${n - 1}`);
    adjacency[from]!.push(to);
  }
  const input = { adjacency };
  checkDag(input);
  return input;
}

/** Whether `order` lists every vertex once and every edge's source before its target. */
export function isTopologicalOrder(input: DagInput, order: readonly number[]): boolean {
  const n = input.adjacency.length;
  if (order.length !== n) return false;
  const position = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = order[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n || position[v] !== -1) return false;
    position[v] = i;
  }
  return input.adjacency.every((children, from) => children.every((to) => position[from]! < position[to]!));
}
