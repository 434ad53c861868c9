export { DcnpiError } from "./dcnpi-error.js";
export { crc32 } from "./crc32.js";
export { decodeBase64, encodeBase64 } from "./base64.js";
export { signedLeb128, unsignedLeb128 } from "./leb128.js";
