// The one atomic writer lives in @dcnpi/base/node (temp file in the same directory, fsync, rename,
// fsync of the directory); run-kit re-exports it so its importers need no change.
export { writeFileAtomic, writeJsonAtomic } from "@dcnpi/base/node";
