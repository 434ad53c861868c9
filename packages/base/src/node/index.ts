export { AtomicFile, writeFileAtomic, writeJsonAtomic, isAtomicTempName } from "./atomic-file.js";
export {
  AtomicDirectory,
  ensureDirectory,
  OutputPathError,
  removeAtomicLeftovers,
  writeDirectoryAtomic,
  type OutputPathErrorCode,
} from "./atomic-directory.js";
