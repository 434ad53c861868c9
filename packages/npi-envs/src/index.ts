// The tasks (addition, sorting, MAX, car) and, for convenience, everything of ./car-world.
// Listed name by name (no `export *`): each name here is documented in README.md, "API".
export { additionTask, AdditionEnv, BLANK, type AdditionInput } from "./addition-task.js";
export { sortingTask, SortingEnv, type SortingInput } from "./sorting-task.js";
export { maxTask } from "./max-task.js";
export { carTask, createCarTask, carPathLength, carStartInputs, CarEnv, CAR_PAD_SIZE, type CarInput, type CarTaskOptions } from "./car-task.js";
export { DEFAULT_CAR_SPLIT, splitCarProblems, carProblemsOfLength, type CarSplitPlan, type CarSplits } from "./car-splits.js";
export { carRunPicture, type CarRunPicture } from "./car-run-picture.js";
export { CarFrameCache } from "./car-frame-cache.js";
export { NpiEnvError, type NpiEnvErrorCode } from "./errors.js";
export {
  CarWorldError,
  type CarWorldErrorCode,
  AZIMUTH_STEP_DEGREES,
  ELEVATION_STEP_DEGREES,
  MIN_ELEVATION_DEGREES,
  MAX_ELEVATION_DEGREES,
  TARGET_POSE,
  CameraMove,
  validatePose,
  azimuthBinOf,
  azimuthDegreesOf,
  elevationBinOf,
  elevationDegreesOf,
  moveCamera,
  planCameraMoves,
  startPoses,
  allPoses,
  type CarPose,
  carSeeds,
  carSplitOf,
  type CarSplit,
  type CarSeedsOptions,
  generateCar,
  type CarModel,
  CarRenderer,
  type CarRenderOptions,
  encodePng,
  type RgbImage,
  renderContactSheet,
  renderCanonicalisationStrip,
  renderCarGallery,
  labelledSheetSvg,
  type ContactSheet,
  type PoseStrip,
  type LabelledSheetSvg,
} from "./car-world/index.js";
