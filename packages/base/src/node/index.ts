export { AtomicFile, writeFileAtomic, writeJsonAtomic, isAtomicTempName } from "./atomic-file.js";
