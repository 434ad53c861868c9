// The synthetic car world: procedural car models, the pose grid, a deterministic software renderer
// and pictures (npi.md §2.4, §4.3). Self-contained: no dependency on @dcnpi/npi-core.
export { CarWorldError, type CarWorldErrorCode } from "./car-world-error.js";
export {
  AZIMUTH_BINS, AZIMUTH_STEP_DEGREES, ELEVATION_BINS, ELEVATION_STEP_DEGREES, MIN_ELEVATION_DEGREES, MAX_ELEVATION_DEGREES,
  TARGET_POSE, START_AZIMUTHS_DEGREES, START_ELEVATIONS_DEGREES, CameraMove, CAMERA_MOVE_NAMES,
  validatePose, azimuthBinOf, azimuthDegreesOf, elevationBinOf, elevationDegreesOf, moveCamera, planCameraMoves, startPoses, allPoses,
  type CarPose,
} from "./pose-grid.js";
export { CAR_SPLITS, CAR_SPLIT_SIZE, carSeeds, carSplitOf, type CarSplit, type CarSeedsOptions } from "./car-seeds.js";
export { CAR_STYLES, MAX_CAR_RADIUS_M, generateCar, sampleCarParams, buildCarMesh, type CarModel, type CarParams, type CarStyle } from "./car-model.js";
export { FACE_DECAL, FACE_EMISSIVE, MeshBuilder, filterFaces, validateMesh, triangleCount, type Mesh, type Rgb, type Vec3 } from "./mesh.js";
export { CAMERA_DISTANCE_M, CAMERA_TAN_HALF_FOV, cameraForPose, lookAtCamera, projectPoint, type Camera } from "./camera.js";
export { NEAR_PLANE_M, Rasterizer, packRgb, type DrawOptions } from "./rasterizer.js";
export {
  CarRenderer, renderCar, shadeFaces, CAR_WORLD_LIGHTING, SKY_COLOR, GROUND_COLOR, TURNTABLE_COLOR, SHADOW_COLOR, TURNTABLE_RADIUS_M,
  type CarRenderOptions, type Lighting,
} from "./car-renderer.js";
export { encodePng, decodeStoredPng, readPngChunks, zlibStored, type RgbImage, type EncodePngOptions, type PngChunk } from "./png.js";
export {
  tileImages, renderContactSheet, renderCanonicalisationStrip, renderCarGallery, labelledSheetSvg, formatMoves,
  type ContactSheet, type PoseStrip, type LabelledSheetSvg,
} from "./contact-sheet.js";
