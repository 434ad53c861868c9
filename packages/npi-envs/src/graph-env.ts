/**
 * The graph environment of the topological-sort tasks (after Cai, Shin & Song, ICLR 2017, appendix:
 * a DAG as adjacency lists, vertex colours, a result list, a stack and pointers). Shared by the
 * recursive and the non-recursive program sets, so both run on the same problems and observations.
 */
import type { Arguments } from "@dcnpi/npi-core";
import type { Rng } from "@dcnpi/tensor";
import { checkDag, formatDag, isTopologicalOrder, randomDag, type DagInput } from "./dag.js";

/** Vertex colours of a depth-first search: white unvisited, grey on the current path, black finished. */
export const Colour = { WHITE: 0, GREY: 1, BLACK: 2 } as const;

/** ACT's first argument (ours). */
export const GraphAction = { MOVE: 0, WRITE: 1, STACK: 2 } as const;
/** MOVE's pointer (second argument). START and CHILD move to the next vertex / edge; CURRENT jumps. */
export const GraphPointer = { START: 0, CHILD: 1, CURRENT: 2 } as const;
/** Where MOVE CURRENT jumps (third argument): to the start vertex, or to the current child. */
export const CurrentTarget = { START: 0, CHILD: 1 } as const;
/** WRITE's second argument: the current vertex's colour (third argument the colour) or the result list. */
export const WriteTarget = { COLOUR: 0, RESULT: 1 } as const;
/** STACK's second argument. */
export const StackOp = { PUSH: 0, POP: 1 } as const;

/** Length of an observation: start (4), current (3), child (4), stack-empty (1). */
export const GRAPH_OBSERVATION_SIZE = 12;

/**
 * A DAG being sorted. Pointers: `start` (the vertex TOPOSORT is at; n = no more vertices), `current`
 * (the vertex a DFS is at) and `edge` (the index of the current child in `current`'s list; its length
 * = no more children). `stack` holds (vertex, edge) frames a DFS call pushes before moving into a
 * child and pops after it, so the caller gets its vertex and edge back. `output` is the result list:
 * vertices in the order they turned black (reverse it for a topological order).
 */
export class GraphEnv {
  readonly adjacency: readonly (readonly number[])[];
  readonly colours: Uint8Array;
  readonly output: number[] = [];
  readonly stack: [vertex: number, edge: number][] = [];
  start = 0;
  current = 0;
  edge = 0;

  constructor(input: DagInput) {
    this.adjacency = input.adjacency.map((children) => [...children]);
    this.colours = new Uint8Array(input.adjacency.length);
  }

  get vertexCount(): number {
    return this.adjacency.length;
  }

  /** The current child, or undefined when the current vertex has no more children. */
  child(): number | undefined {
    return this.adjacency[this.current]![this.edge];
  }

  /** The topological order the run produced so far: the result list reversed. */
  order(): number[] {
    return [...this.output].reverse();
  }
}

export function createGraphEnv(input: DagInput): GraphEnv {
  checkDag(input);
  return new GraphEnv(input);
}

/**
 * What the encoder sees (finite: colours and flags, never a vertex id, a count or a position):
 * [0..3] the start vertex's colour or "no more vertices", [4..6] the current vertex's colour,
 * [7..10] the current child's colour or "no more children", [11] the stack is empty.
 */
export function observeGraph(env: GraphEnv): Float32Array {
  const out = new Float32Array(GRAPH_OBSERVATION_SIZE);
  out[env.start < env.vertexCount ? env.colours[env.start]! : 3] = 1;
  out[4 + env.colours[env.current]!] = 1;
  const child = env.child();
  out[7 + (child === undefined ? 3 : env.colours[child]!)] = 1;
  out[11] = env.stack.length === 0 ? 1 : 0;
  return out;
}

/**
 * ACT. Moves stop at the ends (START at n, CHILD at the end of the list); MOVE CURRENT to a missing
 * start vertex or child and POP on an empty stack do nothing; a jump of CURRENT starts at the new
 * vertex's first child. Out-of-range arguments do nothing, so a model's wrong action cannot throw.
 */
export function actOnGraph(env: GraphEnv, [kind, what, value]: Arguments): void {
  if (kind === GraphAction.MOVE) {
    if (what === GraphPointer.START) env.start = Math.min(env.vertexCount, env.start + 1);
    else if (what === GraphPointer.CHILD) env.edge = Math.min(env.adjacency[env.current]!.length, env.edge + 1);
    else if (what === GraphPointer.CURRENT) {
      const target = value === CurrentTarget.START ? (env.start < env.vertexCount ? env.start : undefined) : env.child();
      if (target !== undefined) {
        env.current = target;
        env.edge = 0;
      }
    }
  } else if (kind === GraphAction.WRITE) {
    if (what === WriteTarget.COLOUR && value <= Colour.BLACK) env.colours[env.current] = value;
    else if (what === WriteTarget.RESULT) env.output.push(env.current);
  } else if (kind === GraphAction.STACK) {
    if (what === StackOp.PUSH) env.stack.push([env.current, env.edge]);
    else if (what === StackOp.POP) {
      const frame = env.stack.pop();
      if (frame !== undefined) [env.current, env.edge] = frame;
    }
  }
}

/** The answer check: the result list, reversed, is a topological order of the input DAG. */
export function graphIsSolved(input: DagInput, env: GraphEnv): boolean {
  return isTopologicalOrder(input, env.order());
}

const COLOUR_NAMES = ["WHITE", "GREY", "BLACK"] as const;

export function describeGraphAction([kind, what, value]: Arguments): string {
  if (kind === GraphAction.MOVE) {
    if (what === GraphPointer.CURRENT) return `MOVE CURRENT TO ${value === CurrentTarget.START ? "START" : "CHILD"}`;
    return `MOVE ${what === GraphPointer.START ? "START" : "CHILD"} NEXT`;
  }
  if (kind === GraphAction.WRITE) return what === WriteTarget.RESULT ? "WRITE RESULT" : `WRITE COLOUR ${COLOUR_NAMES[value] ?? value}`;
  return what === StackOp.PUSH ? "STACK PUSH" : "STACK POP";
}

/** What an execution view draws: the graph, colours, pointers, stack frames and result list. */
export function snapshotGraph(env: GraphEnv): unknown {
  return {
    adjacency: env.adjacency.map((c) => [...c]),
    colours: Array.from(env.colours),
    start: env.start,
    current: env.current,
    edge: env.edge,
    stack: env.stack.map(([v, e]) => [v, e]),
    output: [...env.output],
  };
}

/**
 * Graph tasks' shared definition fields: both program sets (recursive and not) use the same
 * environment, observation, ACT, problems and answer check; only their programs differ.
 */
export const GRAPH_TASK_FIELDS = {
  observationShape: [GRAPH_OBSERVATION_SIZE],
  argumentSizes: [3, 3, 3] as Arguments,
  encoder: { kind: "mlp", hiddenSizes: [128] },
  createEnvironment: createGraphEnv,
  observe: observeGraph,
  act: actOnGraph,
  isSolved: graphIsSolved,
  randomInput: (rng: Rng, vertices: number) => randomDag(rng, vertices),
  formatInput: formatDag,
  describeAction: describeGraphAction,
  snapshot: snapshotGraph,
} as const;
