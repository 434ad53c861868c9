export { RunError, type RunErrorCode } from "./errors.js";
export { writeFileAtomic, writeJsonAtomic } from "./atomic-write.js";
export { createProgress, type Progress, type ProgressOptions } from "./progress.js";
export { openRunDirectory, type RunDirectory, type StageContext } from "./run-directory.js";
export { invocationDirectory, isDebug, isExpectedError, runCli, usageErrorOutput, type RunCliOptions } from "./run-cli.js";
