export { RunError, type RunErrorCode } from "./errors.js";
export { writeFileAtomic, writeJsonAtomic } from "./atomic-write.js";
export { createProgress, type Progress, type ProgressOptions } from "./progress.js";
export { openRunDirectory, type RunDirectory } from "./run-directory.js";
export { invocationDirectory, runCli, usageErrorOutput, type RunCliOptions } from "./run-cli.js";
