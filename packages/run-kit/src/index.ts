export { RunError, type RunErrorCode } from "./errors.js";
export { writeFileAtomic, writeJsonAtomic } from "./atomic-write.js";
export { createProgress, type Progress, type ProgressOptions } from "./progress.js";
export { openRunDirectory, type RunDirectory, type StageContext } from "./run-directory.js";
export { renderVegaLiteSvg, type VegaLiteSpec } from "./plot.js";
export { markdownTable, writeReport, type Report, type ReportBlock, type WrittenReport } from "./report.js";
