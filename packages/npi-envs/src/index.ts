export { additionTask, AdditionEnv, AdditionAction, AdditionRow, Direction, BLANK, type AdditionInput } from "./addition-task.js";
export { sortingTask, SortingEnv, SortingAction, SortingPointer, SortingDirection, OFF_ARRAY, type SortingInput } from "./sorting-task.js";
