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
  | 'E_TOOL' // a program utvm-aot runs (make, gcc, arm-none-eabi-gcc, qemu-system-arm) is not installed
  | 'E_TARGET' // a debug link (GDB server) refused, closed, stopped answering or sent nonsense
  | 'E_TUNING_LOG'; // a tuning log (--tuning-log, tune --resume) that is not a utvm-aot tuning log, or too big

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
  E_TARGET: 1,
  E_TUNING_LOG: 1,
};

export class UtvmError extends Error {
  readonly code: DiagnosticCode;
  readonly exitCode: number;

  constructor(code: DiagnosticCode, message: string) {
    super(oneLine(message));
    this.name = 'UtvmError';
    this.code = code;
    this.exitCode = EXIT_CODE[code];
  }
}

export function fail(code: DiagnosticCode, message: string): never {
  throw new UtvmError(code, message);
}

/** Characters that end or break a line on a terminal or in a log: C0 and C1 controls, DEL, U+2028/9. */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The message with every line-breaking character shown as an escape (\n, \t, \x1b, \u2028): every
 * UtvmError's message goes through it, so a name from the model can never split an error into lines.
 */
export function oneLine(message: string): string {
  return message.replace(LINE_BREAKING, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const code = c.charCodeAt(0);
    return named[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}

/** Longest model-supplied name shown whole in a message; longer ones are cut, with their length said. */
const NAME_SHOWN = 256;

/** A model-supplied name for a message: in quotes, line breaks escaped, a long name cut short. */
export function quote(name: string | null | undefined): string {
  name = String(name ?? '');
  const shown = name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN)}…(${name.length} characters)` : name;
  return `'${oneLine(shown)}'`;
}

/** "node 'conv1' (Conv)": how diagnostics name a node of the user's model. */
export function describeNode(source: { op: string; name: string }): string {
  return `node ${quote(source.name)} (${source.op})`;
}
