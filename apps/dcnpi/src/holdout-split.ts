/**
 * The split of `--data` into the part the search and retraining see and the held-out part the final
 * check measures. By default examples are drawn one by one (seeded). With `--holdout-group <regex>`
 * the examples whose file names give the same group (the regex's first capture group, or its whole
 * match) go to the same part: crops of one photo or frames of one video are nearly the same input,
 * so held-out examples with a sibling in the search part check far less than their count says. Arrays
 * have no file names: `--holdout-groups <file>` gives each example's group as its name.
 */
import { Rng } from "@dcnpi/tensor";
import { ExampleDataError, selectExamples, type ExampleSet } from "@dcnpi/example-data";

export interface HoldoutOptions {
  readonly seed: number;
  readonly holdoutFraction: number;
  /** `--holdout-group`: examples whose names give the same group stay together. */
  readonly holdoutGroup?: RegExp | undefined;
}

export interface HoldoutSplit {
  readonly search: ExampleSet;
  readonly holdout: ExampleSet;
  /** With `holdoutGroup`: how many groups there are and how many are held out. */
  readonly groups?: { readonly total: number; readonly held: number };
}

const ascending = (indices: Iterable<number>) => Array.from(indices).sort((a, b) => a - b);

/** Seeded split into search and held-out parts (both non-empty). */
export function splitExamples(examples: ExampleSet, options: HoldoutOptions): HoldoutSplit {
  if (examples.count < 2)
    throw new ExampleDataError("EMPTY", `${examples.source}: ${examples.count} example; at least 2 are needed (search + held-out)`);
  const wanted = Math.min(examples.count - 1, Math.max(1, Math.round(examples.count * options.holdoutFraction)));
  if (options.holdoutGroup === undefined) {
    const order = Rng.fromSeed(options.seed).fork("dcnpi:holdout").permutation(examples.count);
    return {
      holdout: selectExamples(examples, ascending(order.subarray(0, wanted))),
      search: selectExamples(examples, ascending(order.subarray(wanted))),
    };
  }
  const members = groupMembers(examples, options.holdoutGroup);
  const keys = [...members.keys()];
  if (keys.length < 2)
    throw new ExampleDataError(
      "INVALID_OPTION",
      `--holdout-group: every file of ${examples.source} is in one group ("${keys[0]}"); at least 2 are needed (search + held-out)`,
    );
  // Whole groups in seeded order until the held-out part has its share; the search keeps at least one group.
  const order = Rng.fromSeed(options.seed).fork("dcnpi:holdout-groups").permutation(keys.length);
  const held: number[] = [];
  let heldGroups = 0;
  for (const k of order) {
    if (held.length >= wanted || heldGroups === keys.length - 1) break;
    held.push(...members.get(keys[k]!)!);
    heldGroups++;
  }
  const heldSet = new Set(held);
  const search: number[] = [];
  for (let i = 0; i < examples.count; i++) if (!heldSet.has(i)) search.push(i);
  return {
    holdout: selectExamples(examples, ascending(held)),
    search: selectExamples(examples, search),
    groups: { total: keys.length, held: heldGroups },
  };
}

/** Example indices by group, groups in order of first appearance; a name the regex does not match is an error. */
function groupMembers(examples: ExampleSet, pattern: RegExp): Map<string, number[]> {
  const names = examples.names;
  if (names === undefined)
    throw new ExampleDataError(
      "INVALID_OPTION",
      `--holdout-group: ${examples.source} has no file names to group (an image folder has them; for arrays give --holdout-groups <file>)`,
    );
  const members = new Map<string, number[]>();
  names.forEach((name, index) => {
    const match = pattern.exec(name);
    if (match === null)
      throw new ExampleDataError("INVALID_OPTION", `--holdout-group: ${examples.source}/${name} does not match /${pattern.source}/`);
    const key = match[1] ?? match[0];
    const list = members.get(key);
    if (list === undefined) members.set(key, [index]);
    else list.push(index);
  });
  return members;
}
