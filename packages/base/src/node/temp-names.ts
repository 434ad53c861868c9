// One naming scheme for every temporary dcnpi writes, so a cleaner recognises what a killed process left:
// `.<target name>.<pid>.<counter>.dcnpi-tmp`.
export const TEMP_SUFFIX = ".dcnpi-tmp";
let tempCounter = 0;

export function nextTempNumber(): number {
  return ++tempCounter;
}
