export { ReportError, type ReportErrorCode } from "./errors.js";
export { renderVegaLiteSvg, type VegaLiteSpec } from "./plot.js";
export { markdownTable, writeReport, type Report, type ReportBlock, type WrittenReport } from "./report.js";
