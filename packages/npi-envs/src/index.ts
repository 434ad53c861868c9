export { additionTask, AdditionEnv, AdditionAction, AdditionRow, Direction, BLANK, type AdditionInput } from "./addition-task.js";
export { sortingTask, SortingEnv, SortingAction, SortingPointer, SortingDirection, OFF_ARRAY, type SortingInput } from "./sorting-task.js";
export { maxTask } from "./max-task.js";
export { carTask, createCarTask, carPathLength, carStartInputs, CarEnv, CAR_PAD_SIZE, type CarInput, type CarObservation, type CarTaskOptions } from "./car-task.js";
export { DEFAULT_CAR_SPLIT, splitCarProblems, carProblemsOfLength, type CarSplitPlan, type CarSplits } from "./car-splits.js";
export { carRunPicture, type CarRunPicture } from "./car-run-picture.js";
export { carCnnEncoder, type CarCnnOptions } from "./car-cnn-encoder.js";
export { CarFrameCache } from "./car-frame-cache.js";
export * from "./car-world/index.js";
