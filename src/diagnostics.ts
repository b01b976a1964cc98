/**
 * Every user-facing error, with a stable code.
 *
 * Errors that are the model's or the inputs' fault exit with status 1; usage errors exit with 2; the
 * environment's (disk full, permissions, a file where a folder should be, a missing tool) with 4. The
 * message is one line that says what is wrong and, where it can, what to do. Internal errors (bugs) are
 * plain Error objects and are reported as such by the CLI.
 */

export type DiagnosticCode =
  | 'E_MODEL_READ' // file missing or unreadable
  | 'E_MODEL_FORMAT' // not an ONNX/TFLite file, truncated, corrupt
  | 'E_UNSUPPORTED_OP' // operator outside the supported set
  | 'E_UNSUPPORTED_ATTR' // supported operator, unsupported attribute value or combination
  | 'E_UNSUPPORTED_TYPE' // element type not handled at run time
  | 'E_SHAPE' // shapes that do not agree, or unknown dimensions
  | 'E_MODEL_INVALID' // the model breaks its own format's rules (missing input, wrong arity)
  | 'E_INPUT_FILE' // an input file of the wrong size, dtype or shape
  | 'E_BUILD' // the C compiler or the generated program failed
  | 'E_DOES_NOT_FIT' // the model does not fit the board's memory
  | 'E_USAGE' // wrong command-line use
  | 'E_IO' // the environment: disk full, no permission, read-only file system, a file where a folder should be
  | 'E_TOOL'; // a program utvm-aot runs (make, gcc, arm-none-eabi-gcc, qemu-system-arm) is not installed

const EXIT_CODE: Record<DiagnosticCode, number> = {
  E_MODEL_READ: 1,
  E_MODEL_FORMAT: 1,
  E_UNSUPPORTED_OP: 1,
  E_UNSUPPORTED_ATTR: 1,
  E_UNSUPPORTED_TYPE: 1,
  E_SHAPE: 1,
  E_MODEL_INVALID: 1,
  E_INPUT_FILE: 1,
  E_BUILD: 1,
  E_DOES_NOT_FIT: 1,
  E_USAGE: 2,
  E_IO: 4,
  E_TOOL: 4,
};

export class UtvmError extends Error {
  readonly code: DiagnosticCode;
  readonly exitCode: number;

  constructor(code: DiagnosticCode, message: string) {
    super(message);
    this.name = 'UtvmError';
    this.code = code;
    this.exitCode = EXIT_CODE[code];
  }
}

export function fail(code: DiagnosticCode, message: string): never {
  throw new UtvmError(code, message);
}

/** "node 'conv1' (Conv)": how diagnostics name a node of the user's model. */
export function describeNode(source: { op: string; name: string }): string {
  return `node '${source.name}' (${source.op})`;
}
