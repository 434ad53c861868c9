// The synthetic car world: procedural car models, the pose grid, a deterministic software renderer
// and pictures (npi.md §2.4, §4.3). Self-contained: no dependency on @dcnpi/npi-core.
// The public surface is what a user of the car task or of the pictures needs (listed in
// README.md, "API"); the rasteriser, meshes, cameras, colours and PNG internals stay in their modules.
export { CarWorldError, type CarWorldErrorCode } from "./car-world-error.js";
export {
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
} from "./pose-grid.js";
export { carSeeds, carSplitOf, type CarSplit, type CarSeedsOptions } from "./car-seeds.js";
export { generateCar, type CarModel } from "./car-model.js";
export { CarRenderer, type CarRenderOptions } from "./car-renderer.js";
export { encodePng, type RgbImage } from "./png.js";
export {
  renderContactSheet,
  renderCanonicalisationStrip,
  renderCarGallery,
  labelledSheetSvg,
  type ContactSheet,
  type PoseStrip,
  type LabelledSheetSvg,
} from "./contact-sheet.js";
