// The tasks (addition, sorting, MAX, car); the car world itself (poses, renderer, pictures) is ./car-world.
// Listed name by name (no `export *`): each name here is documented in README.md, "API".
export { additionTask, AdditionEnv, BLANK, type AdditionInput } from "./addition-task.js";
export { recursiveAdditionTask, recursiveAdditionVerificationSet } from "./recursive-addition-task.js";
export { recursiveTopoSortTask, recursiveTopoSortVerificationSet } from "./recursive-toposort-task.js";
export { topoSortTask } from "./toposort-task.js";
export { GraphEnv } from "./graph-env.js";
export { DAG_MAX_OUT_DEGREE, formatDag, parseDag, type DagInput } from "./dag.js";
export { sortingTask, SortingEnv, type SortingInput } from "./sorting-task.js";
export { recursiveQuicksortTask, recursiveQuicksortVerificationSet } from "./recursive-quicksort-task.js";
export { quicksortTask } from "./quicksort-task.js";
export {
  QuicksortEnv,
  QuicksortAction,
  QuicksortPointer,
  QuicksortDirection,
  QuicksortFlag,
  type QuicksortSnapshot,
} from "./quicksort-env.js";
export { recursiveBubbleSortTask, recursiveBubbleSortVerificationSet } from "./recursive-bubble-sort-task.js";
export { maxTask } from "./max-task.js";
export {
  carTask,
  createCarTask,
  carPathLength,
  carStartInputs,
  CarEnv,
  CAR_PAD_SIZE,
  type CarInput,
  type CarTaskOptions,
} from "./car-task.js";
export { DEFAULT_CAR_SPLIT, splitCarProblems, carProblemsOfLength, type CarSplitPlan, type CarSplits } from "./car-splits.js";
export { carRunPicture, type CarRunPicture } from "./car-run-picture.js";
export { CarFrameCache } from "./car-frame-cache.js";
export { NpiEnvError, type NpiEnvErrorCode } from "./errors.js";
