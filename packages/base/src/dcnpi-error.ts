// One base class for every error a dcnpi package throws on purpose, so that a command line (or any
// caller) can tell "the input was wrong, here is what" from "the program has a bug" with one check.

const BRAND = Symbol.for("@dcnpi/base/DcnpiError");

/**
 * An error with a literal `code` a caller can switch on and a message that names the offending
 * thing. Each package narrows `Code` to its own literal union (`class HuffmanError extends
 * DcnpiError<HuffmanErrorCode>`).
 */
export class DcnpiError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    // The class name of the subclass ("HuffmanError"), not "Error", in stack traces and `name: message`.
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for a DcnpiError from any copy of this package: `instanceof` alone fails when two copies
   * are installed (a bundled app beside a linked library), the brand does not.
   */
  static is(error: unknown): error is DcnpiError {
    return (
      error instanceof DcnpiError || (typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true)
    );
  }
}
